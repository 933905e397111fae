"""Run lmms-eval's command line, check what it wrote, and score a run again from its sample logs.

lmms-eval 0.7.3 logs "Error during evaluation: ..." and exits 0 when an evaluation fails, so its exit
status says nothing. :func:`run_lmms_eval` treats a run as done only when a results file newer than the
run's start is under ``--output_path``; otherwise it raises :class:`EvaluationFailed` with lmms-eval's
own error lines. The demo, the tests and ``finemotion evaluate`` all go through it.

:func:`rescore` applies our tasks' aggregations to what a run logged (``--log_samples``): scores that could
not be computed then (no judge configured, say) are computed later without generating again.
"""

from __future__ import annotations

import collections
import json
import math
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from finemotion_eval.inputs import InputFileError

__all__ = ["EvaluationFailed", "output_path_of", "rescore", "run_lmms_eval", "sample_logs_of_one_run"]

_SAMPLE_LOG = re.compile(r"^(?P<run>.+)_samples_(?P<task>[A-Za-z0-9_]+)\.jsonl$")
_ERROR_LINE = re.compile(r"\b(ERROR|Error|Traceback|Exception)\b")
_KEPT_LINES = 400


class EvaluationFailed(RuntimeError):
    """lmms-eval ended without writing results; the message holds its error output."""


def output_path_of(args: Sequence[str]) -> Path:
    """The ``--output_path`` among lmms-eval arguments (both ``--output_path X`` and ``--output_path=X``)."""
    for index, arg in enumerate(args):
        if arg == "--output_path" and index + 1 < len(args):
            return Path(args[index + 1])
        if arg.startswith("--output_path="):
            return Path(arg.split("=", 1)[1])
    raise ValueError("pass --output_path: without it lmms-eval writes no results file to check")


def _error_excerpt(lines: Sequence[str]) -> str:
    """From lmms-eval's first error line on (at most 40 lines), else its last 20 lines."""
    first = next((i for i, line in enumerate(lines) if _ERROR_LINE.search(line)), None)
    excerpt = lines[first:first + 40] if first is not None else lines[-20:]
    return "".join(excerpt).rstrip() or "(lmms-eval printed nothing)"


def run_lmms_eval(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike | None = None,
    timeout: float | None = None,
    echo: bool = True,
) -> Path:
    """Run ``python -m lmms_eval ARGS``; return the results JSON it wrote, or raise :class:`EvaluationFailed`.

    ``echo`` streams lmms-eval's output (stdout and stderr, merged) to our stdout as it comes.
    """
    output_path = Path(cwd or ".") / output_path_of(args)
    started = time.time()
    tail: collections.deque[str] = collections.deque(maxlen=_KEPT_LINES)
    command = [sys.executable, "-m", "lmms_eval", *args]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                          env=None if env is None else dict(env), cwd=cwd) as process:
        assert process.stdout is not None
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            process.kill()

        watchdog = threading.Timer(timeout, stop) if timeout is not None else None
        if watchdog is not None:
            watchdog.start()
        try:
            for line in process.stdout:
                tail.append(line)
                if echo:
                    sys.stdout.write(line)
                    sys.stdout.flush()
            returncode = process.wait()
        finally:
            if watchdog is not None:
                watchdog.cancel()
    if timed_out.is_set():
        raise EvaluationFailed(f"lmms-eval ran past {timeout:g} s and was stopped; last output:\n{_error_excerpt(list(tail))}")
    written = sorted((path for path in output_path.rglob("*results*.json") if path.stat().st_mtime >= started),
                     key=lambda path: path.stat().st_mtime) if output_path.is_dir() else []
    if returncode != 0 or not written:
        raise EvaluationFailed(
            f"lmms-eval (exit status {returncode}) wrote no results under {output_path}; its error:\n"
            f"{_error_excerpt(list(tail))}"
        )
    return written[-1]


def sample_logs_of_one_run(paths: Iterable[str | Path], refuse: Callable[[str], str | None] = lambda task: None
                           ) -> dict[str, Path]:
    """lmms-eval task -> sample log (``<run>_samples_<task>.jsonl``) of exactly one run among ``paths`` (logs or
    folders holding them). ``refuse(task)`` gives the reason a task's log is not wanted, or None."""
    logs = [log for given in map(Path, paths)
            for log in (sorted(given.rglob("*_samples_*.jsonl")) if given.is_dir() else [given])]
    runs: dict[tuple[Path, str], dict[str, Path]] = {}
    for log in logs:
        match = _SAMPLE_LOG.match(log.name)
        if match is None:
            raise InputFileError(f"{log}: not an lmms-eval sample log (<run>_samples_<task>.jsonl)")
        reason = refuse(match["task"])
        if reason is not None:
            raise InputFileError(f"{log}: {reason}")
        runs.setdefault((log.parent, match["run"]), {})[match["task"]] = log
    if not runs:
        raise InputFileError(f"no lmms-eval sample logs in {', '.join(map(str, paths))}")
    if len(runs) > 1:
        listed = "\n  ".join(f"{folder / run}_samples_*.jsonl ({len(files)} tasks)" for (folder, run), files in runs.items())
        raise InputFileError(f"these hold {len(runs)} lmms-eval runs; take one at a time:\n  {listed}")
    return next(iter(runs.values()))


def _task_configs() -> dict[str, dict]:
    """Our tasks' configs (includes resolved, hooks imported), by task name."""
    from lmms_eval.utils import load_yaml_config

    from finemotion_eval.lmms_plugin import task_dirs

    configs = {}
    for folder in task_dirs():
        for path in sorted(Path(folder).glob("*.yaml")):
            config = load_yaml_config(str(path))
            if isinstance(config.get("task"), str):
                configs[config["task"]] = config
    return configs


def rescore(paths: Iterable[str | Path]) -> dict[str, dict[str, Any]]:
    """Each task's metrics, computed again by its own aggregations from one run's sample logs.

    Only our tasks (``mabench_*``, ``favor_*``) can be rescored: their logs keep every metric's per-sample value.
    """
    configs = _task_configs()
    logs = sample_logs_of_one_run(paths, refuse=lambda task: None if task in configs else f"{task} is not a finemotion task")
    scores = {}
    for task, log in logs.items():
        samples = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
        scores[task] = {}
        for entry in configs[task]["metric_list"]:
            metric, aggregation = entry["metric"], entry["aggregation"]
            items = [sample[metric] for sample in samples if metric in sample]
            if aggregation == "mean":
                scores[task][metric] = statistics.fmean(items) if items else math.nan
                scores[task][f"{metric}_stderr"] = statistics.stdev(items) / math.sqrt(len(items)) if len(items) > 1 else math.nan
            else:
                scores[task][metric] = aggregation(items)
        scores[task]["samples"] = len(samples)
    return scores
