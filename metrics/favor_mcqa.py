"""FAVOR-Bench close-ended scoring: the official substring judge and its aggregations (SPEC.md 2.3-2.4)."""

from __future__ import annotations

import math
from typing import Mapping, Sequence

FAVOR_TASKS = ("AS", "HAC", "SAD", "MAD", "CM", "NSM")
# Official denominators (analyze_qa.py): a question that was not answered still counts, as wrong.
OFFICIAL_DENOMINATORS = {"AS": 2637, "HAC": 1541, "SAD": 1662, "MAD": 1205, "CM": 1075, "NSM": 64, "ALL": 8184}


def favor_judge(output: str, correct_answer: str, options: Sequence[str]) -> bool:
    """The official judge: the correct option's text occurs in the output (case-insensitively), and no
    other option that contains the correct text (case-sensitively, as officially) occurs too.

    Known quirk, kept: an output that repeats every option is correct unless this guard catches it.
    """
    text = output.lower()
    if correct_answer.lower() not in text:
        return False
    containing = [o for o in options if o != correct_answer and correct_answer in o]
    return not any(o.lower() in text for o in containing)


def official_accuracy(correct_counts: Mapping[str, int]) -> dict[str, float]:
    """Per-task and ALL accuracy over the fixed official denominators, x100, rounded to 2 decimals.

    ``correct_counts`` maps task -> number judged correct; absent tasks count as 0 correct.
    """
    unknown = set(correct_counts) - set(FAVOR_TASKS)
    if unknown:
        raise KeyError(f"unknown FAVOR task(s): {', '.join(sorted(unknown))}")
    counts = {task: correct_counts.get(task, 0) for task in FAVOR_TASKS}
    counts["ALL"] = sum(counts.values())
    return {task: official_task_accuracy(task, n) for task, n in counts.items()}


def official_task_accuracy(task: str, correct: int) -> float:
    """One task's (or ALL's) accuracy over its official denominator, x100, rounded to 2 decimals."""
    return round(correct / OFFICIAL_DENOMINATORS[task] * 100, 2)


def official_task_stderr(task: str, correct: int) -> float:
    """Standard error (x100) of :func:`official_task_accuracy`: that of a mean of per-question 0/100 scores over
    the official denominator, unanswered questions scoring 0, computed as lmms-eval's ``mean_stderr`` does
    (sample standard deviation over the square root of the count)."""
    total = OFFICIAL_DENOMINATORS[task]
    share = correct / total
    return 100 * math.sqrt(share * (1 - share) / (total - 1))
