#!/usr/bin/env bash
# Starts the dashboard on http://127.0.0.1:8501 over the embedded default warehouse.
# On first start it installs what it needs, generates the demo drop and loads it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
bootstrap_python
# The monthly 通报's PDF embeds Noto CJK; the deck's charts are drawn by Chromium. Without them the
# dashboard runs, only generating the 通报 fails.
bootstrap_debian chromium fonts-noto-cjk || echo "[start] 生成月度通报需要 chromium 与 fonts-noto-cjk（请以 root 安装）" >&2
cd "$ROOT"
exec "$PY" -m dashboard serve "$@"
