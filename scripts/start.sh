#!/usr/bin/env bash
# Starts the dashboard on http://127.0.0.1:8501 over the embedded default warehouse.
# On first start it installs what it needs, generates the demo drop and loads it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
bootstrap_python
cd "$ROOT"
exec "$PY" -m dashboard serve "$@"
