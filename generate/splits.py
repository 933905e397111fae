"""Cross-subject splits: no subject in both ``train`` and ``test``, classes balanced where the data allow.

Whole subjects go to the test split, one at a time, until it holds ``test_share`` of the clips: each time the
subject whose clips bring the test split's label counts closest to ``test_share`` of every label's total
(ties: a seeded subject order). With one subject there is nothing to split: every clip goes to ``test``.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping

SPLITS = ("train", "test")
DEFAULT_TEST_SHARE = 0.2


def cross_subject_split(
    subjects: Mapping[str, str], labels: Mapping[str, str | None], test_share: float = DEFAULT_TEST_SHARE, seed: int = 0
) -> dict[str, str]:
    """Clip name -> ``train`` or ``test`` for the clips of ``subjects`` (clip -> subject id)."""
    if not 0 < test_share < 1:
        raise ValueError(f"test_share must be between 0 and 1, got {test_share}")
    clips_of: dict[str, list[str]] = {}
    for clip in sorted(subjects):
        clips_of.setdefault(subjects[clip], []).append(clip)
    order = sorted(clips_of)
    random.Random(seed).shuffle(order)
    if len(order) == 1:
        return dict.fromkeys(subjects, "test")
    totals = Counter(labels.get(c) for c in subjects)
    target = test_share * len(subjects)
    test: list[str] = []
    test_counts: Counter = Counter()

    def deviation(counts: Counter) -> float:
        return sum(abs(counts[label] - test_share * n) for label, n in totals.items())

    remaining = list(order)
    while len(remaining) > 1 and sum(len(clips_of[s]) for s in test) < target:
        best = min(remaining, key=lambda s: (deviation(test_counts + Counter(labels.get(c) for c in clips_of[s])),
                                             remaining.index(s)))
        remaining.remove(best)
        test.append(best)
        test_counts += Counter(labels.get(c) for c in clips_of[best])
    chosen = set(test)
    return {clip: "test" if subject in chosen else "train" for clip, subject in subjects.items()}


def class_counts(split_of: Mapping[str, str], labels: Mapping[str, str | None]) -> dict[str, dict[str, int]]:
    """Split -> label -> clips (``unlabelled`` for clips without a label)."""
    out: dict[str, dict[str, int]] = {}
    for split in SPLITS:
        counts = Counter(labels.get(c) or "unlabelled" for c, s in split_of.items() if s == split)
        out[split] = dict(sorted(counts.items()))
    return out
