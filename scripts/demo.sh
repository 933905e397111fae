#!/usr/bin/env bash
# `make demo`: the random baseline through lmms-eval on the six closed MA-Bench tasks.
# Until the synthetic micro-action benchmark lands, the data are the tests' fixture: eight short
# generated clips with MA-Bench-shaped questions (tests/mabench_fixture.py).
set -euo pipefail
cd "$(dirname "$0")/.."
out=demo_out
rm -rf "$out"
export FINEMOTION_CONFIG="$PWD/$out/config.json"   # keep the demo out of the user's own config
.venv/bin/python tests/mabench_fixture.py --out "$out/fixture" --clips 8
.venv/bin/finemotion mabench prepare --questions "$out/fixture/questions.json" \
    --videos "$out/fixture/videos" --out "$out/mabench"
.venv/bin/lmms-eval --model finemotion_random --model_args seed=0 --tasks mabench_closed \
    --batch_size 1 --output_path "$out/results" --log_samples --verbosity WARNING
echo "results and per-sample logs: $out/results"
