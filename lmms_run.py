"""Run lmms-eval's command line and check what it wrote.

lmms-eval 0.7.3 logs "Error during evaluation: ..." and exits 0 when an evaluation fails, so its exit
status says nothing. :func:`run_lmms_eval` treats a run as done only when a results file newer than the
run's start is under ``--output_path``; otherwise it raises :class:`EvaluationFailed` with lmms-eval's
own error lines. The demo, the tests and ``finemotion evaluate`` all go through it.
"""

from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["EvaluationFailed", "output_path_of", "run_lmms_eval"]

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
