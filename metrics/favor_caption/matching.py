"""Action matching with length penalty, window combination, and the order score (SPEC 3.6, 3.7)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

MAX_INDEX_DISTANCE = 15
WINDOW = 3
LENGTH_PENALTY = 0.2
MIN_SEQUENCE_FOR_ORDER = 3
SHORT_SEQUENCE_PENALTY = 0.2
MAX_ORDER_PENALTY = 0.5


@dataclass
class MatchResult:
    """Output of ``match_actions``: F1, quality-weighted precision/recall, mapping pred->gt, accepted scores."""

    f1: float = 0.0
    precision: float = 0.0
    recall: float = 0.0
    mapping: dict[int, int] = field(default_factory=dict)
    scores: list[float] = field(default_factory=list)


def adaptive_threshold(S: np.ndarray, thr0: float) -> float:
    """min(thr0, clamp(mean(S) - 0.5*std(S), 0.25, 0.7)) with population std."""
    return min(thr0, max(0.25, min(0.7, float(np.mean(S)) - 0.5 * float(np.std(S)))))


def match_actions(
    P: list[str],
    G: list[str],
    S: np.ndarray,
    act_sim: Callable[[str, str], float],
    thr0: float = 0.3,
    *,
    length_penalty: float = LENGTH_PENALTY,
) -> MatchResult:
    """Official ``improved_action_matching``: many-to-one argmax, window combination, length factor."""
    n_p, n_g = len(P), len(G)
    if n_p == 0 or n_g == 0:
        return MatchResult()
    thr = adaptive_threshold(S, thr0)
    mapping: dict[int, int] = {}
    scores: list[float] = []
    for i in range(n_p):
        j = int(np.argmax(S[i]))
        s = float(S[i, j])
        if s >= thr and abs(i - j) <= MAX_INDEX_DISTANCE:
            mapping[i] = j
            scores.append(s)
    for w in range(2, min(WINDOW, n_p) + 1):
        for i in range(n_p - w + 1):
            if all(i + k in mapping for k in range(w)):
                continue
            comb = " ".join(P[i : i + w])
            for j in range(n_g):
                cs = act_sim(comb, G[j])
                if cs > thr + 0.1 and abs(i - j) <= MAX_INDEX_DISTANCE:
                    matched = [k for k in range(w) if i + k in mapping]
                    cur = sum(float(S[i + k, mapping[i + k]]) for k in matched) / max(1, len(matched))
                    if cs > cur:
                        for k in range(w):
                            if i + k in mapping:
                                idx = list(mapping).index(i + k)
                                del mapping[i + k]
                                scores.pop(idx)
                        mapping[i] = j
                        scores.append(cs)
    if scores:
        mean_s = float(np.mean(scores))
        keep = [n for n, s in enumerate(scores) if not (s < 0.15 and s < mean_s - 0.2)]
        if len(keep) != len(scores):
            items = list(mapping.items())
            mapping = dict(items[n] for n in keep)
            scores = [scores[n] for n in keep]
    n_match = len(scores)
    lr = min(n_p, n_g) / max(n_p, n_g)
    lf = 1 - (1 - lr) * length_penalty
    prec = n_match / n_p
    rec = len(set(mapping.values())) / n_g
    avg = float(np.mean(scores)) if scores else 0.0
    qp = prec * avg * lf
    qr = rec * avg * lf
    f1 = 2 * qp * qr / (qp + qr) if (qp + qr) > 0 else 0.0
    return MatchResult(f1, qp, qr, mapping, scores)


def order_score(mapping: dict[int, int], n_p: int, n_g: int) -> float:
    """Official ``evaluate_action_order``: 0.75 + tau/4 (Kendall tau over first hits), short-sequence values."""
    if len(mapping) < MIN_SEQUENCE_FOR_ORDER:
        if n_p < MIN_SEQUENCE_FOR_ORDER and n_g < MIN_SEQUENCE_FOR_ORDER:
            return 1.0
        if n_p < MIN_SEQUENCE_FOR_ORDER:
            return 0.8
        return 1 - SHORT_SEQUENCE_PENALTY * 1.5
    first: dict[int, int] = {}
    for p, g in mapping.items():
        if g not in first or p < first[g]:
            first[g] = p
    seq = [g for p, g in sorted((p, g) for g, p in first.items())]
    m = len(seq)
    if m <= 1:
        tau = 1.0
    else:
        conc = disc = 0
        for a in range(m):
            for b in range(a + 1, m):
                if seq[a] < seq[b]:
                    conc += 1
                else:
                    disc += 1
        tau = (conc - disc) / (m * (m - 1) / 2)
    order = (tau + 1) / 2
    return 1 - (1 - order) * MAX_ORDER_PENALTY
