"""Pure functions from judge results to task scores: per-key means that skip failures, MA-Bench totals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

from judges.runner import JudgeResult
from metrics.accuracy import mac2026_final_score, open_average

__all__ = ["TaskScores", "mabench_final_score", "mabench_open_average", "mabench_open_levels", "task_scores"]


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
        raise ValueError(f"no item of {len(results)} was scored by the judge: the task has no score")
    means = {key: fmean(scores[key] for scores in scored) for key in keys}
    return TaskScores(means=means, scored=len(scored), failed=len(results) - len(scored))


def mabench_open_levels(madu: TaskScores, mare: TaskScores) -> dict[str, float]:
    """The six open-ended level scores named as in ``metrics.accuracy.MABENCH_OPEN_LEVELS``."""
    levels = {f"MADU_{key}": value for key, value in madu.means.items()}
    levels.update({f"MARE_{key}": value for key, value in mare.means.items()})
    return levels


def mabench_open_average(madu: TaskScores, mare: TaskScores) -> float:
    """The table's open AVG: mean of the six level scores (0-5)."""
    return open_average(mabench_open_levels(madu, mare))


def mabench_final_score(closed: Mapping[str, float], madu: TaskScores, mare: TaskScores) -> float:
    """MAC 2026 final score from the six closed accuracies (%) and the two judged tasks."""
    return mac2026_final_score(closed, mabench_open_levels(madu, mare))
