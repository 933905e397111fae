#!/usr/bin/env bash
# `make lock`: resolve finemotion-eval[lmms,decord,dev,tracker,ray,report] (+ mediapipe) afresh in a temporary venv, run the tests there, and
# only if they pass rewrite requirements-cpu.lock with that resolution.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
VENV="$tmp/venv" LOCK=none FREEZE_TO="$tmp/lock" bash scripts/bootstrap_venv.sh
PYTHONSAFEPATH=1 "$tmp/venv/bin/python" -m pytest -q
cp "$tmp/lock" requirements-cpu.lock
echo "lock: requirements-cpu.lock rewritten ($(grep -c '==' requirements-cpu.lock) packages); review and commit it"
