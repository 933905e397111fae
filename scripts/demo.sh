#!/usr/bin/env bash
# `make demo`: the tracker-grounded baseline `finemotion_motion` through lmms-eval on the closed tasks of
# MA-Synth, the synthetic micro-action benchmark with exact answers (synth/): its test split (120 rendered
# clips, 1,440 questions) is built first, every clip is tracked from its pixels (two processes; cached), and
# each question is answered from the clip's part-level descriptors (docs/tracker.md); `finemotion report` then
# writes the report of the run (docs/report.md). Extra arguments go to
# lmms-eval; DEMO_OUT names the output folder (default demo_out), VENV the venv (default .venv), DEMO_MODEL
# and DEMO_MODEL_ARGS another model. Exits non-zero, with lmms-eval's error, when no results were written
# (lmms-eval itself exits 0 then).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${VENV:-.venv}/bin
out=$(realpath -m "${DEMO_OUT:-demo_out}")
rm -rf "$out"
export FINEMOTION_MABENCH_SYNTH_DIR="$out/ma-synth"
export FINEMOTION_CACHE="${FINEMOTION_CACHE:-$out/cache}"   # tracked descriptors: a fresh run tracks every clip
"$bin/finemotion" synth --out "$FINEMOTION_MABENCH_SYNTH_DIR" --splits test
"$bin/finemotion" evaluate -- --model "${DEMO_MODEL:-finemotion_motion}" --model_args "${DEMO_MODEL_ARGS:-seed=0,workers=2}" \
    --tasks mabench_synth_closed --batch_size 1 --output_path "$out/results" --log_samples --verbosity WARNING "$@"
"$bin/finemotion" report "$out/results" --out "$out/report" --title "make demo: ${DEMO_MODEL:-finemotion_motion} on MA-Synth"
echo "results and per-sample logs: $out/results"
echo "report: $out/report/report.html"
