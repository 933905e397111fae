"""Versioned part-level motion descriptors computed from per-frame COCO-17 keypoints.

Conventions: image coordinates (x right, y down) in pixels, converted to body
heights (BH) by dividing by the clip's body height. Directions ("right", "left",
"up", "down") are in the image frame, i.e. as the viewer sees them. Midline
position is also in the image frame ("left" = left half of the image body).
Phases are the early/middle/late thirds of the clip; adjacent phases share their
boundary frame so that phase displacements sum to the clip displacement.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from finemotion_eval.synth.parts import KP, PARTS, part_positions

SCHEMA_VERSION = 1
PHASES: tuple[str, ...] = ("early", "middle", "late")

# Frames in the centred moving average applied before speeds; suppresses
# per-frame keypoint jitter of estimated poses without blurring 2-4 Hz motions.
SMOOTH_FRAMES = 3
# A part "moves" (onset) once its speed exceeds this, in body heights per second.
ONSET_SPEED_BH_S = 0.1
# Rhythm: a reversal is counted when the part retreats along its main motion axis
# by this fraction of its range (and at least REVERSAL_MIN_BH).
REVERSAL_FRACTION = 0.3
REVERSAL_MIN_BH = 0.004
# Reversal counts: <= 1 is one stroke (out, or out and back), up to 3 is repetitive.
SINGLE_MAX_REVERSALS = 1
REPETITIVE_MAX_REVERSALS = 3
# Midline band: parts within this many BH of the torso midline are "centre".
MIDLINE_BAND_BH = 0.05
# Two parts are in contact when their centres come closer than this.
CONTACT_DISTANCE_BH = 0.1
# A pair approaches/separates when its distance changes by more than this within a phase.
TREND_DELTA_BH = 0.03

THRESHOLDS: dict[str, float] = {
    "smooth_frames": SMOOTH_FRAMES,
    "onset_speed_bh_s": ONSET_SPEED_BH_S,
    "reversal_fraction": REVERSAL_FRACTION,
    "reversal_min_bh": REVERSAL_MIN_BH,
    "midline_band_bh": MIDLINE_BAND_BH,
    "contact_distance_bh": CONTACT_DISTANCE_BH,
    "trend_delta_bh": TREND_DELTA_BH,
}


@dataclass
class PhaseSpan:
    """Frame and time range of one phase (end frame inclusive)."""

    name: str
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float


@dataclass
class PartPhase:
    """What one part does in one phase."""

    phase: str
    dx: float
    dy: float
    right: float
    left: float
    up: float
    down: float
    amplitude: float  # path length travelled within the phase, BH
    amplitude_rank: int  # 1 = largest amplitude among the 14 parts in this phase
    midline: str  # left / centre / right of the torso midline (image frame)
    height: str  # high (above shoulders) / middle / low (below hips)


@dataclass
class PartDescriptor:
    """One part over the whole clip."""

    name: str
    onset_s: float | None
    rhythm: str  # still / single / repetitive / oscillatory
    phases: list[PartPhase]


@dataclass
class PairPhase:
    """Distance relation of two parts in one phase."""

    phase: str
    mean_distance: float  # BH
    trend: str  # approach / separate / steady
    contact: bool  # min distance in the phase < CONTACT_DISTANCE_BH


@dataclass
class PairDescriptor:
    """Proximity of two parts over the clip."""

    a: str
    b: str
    phases: list[PairPhase]


@dataclass
class ClipDescriptor:
    """All part-level motion facts of one clip."""

    fps: float
    n_frames: int
    body_height_px: float
    phases: list[PhaseSpan]
    parts: list[PartDescriptor]
    pairs: list[PairDescriptor]
    leading_part: str | None
    thresholds: dict[str, float] = field(default_factory=lambda: dict(THRESHOLDS))
    schema_version: int = SCHEMA_VERSION

    def part(self, name: str) -> PartDescriptor:
        """The descriptor of part ``name``."""
        return next(p for p in self.parts if p.name == name)

    def pair(self, a: str, b: str) -> PairDescriptor:
        """The descriptor of the unordered pair (a, b)."""
        return next(p for p in self.pairs if {p.a, p.b} == {a, b})

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ClipDescriptor":
        """Inverse of ``to_dict``; refuses other schema versions."""
        if d.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"descriptor schema_version {d.get('schema_version')!r} != {SCHEMA_VERSION}")
        return cls(
            fps=d["fps"],
            n_frames=d["n_frames"],
            body_height_px=d["body_height_px"],
            phases=[PhaseSpan(**p) for p in d["phases"]],
            parts=[PartDescriptor(name=p["name"], onset_s=p["onset_s"], rhythm=p["rhythm"],
                                  phases=[PartPhase(**q) for q in p["phases"]]) for p in d["parts"]],
            pairs=[PairDescriptor(a=p["a"], b=p["b"], phases=[PairPhase(**q) for q in p["phases"]])
                   for p in d["pairs"]],
            leading_part=d["leading_part"],
            thresholds=dict(d["thresholds"]),
            schema_version=d["schema_version"],
        )


def body_height(keypoints: np.ndarray) -> float:
    """Median over frames of the distance from the head (eyes/ears/nose mean) to the ankle midpoint, px."""
    head = keypoints[:, :5].mean(axis=1)
    ankles = keypoints[:, [KP["left_ankle"], KP["right_ankle"]]].mean(axis=1)
    return max(float(np.median(np.linalg.norm(ankles - head, axis=1))), 1e-6)


def phase_bounds(n_frames: int) -> list[tuple[int, int]]:
    """Inclusive (start, end) frames of the three phases; neighbours share a boundary frame."""
    if n_frames < 4:
        raise ValueError("need at least 4 frames for three phases")
    cuts = np.linspace(0, n_frames - 1, len(PHASES) + 1).round().astype(int)
    return [(int(cuts[i]), int(cuts[i + 1])) for i in range(len(PHASES))]


def smooth(x: np.ndarray, frames: int = SMOOTH_FRAMES) -> np.ndarray:
    """Centred moving average along axis 0 with edge padding."""
    if frames <= 1:
        return x
    pad = frames // 2
    padded = np.concatenate([np.repeat(x[:1], pad, 0), x, np.repeat(x[-1:], pad, 0)])
    kernel_sum = np.cumsum(np.concatenate([np.zeros_like(x[:1]), padded]), axis=0)
    return (kernel_sum[frames:] - kernel_sum[:-frames]) / frames


def count_reversals(signal: np.ndarray, threshold: float) -> int:
    """Turning points of a 1-D signal, with hysteresis ``threshold`` so jitter is not counted."""
    reversals, direction = 0, 0
    lo = hi = float(signal[0])
    for v in map(float, signal[1:]):
        lo, hi = min(lo, v), max(hi, v)
        if direction >= 0 and hi - v > threshold:
            reversals += direction != 0
            direction, lo = -1, v
        elif direction <= 0 and v - lo > threshold:
            reversals += direction != 0
            direction, hi = 1, v
    return reversals


def rhythm(track: np.ndarray, moving: bool) -> str:
    """Rhythm class of one (T, 2) track in BH from its reversals along x or y, whichever has more."""
    if not moving:
        return "still"
    n = max(count_reversals(track[:, a], max(REVERSAL_FRACTION * float(np.ptp(track[:, a])), REVERSAL_MIN_BH))
            for a in range(2))
    if n <= SINGLE_MAX_REVERSALS:
        return "single"
    return "repetitive" if n <= REPETITIVE_MAX_REVERSALS else "oscillatory"


def onset_time(speed: np.ndarray, fps: float) -> float | None:
    """Time of the first frame whose speed (BH/s) exceeds ONSET_SPEED_BH_S."""
    hits = np.flatnonzero(speed > ONSET_SPEED_BH_S)
    return None if hits.size == 0 else float(hits[0] / fps)


def midline_label(offset: float) -> str:
    """left / centre / right for a signed x offset from the midline in BH."""
    if offset < -MIDLINE_BAND_BH:
        return "left"
    return "right" if offset > MIDLINE_BAND_BH else "centre"


def height_label(y: float, shoulder_y: float, hip_y: float) -> str:
    """high above the shoulder line, low below the hip line, else middle."""
    if y < shoulder_y:
        return "high"
    return "low" if y > hip_y else "middle"


def trend_label(start: float, end: float) -> str:
    """approach / separate / steady from a phase's start and end distance in BH."""
    if end - start < -TREND_DELTA_BH:
        return "approach"
    return "separate" if end - start > TREND_DELTA_BH else "steady"


