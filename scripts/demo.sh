#!/usr/bin/env bash
# `make demo`: the random baseline through lmms-eval on the closed tasks of MA-Synth, the synthetic
# micro-action benchmark with exact answers (synth/): its test split (120 rendered clips, 1,440
# questions) is built first, then evaluated.
set -euo pipefail
cd "$(dirname "$0")/.."
out=demo_out
rm -rf "$out"
export FINEMOTION_MABENCH_SYNTH_DIR="$PWD/$out/ma-synth"
.venv/bin/finemotion synth --out "$FINEMOTION_MABENCH_SYNTH_DIR" --splits test
.venv/bin/lmms-eval --model finemotion_random --model_args seed=0 --tasks mabench_synth_closed \
    --batch_size 1 --output_path "$out/results" --log_samples --verbosity WARNING
echo "results and per-sample logs: $out/results"
