#!/usr/bin/env bash
# Runs the whole test suite: installs what the tests need (venv, Chromium, a CJK font), runs the
# code's checks (ruff, mypy, the import contracts), starts the local PostgreSQL server used as a
# real source database, then pytest on 2 parallel workers.
# "No tests collected" (pytest exit 5) is a failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
bootstrap_python
# nginx: tests/test_deploy_nginx.py runs deploy/nginx.conf in front of two dashboard processes
bootstrap_debian chromium fonts-wqy-microhei postgresql nginx
# The monthly 通报: its PDF embeds Noto Serif/Sans CJK (fonts-noto-cjk, ~57 MB, installed in ~6 s);
# tests read the PDF back and draw its pages with pdftotext / pdftoppm (poppler-utils)
bootstrap_debian fonts-noto-cjk poppler-utils
cd "$ROOT"
# The code's own checks first (seconds): lint and format, types, the import contracts.
echo "[checks] ruff check, ruff format --check, mypy, lint-imports"
"$VENV/bin/ruff" check dashboard pages tests scripts
"$VENV/bin/ruff" format --check dashboard pages tests scripts
"$VENV/bin/mypy"
"$VENV/bin/lint-imports" --no-cache >/dev/null || "$VENV/bin/lint-imports" --no-cache
eval "$(bash scripts/test_postgres.sh)"
set +e
# In parallel (pytest-xdist): one worker per core, at most 2 (the machines have 2 cores, shared).
# tests/conftest.py keeps the tests that share an expensive fixture on one worker (the browser
# tests: one streamlit server). TEST_WORKERS=0 runs serially, as does -n 0 among the arguments.
"$PY" -m pytest -n "${TEST_WORKERS:-auto}" --maxprocesses 2 "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$rc"
