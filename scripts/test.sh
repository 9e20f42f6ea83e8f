#!/usr/bin/env bash
# Set up, then run the whole test suite: fast unit tests first, then integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system
.venv/bin/python -m pytest tests/unit -q -p no:cacheprovider "$@"
.venv/bin/python -m pytest tests/integration -q -p no:cacheprovider "$@"
