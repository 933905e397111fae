"""Messages for the user, on stderr: lmms-eval 0.7.3 silences Python warnings, so ``warnings.warn`` from a
task hook would never show. Aggregations run once per metric, so each message is said once per process."""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["notice", "survives"]

_said: set[str] = set()


def notice(message: str) -> None:
    """Print ``finemotion: <message>`` to stderr, unless this process already said it."""
    if message not in _said:
        _said.add(message)
        print(f"finemotion: {message}", file=sys.stderr, flush=True)


def survives(aggregate: Callable[..., Any]) -> Callable[..., Any]:
    """An lmms-eval aggregation that, when it fails, says why and gives NaN instead of failing the run.

    Aggregations run after generation, and a run that fails there writes no sample log (lmms-eval 0.7.3):
    hours of answers lost. With this the run ends, its sample log is written, and ``finemotion rescore``
    scores it again once the cause is fixed.
    """

    @functools.wraps(aggregate)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return aggregate(*args, **kwargs)
        except Exception as err:  # noqa: BLE001 - reported, and the score is NaN, never a number
            notice(f"ERROR: {aggregate.__name__} failed after generation ({type(err).__name__}: {err}); its score is NaN. "
                   "The run's sample log is kept (--log_samples): fix the cause, then `finemotion rescore` the run's folder.")
            return math.nan

    return guarded
