"""The CMAR/FMAR classifier of ``finemotion_motion``: multinomial logistic regression on descriptor features.

Features are side-invariant where MA-52's labels are (a one-handed action is the same label on either
hand): per limb pair both the left and right value and their max and min. Weights are fitted with L-BFGS
(deterministic) and stored as JSON, never pickled: ``classifier.json`` next to this file, rebuilt by
``python -m finemotion_eval.motion_baseline.train``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from finemotion_eval.mabench_tasks.taxonomy import COARSE_LABELS, FINE_TO_COARSE
from finemotion_eval.synth.descriptors import PHASES, ClipDescriptor

WEIGHTS_FILE = Path(__file__).with_name("classifier.json")
# Path lengths span two orders of magnitude between a still foot and a waving hand: compared in logs.
AMPLITUDE_FLOOR_BH = 0.005
L2 = 1e-2
RHYTHMS = ("still", "single", "repetitive", "oscillatory")
LIMBS = ("Hand", "Foot", "Upper Arm", "Lower Arm", "Upper Leg", "Lower Leg")
CENTRAL = ("Head", "Torso")
# Part pairs whose distance separates the coarse groups (Head-hand, Body-hand, Leg-hand): per side.
CONTACT_PAIRS = (("Hand", "Head"), ("Hand", "Torso"), ("Hand", "Upper Leg"), ("Hand", "Lower Leg"), ("Hand", "Foot"))


def _part_features(d: ClipDescriptor, name: str) -> dict[str, float]:
    part = d.part(name)
    out = {}
    for q in part.phases:
        out[f"log_amp_{q.phase}"] = float(np.log(q.amplitude + AMPLITUDE_FLOOR_BH))
    for axis in ("right", "left", "up", "down"):
        out[f"log_{axis}"] = float(np.log(sum(getattr(q, axis) for q in part.phases) + AMPLITUDE_FLOOR_BH))
    total = sum(q.amplitude for q in part.phases)
    out["log_amp"] = float(np.log(total + AMPLITUDE_FLOOR_BH))
    net = np.hypot(sum(q.dx for q in part.phases), sum(q.dy for q in part.phases))
    out["straightness"] = float(net / (total + AMPLITUDE_FLOOR_BH))  # one stroke ~1, back and forth ~0
    for r in RHYTHMS:
        out[f"rhythm_{r}"] = float(part.rhythm == r)
    out["high"] = float(np.mean([q.height == "high" for q in part.phases]))
    out["low"] = float(np.mean([q.height == "low" for q in part.phases]))
    out["rank1"] = float(np.mean([q.amplitude_rank == 1 for q in part.phases]))
    return out


def _pair_features(d: ClipDescriptor, a: str, b: str) -> dict[str, float]:
    phases = d.pair(a, b).phases
    return {"min_distance": min(q.mean_distance for q in phases), "contact": float(any(q.contact for q in phases)),
            "approach": float(any(q.trend == "approach" for q in phases)),
            "separate": float(any(q.trend == "separate" for q in phases))}


def _sided(features: Mapping[str, Mapping[str, float]], prefix: str) -> dict[str, float]:
    """Left value, right value, and their max and min (side-invariant) for one limb's features."""
    left, right = features["Left"], features["Right"]
    out = {}
    for key in left:
        out[f"{prefix}.{key}.left"] = left[key]
        out[f"{prefix}.{key}.right"] = right[key]
        out[f"{prefix}.{key}.max"] = max(left[key], right[key])
        out[f"{prefix}.{key}.min"] = min(left[key], right[key])
    return out


def features(d: ClipDescriptor) -> dict[str, float]:
    """Named features of one clip's descriptor (the order is the dict's, fixed by the code)."""
    out: dict[str, float] = {}
    for name in CENTRAL:
        out.update({f"{name}.{k}": v for k, v in _part_features(d, name).items()})
    for limb in LIMBS:
        out.update(_sided({side: _part_features(d, f"{side} {limb}") for side in ("Left", "Right")}, limb))
    for a, b in CONTACT_PAIRS:
        sided = {side: _pair_features(d, f"{side} {a}", b if b in CENTRAL else f"{side} {b}") for side in ("Left", "Right")}
        out.update(_sided(sided, f"{a}-{b}"))
    out.update({f"Hands.{k}": v for k, v in _pair_features(d, "Left Hand", "Right Hand").items()})
    out.update({f"Feet.{k}": v for k, v in _pair_features(d, "Left Foot", "Right Foot").items()})
    lead = d.leading_part or ""
    for group in ("Head", "Torso", "Hand", "Arm", "Leg", "Foot"):
        out[f"lead.{group}"] = float(group in lead)
    out["phases"] = float(len(PHASES))  # constant: the bias term's partner in the standardised space
    return out


@dataclass
class MotionClassifier:
    """Softmax regression over fine labels on standardised features."""

    labels: list[str]
    feature_names: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[list[float]]  # (labels, features)
    bias: list[float]
    trained_on: dict

    def _matrix(self, descriptors: Sequence[ClipDescriptor]) -> np.ndarray:
        rows = [features(d) for d in descriptors]
        x = np.array([[r[name] for name in self.feature_names] for r in rows])
        return (x - np.array(self.mean)) / np.array(self.scale)

    def fine_probabilities(self, d: ClipDescriptor) -> dict[str, float]:
        """Probability of each fine label (the labels seen in training)."""
        logits = self._matrix([d])[0] @ np.array(self.weights).T + np.array(self.bias)
        p = np.exp(logits - logits.max())
        return dict(zip(self.labels, (p / p.sum()).tolist()))

    def coarse_probabilities(self, d: ClipDescriptor) -> dict[str, float]:
        """Probability of each coarse group: the sum over its fine labels."""
        out = dict.fromkeys(COARSE_LABELS, 0.0)
        for fine, p in self.fine_probabilities(d).items():
            out[FINE_TO_COARSE[fine]] += p
        return out

    def save(self, path: str | Path = WEIGHTS_FILE) -> Path:
        path = Path(path)
        path.write_text(json.dumps(asdict(self), indent=0, sort_keys=True) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path = WEIGHTS_FILE) -> "MotionClassifier":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(**data)


def fit(descriptors: Sequence[ClipDescriptor], fine_labels: Sequence[str], trained_on: Mapping | None = None,
        l2: float = L2) -> MotionClassifier:
    """Fit the classifier; the same inputs give the same weights (L-BFGS from zeros, no randomness)."""
    from scipy.optimize import minimize

    names = list(features(descriptors[0]))
    x = np.array([[features(d)[n] for n in names] for d in descriptors])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    labels = sorted(set(fine_labels))
    y = np.array([labels.index(f) for f in fine_labels])
    onehot = np.eye(len(labels))[y]
    k, n = len(labels), z.shape[1]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[: k * n].reshape(k, n), theta[k * n:]
        logits = z @ w.T + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        nll = -np.log(p[np.arange(len(y)), y] + 1e-12).mean() + 0.5 * l2 * (w ** 2).sum()
        g = (p - onehot) / len(y)
        return float(nll), np.concatenate([(g.T @ z + l2 * w).ravel(), g.sum(axis=0)])

    result = minimize(loss, np.zeros(k * n + k), jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    w, b = result.x[: k * n].reshape(k, n), result.x[k * n:]
    return MotionClassifier(labels=labels, feature_names=names, mean=mean.tolist(), scale=scale.tolist(),
                            weights=np.round(w, 6).tolist(), bias=np.round(b, 6).tolist(),
                            trained_on=dict(trained_on or {}))
