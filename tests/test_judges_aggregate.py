"""Judge score aggregation: failures are excluded, never counted as 0."""

from __future__ import annotations

import pytest

from finemotion_eval.judges import JudgeResult, task_scores
from finemotion_eval.metrics.accuracy import MABENCH_CLOSED_TASKS, MABENCH_OPEN_LEVELS, mac2026_final_score, open_average


def _result(item_id: str, scores: dict[str, int] | None) -> JudgeResult:
    error = None if scores is not None else "unreadable judge reply"
    return JudgeResult(item_id, scores, error, None, "judge", "v1")


def test_failures_are_excluded_from_means():
    results = [
        _result("a", {"L1": 5, "L2": 4, "L3": 3}),
        _result("b", None),
        _result("c", {"L1": 3, "L2": 2, "L3": 1}),
    ]
    scores = task_scores(results, ("L1", "L2", "L3"))
    assert scores.means == {"L1": 4.0, "L2": 3.0, "L3": 2.0}
    assert (scores.scored, scores.failed) == (2, 1)


def test_no_scored_item_is_an_error_not_zero_and_it_says_why():
    with pytest.raises(ValueError, match="no item of 1 was scored by the judge, so the task has no score. Failures: "
                                         "a: unreadable judge reply$"):
        task_scores([_result("a", None)], ("L1",))
    with pytest.raises(ValueError, match=r"Failures: i0: unreadable judge reply; i1: .*; i2: .* \(and 2 more\)$"):
        task_scores([_result(f"i{n}", None) for n in range(5)], ("L1",))


def test_mabench_open_and_final_scores_from_task_scores():
    madu = task_scores([_result("a", {"L1": 5, "L2": 4, "L3": 3})], ("L1", "L2", "L3"))
    mare = task_scores([_result("a", {"L1": 2, "L2": 1, "L3": 0})], ("L1", "L2", "L3"))
    levels = {f"{task}_{key}": mean for task, scores in (("MADU", madu), ("MARE", mare)) for key, mean in scores.means.items()}
    assert list(levels) == list(MABENCH_OPEN_LEVELS)
    assert open_average(levels) == pytest.approx(2.5)
    closed = {task: 50.0 for task in MABENCH_CLOSED_TASKS}
    assert mac2026_final_score(closed, levels) == pytest.approx((6 * 50 + 20 * 15) / 12)
