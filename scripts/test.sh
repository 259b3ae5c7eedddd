#!/usr/bin/env bash
# Runs the whole test suite: installs what the tests need (venv, Chromium, a CJK font), starts
# the local PostgreSQL server used as a real source database, then pytest. "No tests collected"
# (pytest exit 5) is a failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
bootstrap_python
bootstrap_debian chromium fonts-wqy-microhei postgresql
cd "$ROOT"
eval "$(bash scripts/test_postgres.sh)"
set +e
"$PY" -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$rc"
