"""MA-Bench aggregate scores: per-task accuracy, the paper's two averages and the MAC 2026 final score.

Accuracies are percentages (0-100) and open-ended judge scores are on the official 0-5 scale, as in the
paper's main table. Nothing is rounded here; round only for display.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from statistics import fmean

__all__ = [
    "MABENCH_CLOSED_TASKS",
    "MABENCH_JUDGE_LEVELS",
    "MABENCH_OPEN_LEVELS",
    "MABENCH_OPEN_TASKS",
    "MAC2026_TASKS",
    "accuracy",
    "closed_average",
    "mac2026_final_score",
    "mac2026_from_terms",
    "mac2026_open_term",
    "open_average",
    "random_expected_accuracy",
]

MABENCH_CLOSED_TASKS: tuple[str, ...] = ("CMAR", "FMAR", "SAD", "MAD", "MAS", "PPR")
MABENCH_OPEN_TASKS: tuple[str, ...] = ("MADU", "MARE")
MABENCH_JUDGE_LEVELS: tuple[str, ...] = ("L1", "L2", "L3")  # the score keys of each open task's judge rubric
MABENCH_OPEN_LEVELS: tuple[str, ...] = tuple(f"{task}_{level}" for task in MABENCH_OPEN_TASKS for level in MABENCH_JUDGE_LEVELS)
MAC2026_TASKS = len(MABENCH_CLOSED_TASKS) + len(MABENCH_OPEN_TASKS)  # one term of the final score each

_MAX_ACCURACY = 100.0
_MAX_JUDGE_SCORE = 5.0
# The final score averages twelve parts, six accuracies and six judge scores; this factor (20) puts a
# 0-5 judge score on the 0-100 accuracy scale, so that all twelve weigh the same.
_JUDGE_TO_PERCENT = _MAX_ACCURACY / _MAX_JUDGE_SCORE
_MAC2026_PARTS = len(MABENCH_CLOSED_TASKS) + len(MABENCH_OPEN_LEVELS)


def _select(scores: Mapping[str, float], keys: Sequence[str], upper: float) -> list[float]:
    """The values for ``keys``, checked to lie in ``[0, upper]`` so a fraction-vs-percent slip is loud."""
    missing = [key for key in keys if key not in scores]
    if missing:
        raise KeyError(f"missing scores for {', '.join(missing)}")
    values = [float(scores[key]) for key in keys]
    out_of_range = {key: value for key, value in zip(keys, values) if not 0.0 <= value <= upper}
    if out_of_range:
        raise ValueError(f"scores outside [0, {upper:g}]: {out_of_range}")
    return values


def accuracy(correct: Sequence[bool]) -> float:
    """Percentage of true items. Raises ``ValueError`` on no items: an empty task is an error, not 0 %."""
    if len(correct) == 0:
        raise ValueError("accuracy of no items is undefined")
    return 100.0 * sum(1 for item in correct if item) / len(correct)


def closed_average(task_accuracies: Mapping[str, float]) -> float:
    """Plain mean of the six closed-ended accuracies (the table's closed AVG); other keys are ignored."""
    return fmean(_select(task_accuracies, MABENCH_CLOSED_TASKS, _MAX_ACCURACY))


def open_average(level_scores: Mapping[str, float]) -> float:
    """Plain mean of the six open-ended judge scores, MADU and MARE at levels 1-3 (the table's open AVG)."""
    return fmean(_select(level_scores, MABENCH_OPEN_LEVELS, _MAX_JUDGE_SCORE))


def mac2026_open_term(level_scores: Iterable[float]) -> float:
    """One open task's term of the MAC 2026 final score: the sum of its judge scores (0-5) times 20."""
    return _JUDGE_TO_PERCENT * sum(level_scores)


def mac2026_from_terms(terms: Sequence[float]) -> float:
    """The MAC 2026 final score from its eight terms: each closed accuracy (%) and each ``mac2026_open_term``.

    Raises ``ValueError`` unless there is one term per MA-Bench task: without all of them there is no score.
    """
    if len(terms) != MAC2026_TASKS:
        raise ValueError(f"the MAC 2026 final score needs all {MAC2026_TASKS} MA-Bench tasks; got {len(terms)}")
    return sum(terms) / _MAC2026_PARTS


def mac2026_final_score(closed: Mapping[str, float], open_: Mapping[str, float]) -> float:
    """MAC 2026 Track 3 score: ``(sum of 6 accuracies + 20 * sum of 6 judge scores) / 12``."""
    closed_values = _select(closed, MABENCH_CLOSED_TASKS, _MAX_ACCURACY)
    open_scores = dict(zip(MABENCH_OPEN_LEVELS, _select(open_, MABENCH_OPEN_LEVELS, _MAX_JUDGE_SCORE)))
    open_terms = [mac2026_open_term(open_scores[f"{task}_{level}"] for level in MABENCH_JUDGE_LEVELS)
                  for task in MABENCH_OPEN_TASKS]
    return mac2026_from_terms([*closed_values, *open_terms])


def random_expected_accuracy(num_options: Sequence[int]) -> float:
    """Expected accuracy (%) of uniform guessing over questions with these option counts: mean of 100/k."""
    if len(num_options) == 0:
        raise ValueError("expected accuracy of no questions is undefined")
    if any(k < 1 for k in num_options):
        raise ValueError(f"every question needs at least one option, got {list(num_options)}")
    return fmean(100.0 / k for k in num_options)
