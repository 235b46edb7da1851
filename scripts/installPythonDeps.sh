#!/usr/bin/env bash
# Installs what `reward-lens export` and the PyTorch parity suite (npm run test:parity) need: a Python venv with
# python/requirements.txt (torch CPU, transformers, onnx, onnxscript, onnxruntime, safetensors, numpy, pytest), in a
# cache folder outside the project. Safe to re-run: skipped when the venv already holds this requirements file.
#
#   $CACHE/pyenv   $CACHE is $REWARD_LENS_CACHE, default $HOME/.cache/reward-lens (the path `reward-lens export`
#                  looks at first, after --python and $REWARD_LENS_PYTHON).
#
# Package index: $REWARD_LENS_PIP_INDEX when set; else this workplace's local index (file:///opt/pypi/simple) when it
# exists, since its default index is unreachable and pip would retry for minutes; else pip's own configuration.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${REWARD_LENS_CACHE:-$HOME/.cache/reward-lens}"
VENV="$CACHE/pyenv"
REQ="$ROOT/python/requirements.txt"
STAMP="$VENV/.reward-lens-requirements"

command -v python3 >/dev/null || { echo "error: python3 is not installed (Debian: apt-get install python3 python3-venv)" >&2; exit 1; }

if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && cmp -s "$REQ" "$STAMP"; then
  echo "==> Python venv $VENV already has python/requirements.txt (skipped)"
  exit 0
fi

index_args=()
if [ -n "${REWARD_LENS_PIP_INDEX:-}" ]; then
  index_args=(--index-url "$REWARD_LENS_PIP_INDEX")
elif [ -d /opt/pypi/simple ]; then
  index_args=(--index-url file:///opt/pypi/simple)
fi

start=$SECONDS
echo "==> python3 -m venv $VENV; pip install -r python/requirements.txt ${index_args[*]}"
mkdir -p "$CACHE"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${index_args[@]}" -r "$REQ"
cp "$REQ" "$STAMP"
echo "==> Python deps installed in $VENV ($((SECONDS - start))s)"
