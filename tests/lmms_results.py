"""lmms-eval runs for the tests, through ``finemotion_eval.lmms_run`` (a run without results fails with
lmms-eval's error), and the library's own scoring of what a run logged, to compare numbers with."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path
from typing import Mapping, Sequence

from finemotion_eval.lmms_run import run_lmms_eval


def evaluate(args: Sequence[str], output_path: Path, env: Mapping[str, str] | None = None) -> dict:
    """The results JSON of ``lmms-eval ARGS --output_path OUTPUT_PATH --log_samples``."""
    written = run_lmms_eval([*args, "--output_path", str(output_path), "--log_samples"], env=env, echo=False, timeout=900)
    return json.loads(written.read_text())


def logged(output_path: Path, task: str, metric: str) -> list:
    """The per-sample values lmms-eval logged for ``metric`` of ``task``, in document order."""
    (samples,) = sorted(output_path.rglob(f"*samples_{task}.jsonl"))
    return [json.loads(line)[metric] for line in samples.read_text().splitlines() if line.strip()]


def mean_stderr(values: Sequence[float]) -> float:
    """Standard error of a mean of per-sample scores: sample standard deviation over sqrt(n)."""
    return statistics.stdev(values) / math.sqrt(len(values))


def plain_mean_stderr(stderrs: Sequence[float]) -> float:
    """Standard error of the plain mean of independent task means: sqrt(sum of squares) / k."""
    return math.sqrt(sum(se**2 for se in stderrs)) / len(stderrs)
