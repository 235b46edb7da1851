#!/usr/bin/env bash
# Runs the exporter's own tests (python/tests) with the venv of scripts/installPythonDeps.sh, or $REWARD_LENS_PYTHON.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${REWARD_LENS_PYTHON:-${REWARD_LENS_CACHE:-$HOME/.cache/reward-lens}/pyenv/bin/python}"
cd "$ROOT/python"
exec "$PY" -m pytest -q -p no:cacheprovider tests "$@"
