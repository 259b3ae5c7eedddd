#!/usr/bin/env bash
# Prepares this checkout: a virtual environment with the pinned requirements (re-installed only
# when requirements.txt changes) and, when asked, Debian packages. Sourced by start.sh and test.sh.
#   bootstrap_python            -> .venv with requirements.txt
#   bootstrap_debian PKG...     -> apt-get install of the missing packages (needs root)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

bootstrap_python() {
  if [ ! -x "$PY" ]; then
    echo "[bootstrap] creating virtual environment .venv"
    python3 -m venv "$VENV"
  fi
  local want have
  want=$(sha256sum "$ROOT/requirements.txt" | cut -d' ' -f1)
  have=$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    echo "[bootstrap] installing pinned requirements"
    "$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$PY" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt"
    echo "$want" > "$VENV/.requirements.sha256"
  fi
}

bootstrap_debian() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "[bootstrap] please install as root: apt-get install ${missing[*]}" >&2
    return 1
  fi
  echo "[bootstrap] apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
