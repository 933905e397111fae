"""Pure functions from judge results to task scores: per-key means that skip failures.

Benchmark totals (the MA-Bench open AVG, the MAC 2026 final score) are in ``metrics.accuracy``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean

from finemotion_eval.judges.runner import JudgeResult

__all__ = ["TaskScores", "task_scores"]


@dataclass(frozen=True)
class TaskScores:
    """Mean of each score key over the scored items; failed items are counted but not averaged."""

    means: dict[str, float]
    scored: int
    failed: int


def task_scores(results: Sequence[JudgeResult], keys: Sequence[str]) -> TaskScores:
    """Per-key means over the items the judge scored. Raises ``ValueError`` when none was scored."""
    scored = [result.scores for result in results if result.scores is not None]
    if not scored:
        # The failures first: the reason is what the caller needs, and the error may be all they see.
        reasons = "; ".join(f"{result.id}: {result.error}" for result in results[:3])
        more = f" (and {len(results) - 3} more)" if len(results) > 3 else ""
        raise ValueError(f"no item of {len(results)} was scored by the judge, so the task has no score. Failures: "
                         f"{reasons}{more}")
    means = {key: fmean(scores[key] for scores in scored) for key in keys}
    return TaskScores(means=means, scored=len(scored), failed=len(results) - len(scored))
