"""Uncertainty of a score: bootstrap confidence intervals, clustered by clip, and a paired test of two runs.

Pure functions over per-question values (0/100 for accuracy, 0-5 or 0-10 for judge levels). Questions that
share a clip are not independent (MA-Bench asks two Yes/No questions per task and clip), so resampling draws
whole clips: each clip's values are kept together. Seeded, so the same inputs always give the same interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 2000
PERMUTATIONS = 10000
LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """A mean with its percentile-bootstrap interval over ``n`` values in ``clusters`` clusters."""

    mean: float
    low: float
    high: float
    n: int
    clusters: int


def _cluster_sums(values: Sequence[float], clusters: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(sum of values, number of values) per cluster, clusters in first-seen order."""
    index: dict[str, int] = {}
    ids = np.array([index.setdefault(c, len(index)) for c in clusters])
    data = np.asarray(values, dtype=float)
    return np.bincount(ids, weights=data, minlength=len(index)), np.bincount(ids, minlength=len(index)).astype(float)


def bootstrap_mean(values: Sequence[float], clusters: Sequence[str] | None = None, *, resamples: int = RESAMPLES,
                   level: float = LEVEL, seed: int = 0) -> Interval:
    """The mean of ``values`` with a ``level`` interval, resampling whole ``clusters`` (default: each value alone)."""
    if not values:
        return Interval(float("nan"), float("nan"), float("nan"), 0, 0)
    clusters = clusters if clusters is not None else [str(i) for i in range(len(values))]
    sums, counts = _cluster_sums(values, clusters)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(sums), size=(resamples, len(sums)))
    means = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return Interval(float(np.mean(values)), float(low), float(high), len(values), len(sums))


@dataclass(frozen=True)
class PairedDifference:
    """Run B minus run A on the same questions: the difference, its interval, and a two-sided p-value."""

    difference: float
    low: float
    high: float
    p_value: float
    n: int


def paired_difference(a: Sequence[float], b: Sequence[float], clusters: Sequence[str] | None = None, *,
                      resamples: int = RESAMPLES, permutations: int = PERMUTATIONS, level: float = LEVEL,
                      seed: int = 0) -> PairedDifference:
    """Compare two runs' values on the same questions (``a[i]`` and ``b[i]`` are one question).

    The interval is a clustered bootstrap of mean(b - a); the p-value a sign-flip permutation test: under the
    null the two runs are exchangeable, so each clip's summed difference is as likely negated.
    """
    if len(a) != len(b):
        raise ValueError(f"paired runs need the same questions: {len(a)} values against {len(b)}")
    diff = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    interval = bootstrap_mean(diff.tolist(), clusters, resamples=resamples, level=level, seed=seed)
    clusters = clusters if clusters is not None else [str(i) for i in range(len(diff))]
    sums, _ = _cluster_sums(diff.tolist(), clusters)
    observed = abs(sums.sum())
    signs = np.random.default_rng(seed + 1).choice((-1.0, 1.0), size=(permutations, len(sums)))
    extreme = int((np.abs(signs @ sums) >= observed - 1e-9).sum())
    return PairedDifference(float(diff.mean()) if len(diff) else float("nan"), interval.low, interval.high,
                            (extreme + 1) / (permutations + 1), len(diff))