def _part_phases(pos: np.ndarray, kp: np.ndarray, bounds: list[tuple[int, int]]) -> list[list[PartPhase]]:
    """Per part, per phase displacement, amplitude, rank and location; ``pos`` and ``kp`` in BH."""
    step = np.linalg.norm(np.diff(pos, axis=0), axis=2)  # (T-1, P)
    mid_x = kp[:, [5, 6, 11, 12], 0].mean(axis=1)
    shoulder_y = kp[:, [5, 6], 1].mean(axis=1)
    hip_y = kp[:, [11, 12], 1].mean(axis=1)
    per_part: list[list[PartPhase]] = [[] for _ in PARTS]
    for name, (a, b) in zip(PHASES, bounds):
        amp = step[a:b].sum(axis=0)
        # Stable sort so ties rank in PARTS order, deterministically.
        order = np.argsort(-amp, kind="stable")
        ranks = np.empty(len(PARTS), dtype=int)
        ranks[order] = np.arange(1, len(PARTS) + 1)
        for i in range(len(PARTS)):
            dx, dy = (pos[b, i] - pos[a, i]).tolist()
            sl = slice(a, b + 1)
            per_part[i].append(PartPhase(
                phase=name, dx=dx, dy=dy,
                right=max(dx, 0.0), left=max(-dx, 0.0), up=max(-dy, 0.0), down=max(dy, 0.0),
                amplitude=float(amp[i]), amplitude_rank=int(ranks[i]),
                midline=midline_label(float((pos[sl, i, 0] - mid_x[sl]).mean())),
                height=height_label(float(pos[sl, i, 1].mean()), float(shoulder_y[sl].mean()),
                                    float(hip_y[sl].mean())),
            ))
    return per_part


