"""report.stats: clustered bootstrap intervals and the paired test."""

import numpy as np
import pytest

from finemotion_eval.report.stats import bootstrap_mean, paired_difference


def test_interval_of_constant_values_is_the_value():
    interval = bootstrap_mean([100.0] * 10, [str(i // 2) for i in range(10)])
    assert (interval.mean, interval.low, interval.high, interval.n, interval.clusters) == (100.0, 100.0, 100.0, 10, 5)


def test_interval_is_the_percentile_interval_of_cluster_resamples():
    values = [100.0, 0.0, 100.0, 100.0, 0.0, 0.0, 100.0, 0.0]
    clusters = ["a", "a", "b", "b", "c", "c", "d", "d"]
    interval = bootstrap_mean(values, clusters, resamples=500, seed=3)
    # The same computation written out: clusters a..d hold sums 100, 200, 0, 100 over two questions each.
    draws = np.random.default_rng(3).integers(0, 4, size=(500, 4))
    means = np.array([100.0, 200.0, 0.0, 100.0])[draws].sum(axis=1) / (2 * 4)
    assert (interval.low, interval.high) == tuple(np.percentile(means, [2.5, 97.5]))
    assert bootstrap_mean(values, clusters, resamples=500, seed=3) == interval  # same inputs, same interval


def test_questions_of_one_clip_move_together_so_the_interval_widens():
    values = [100.0, 100.0, 0.0, 0.0] * 10
    alone = bootstrap_mean(values)
    together = bootstrap_mean(values, [str(i // 2) for i in range(len(values))])
    assert together.high - together.low > alone.high - alone.low
    assert bootstrap_mean([]).n == 0


def test_paired_difference():
    a = [0.0, 100.0, 0.0, 100.0, 0.0, 100.0]
    same = paired_difference(a, a)
    assert (same.difference, same.low, same.high, same.p_value) == (0.0, 0.0, 0.0, 1.0)
    better = paired_difference(a, [100.0] * 6)
    assert better.difference == 50.0 and better.n == 6
    with pytest.raises(ValueError, match="same questions"):
        paired_difference(a, a[:3])


def test_the_shipped_published_numbers_are_the_papers():
    import csv

    from conftest import SHARED, require

    from finemotion_eval.report.published import published_data

    reference = require(SHARED / "reference")

    def number(text):
        return None if text.strip() in ("", "-") else float(text)

    with open(reference / "mabench" / "paper_main_results.csv", newline="") as handle:
        paper = list(csv.DictReader(handle))
    shipped = published_data("mabench")["rows"]
    assert [r["model"] for r in shipped] == [r["model"] for r in paper]
    for ours, theirs in zip(shipped, paper):
        assert ours["values"] == {column: number(theirs[column]) for column in ours["values"]}
    for key, name in (("per_task", "results_v1_march2025.tsv"), ("per_perspective", "results_v2_may2025.tsv")):
        with open(reference / "favor" / name, newline="") as handle:
            board = list(csv.DictReader(handle, delimiter="\t"))
        table = published_data("favor")["tables"][key]
        assert [(r["model"], r["input"]) for r in table["rows"]] == [(r["model"], r["input"]) for r in board]
        for ours, theirs in zip(table["rows"], board):
            assert ours["values"] == {column: number(theirs[column]) for column in table["columns"]}
