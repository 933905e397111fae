#!/usr/bin/env bash
# Creates .venv and installs finemotion-eval with lmms-eval, without ever swapping the torch build.
#
# torch is installed first and then pinned (constraints), because an unpinned torch, or a package whose
# range admits a newer one, pulls gigabytes of CUDA wheels onto CPU machines. A torch that is already in
# .venv (e.g. a CUDA build on a GPU machine) is kept as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
TORCH_VERSION=${TORCH_VERSION:-2.13.0}
TORCHVISION_VERSION=${TORCHVISION_VERSION:-0.28.0}   # the torchvision built for torch 2.13
VENV=.venv
PY=$VENV/bin/python

[ -x "$PY" ] || "$PYTHON" -m venv "$VENV"
"$PY" -m pip install -q --upgrade "pip>=24"

if ! "$PY" -c "import torch" 2>/dev/null; then
    "$PY" -m pip install -q "torch==$TORCH_VERSION"
fi
installed_torch=$("$PY" -c "import torch; print(torch.__version__.split('+')[0])")

constraints=$(mktemp)
trap 'rm -f "$constraints"' EXIT
printf 'torch==%s\ntorchvision==%s\n' "$installed_torch" "$TORCHVISION_VERSION" > "$constraints"
"$PY" -m pip install -q -c "$constraints" -e ".[lmms,decord,dev]"

# PyPI's only torchvision is a CUDA build: on a CPU-only torch it fails to import and takes transformers
# (hence lmms-eval) down with it. Remove it there; keep it wherever it works.
if ! "$PY" -c "import torchvision" 2>/dev/null; then
    if "$PY" -c "import torch, sys; sys.exit(torch.version.cuda is not None)"; then
        "$PY" -m pip uninstall -q -y torchvision
    else
        echo "bootstrap: torchvision does not import with a CUDA torch; fix the CUDA install" >&2
        exit 1
    fi
fi

"$PY" -c "import lmms_eval.tasks, torch; print(f'bootstrap: torch {torch.__version__}, lmms-eval ready in $VENV')"