def _pairs(pos: np.ndarray, bounds: list[tuple[int, int]]) -> list[PairDescriptor]:
    """Distance relation of every unordered part pair in every phase; ``pos`` in BH."""
    out = []
    for i, j in combinations(range(len(PARTS)), 2):
        dist = np.linalg.norm(pos[:, i] - pos[:, j], axis=1)
        phases = [PairPhase(phase=name, mean_distance=float(dist[a:b + 1].mean()),
                            trend=trend_label(float(dist[a]), float(dist[b])),
                            contact=bool(dist[a:b + 1].min() < CONTACT_DISTANCE_BH))
                  for name, (a, b) in zip(PHASES, bounds)]
        out.append(PairDescriptor(a=PARTS[i], b=PARTS[j], phases=phases))
    return out


def describe_motion(keypoints: np.ndarray, fps: float) -> ClipDescriptor:
    """All descriptor fields of a clip from its (T, 17, 2) pixel keypoints at ``fps``."""
    kp_px = np.asarray(keypoints, dtype=np.float64)
    bh = body_height(kp_px)
    kp = smooth(kp_px / bh)
    pos = part_positions(kp)
    n = kp.shape[0]
    bounds = phase_bounds(n)
    speed = np.vstack([np.zeros((1, len(PARTS))), np.linalg.norm(np.diff(pos, axis=0), axis=2) * fps])
    onsets = [onset_time(speed[:, i], fps) for i in range(len(PARTS))]
    per_phase = _part_phases(pos, kp, bounds)
    parts = [PartDescriptor(name=name, onset_s=onsets[i], rhythm=rhythm(pos[:, i], onsets[i] is not None),
                            phases=per_phase[i]) for i, name in enumerate(PARTS)]
    total_amp = [sum(p.amplitude for p in part.phases) for part in parts]
    moving = [i for i in range(len(PARTS)) if onsets[i] is not None]
    # Earliest onset leads; ties (parts of one limb start together) go to the larger mover.
    lead = min(moving, key=lambda i: (onsets[i], -total_amp[i])) if moving else None
    return ClipDescriptor(
        fps=float(fps), n_frames=n, body_height_px=bh,
        phases=[PhaseSpan(name, a, b, a / fps, b / fps) for name, (a, b) in zip(PHASES, bounds)],
        parts=parts, pairs=_pairs(pos, bounds),
        leading_part=None if lead is None else PARTS[lead],
    )
