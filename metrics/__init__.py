"""Pure metric functions for MA-Bench: answer extraction and score aggregation.

No harness imports: lmms-eval task code calls these, and they are testable on their own.
"""

from finemotion_eval.metrics.accuracy import (
    MABENCH_CLOSED_TASKS,
    MABENCH_OPEN_LEVELS,
    MABENCH_OPEN_TASKS,
    accuracy,
    closed_average,
    mac2026_final_score,
    open_average,
    random_expected_accuracy,
)
from finemotion_eval.metrics.choice import (
    DEFAULT_LETTERS,
    extract_choice,
    extract_yes_no,
    strip_reasoning,
)

__all__ = [
    "DEFAULT_LETTERS",
    "MABENCH_CLOSED_TASKS",
    "MABENCH_OPEN_LEVELS",
    "MABENCH_OPEN_TASKS",
    "accuracy",
    "closed_average",
    "extract_choice",
    "extract_yes_no",
    "mac2026_final_score",
    "open_average",
    "random_expected_accuracy",
    "strip_reasoning",
]
