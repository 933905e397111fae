"""MA-52 micro-actions as seated-body kinematics and the forward model to COCO-17 keypoints.

Body units: origin at the pelvis centre, x right and y down in the image frame; the
subject faces the camera, so the subject's left side is at +x.

Each rendered label is registered once, by ``@action(label)`` on its function or by ``touch(label, Touch(...))``;
the labels themselves are MA-Bench's taxonomy (``mabench_tasks.taxonomy``).

Rendered and not rendered (MA-52 fine labels):

==============================  =========================================================
label(s)                        how it is rendered / why not
==============================  =========================================================
Body: shaking body, sitting     trunk sway, slouch -> upright, shoulder lift, hips rise
straightly, shrugging, rising
up
Body: turning around            NOT rendered: needs the back view and self-occlusion,
                                which a frontal 2D stick-and-blob model cannot show
Head: all six                   head pitch (bowing, head up, nodding), roll (tilting),
                                yaw (turning, shaking)
Upper limb: all thirteen        wrist trajectories + 2-link IK; finger labels (clenching
                                fist, other finger movements, hands touching fingers)
                                also change the drawn hand openness, which COCO-17 cannot
                                see, so their keypoints differ only in wrist placement
Lower limb: all eight           knee/ankle trajectories; curling legs, retracting feet
                                and tiptoe differ by amount and by knee involvement
Body-hand: all six              hand to neck/chest/shoulder/back (back: drawn behind the
                                torso), arms akimbo, crossing arms
Head-hand: all ten              hand to a head landmark; the labels differ by target
                                point and rub pattern (hindbrain: drawn behind the head)
Leg-hand: all four              hand pats/touches/scratches thigh, knee or foot (the
                                last one with a forward bow)
==============================  =========================================================
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

# The MA-52 taxonomy is MA-Bench data; it is re-exported for callers that read it next to RENDERED_LABELS.
from finemotion_eval.mabench_tasks.taxonomy import FINE_TO_COARSE
from finemotion_eval.synth.subject import Subject

NOT_RENDERED: dict[str, str] = {
    "turning around": "needs a back view and self-occlusion that a frontal 2D model cannot show",
}

SIDES = ("left", "right")
# Probability that a one-handed or one-legged action uses the right side (most people are right-handed).
RIGHT_SIDE_PROB = 0.7


@dataclass
class Controls:
    """Per-frame pose controls; arrays indexed [side] with 0 = subject's left, 1 = right."""

    t: np.ndarray
    lean_x: np.ndarray
    trunk_dy: np.ndarray  # shoulders drop when the trunk bends towards the camera
    shrug: np.ndarray
    rise: np.ndarray
    pitch: np.ndarray  # + = face down
    yaw: np.ndarray  # + = face turns to image right, radians
    roll: np.ndarray  # radians
    wrist: np.ndarray  # (2, T, 2)
    knee: np.ndarray  # (2, T, 2)
    ankle: np.ndarray  # (2, T, 2)
    grip: np.ndarray  # (2, T) finger openness, 1 = open hand, 0 = fist
    behind: np.ndarray  # (2, T) bool: hand hidden behind torso/head
    holding: bool = False
    glasses: bool = False
    side: str | None = field(default=None)


def side_sign(side: str) -> float:
    """+1 for the subject's left (image right), -1 for the right."""
    return 1.0 if side == "left" else -1.0


def rest_controls(s: Subject, t: np.ndarray) -> Controls:
    """Seated rest pose: hands on thighs, feet on the floor."""
    n = t.size
    signs = np.array([1.0, -1.0])[:, None]

    def at(x: float, y: float) -> np.ndarray:
        pts = np.zeros((2, n, 2))
        pts[..., 0], pts[..., 1] = signs * x, y
        return pts

    z = np.zeros(n)
    return Controls(
        t=t, lean_x=z.copy(), trunk_dy=z.copy(), shrug=z.copy(), rise=z.copy(),
        pitch=z.copy(), yaw=z.copy(), roll=z.copy(),
        wrist=at(s.hip_half + 0.015, 0.025),
        knee=at(s.hip_half + 0.015, s.thigh),
        ankle=at(s.hip_half + 0.005, s.thigh + s.shin),
        grip=np.full((2, n), 0.8), behind=np.zeros((2, n), dtype=bool), glasses=s.glasses,
    )


def head_centre(s: Subject) -> np.ndarray:
    """Rest head centre in body units."""
    return np.array([0.0, -s.torso - s.neck - s.head_radius])


def landmark(s: Subject, name: str, sign: float) -> np.ndarray:
    """Rest position of a touch target for the hand on side ``sign``."""
    c, r = head_centre(s), s.head_radius
    offsets = {
        "nose": (0.0, 0.15 * r), "eye": (sign * 0.35 * r, -0.12 * r), "mouth": (0.0, 0.5 * r),
        "forehead": (0.0, -0.55 * r), "face": (sign * 0.6 * r, 0.3 * r), "ear": (sign * 0.95 * r, 0.0),
        "hair": (sign * 0.55 * r, -0.95 * r), "hindbrain": (sign * 0.8 * r, -0.6 * r),
        "glasses": (0.0, -0.15 * r),
    }
    if name in offsets:
        return c + np.array(offsets[name])
    body = {
        "neck": (sign * 0.02, -s.torso - 0.3 * s.neck), "chest": (sign * 0.05, -0.65 * s.torso),
        "shoulder": (-sign * s.shoulder_half * 0.9, -s.torso + 0.01), "back": (sign * (s.hip_half + 0.03), -0.3 * s.torso),
        "forearm": (-sign * (s.hip_half + 0.05), -0.03), "thigh": (sign * s.hip_half * 0.8, 0.04),
        "knee": (sign * (s.hip_half + 0.015), s.thigh), "shin": (sign * (s.hip_half + 0.01), s.thigh + 0.4 * s.shin),
        "foot": (sign * (s.hip_half + 0.005), s.thigh + s.shin),
    }
    return np.array(body[name])


def smoothstep(t: np.ndarray, t0: float, t1: float) -> np.ndarray:
    """0 before t0, 1 after t1, C1-smooth in between."""
    u = np.clip((t - t0) / max(t1 - t0, 1e-6), 0.0, 1.0)
    return u * u * (3 - 2 * u)


def pulse(t: np.ndarray, t0: float, t1: float, ramp: float) -> np.ndarray:
    """Smooth 0 -> 1 over [t0, t0+ramp], 1, then 1 -> 0 over [t1-ramp, t1]."""
    return smoothstep(t, t0, t0 + ramp) * (1 - smoothstep(t, t1 - ramp, t1))


@dataclass(frozen=True)
class Window:
    """Active interval of the action within the clip, seconds."""

    t0: float
    t1: float

    @property
    def length(self) -> float:
        return self.t1 - self.t0


def draw_window(rng: np.random.Generator, duration: float) -> Window:
    """Action start in the first third, end in the last fifth, so all phases are covered."""
    return Window(duration * rng.uniform(0.08, 0.25), duration * rng.uniform(0.8, 0.95))


def cycles(t: np.ndarray, w: Window, n: float) -> np.ndarray:
    """Phase in [0, n] cycles across the window (clamped outside)."""
    return np.clip((t - w.t0) / w.length, 0.0, 1.0) * n


def pick_side(rng: np.random.Generator, side: str | None) -> str:
    """The requested side, or one drawn with a right-side bias."""
    if side is not None:
        if side not in SIDES:
            raise ValueError(f"side must be one of {SIDES}, got {side!r}")
        return side
    return "right" if rng.random() < RIGHT_SIDE_PROB else "left"


ActionFn = Callable[[Controls, Subject, Window, np.random.Generator, str], None]


@dataclass(frozen=True)
class Action:
    """How one MA-52 fine label is rendered."""

    move: ActionFn
    bilateral: bool  # independent of the side: both limbs, the trunk or the head pitch
    needs_glasses: bool


ACTIONS: dict[str, Action] = {}


def action(label: str, *, bilateral: bool = False, needs_glasses: bool = False) -> Callable[[ActionFn], ActionFn]:
    """Decorator: render MA-52 fine label ``label`` with the decorated function."""
    if label not in FINE_TO_COARSE:
        raise ValueError(f"{label!r} is not an MA-52 fine label")
    if label in ACTIONS:
        raise ValueError(f"{label!r} is registered twice")

    def register(move: ActionFn) -> ActionFn:
        ACTIONS[label] = Action(move, bilateral, needs_glasses)
        return move
    return register


def reach(c: Controls, k: int, target: np.ndarray, w: Window, ramp: float, wrist_offset: tuple[float, float]) -> np.ndarray:
    """Move wrist ``k`` to the point that puts the palm on ``target``; returns the hold envelope."""
    env = pulse(c.t, w.t0, w.t1, ramp)
    goal = target + np.array(wrist_offset)
    c.wrist[k] += (goal - c.wrist[k]) * env[:, None]
    return smoothstep(c.t, w.t0 + ramp, w.t0 + ramp * 1.3) * (1 - smoothstep(c.t, w.t1 - ramp * 1.3, w.t1 - ramp))


@dataclass(frozen=True)
class Touch:
    """A one-hand touch: target landmark, rub amplitude (x, y) and frequency, drawn behind?"""

    target: str
    rub: tuple[float, float] = (0.0, 0.0)
    freq: float = 0.0
    behind: bool = False
    wrist_offset: tuple[float, float] = (0.0, 0.045)  # palm above the wrist: hand comes from below


def touch(label: str, spec: Touch, *, needs_glasses: bool = False) -> None:
    """Render ``label`` as a one-hand touch: reach the ``spec`` landmark, rub or scratch it, return."""
    @action(label, needs_glasses=needs_glasses)
    def act(c: Controls, s: Subject, w: Window, rng: np.random.Generator, side: str) -> None:
        k = SIDES.index(side)
        sign = side_sign(side)
        ramp = min(rng.uniform(0.35, 0.6), w.length / 3)
        hold = reach(c, k, landmark(s, spec.target, sign), w, ramp, spec.wrist_offset)
        amp = np.array(spec.rub) * rng.uniform(0.7, 1.3)
        freq = spec.freq * rng.uniform(0.8, 1.2)
        c.wrist[k] += amp * (np.sin(2 * np.pi * freq * c.t) * hold)[:, None]
        c.grip[k] = 0.8 - 0.4 * hold  # fingers curl slightly while touching
        if spec.behind:
            c.behind[k] = hold > 0.5


touch("scratching arms", Touch("forearm", (0.015, 0.0), 5.0, wrist_offset=(0.0, 0.02)))
touch("pointing oneself", Touch("chest", wrist_offset=(0.0, 0.04)))
touch("scratching or touching neck", Touch("neck", (0.012, 0.0), 4.0))
touch("scratching or touching chest", Touch("chest", (0.0, 0.012), 4.0))
touch("scratching or touching back", Touch("back", (0.0, 0.02), 3.0, behind=True))
touch("scratching or touching shoulder", Touch("shoulder", (0.0, 0.01), 4.0))
touch("playing or tidying hair", Touch("hair", (0.025, 0.01), 1.5))
touch("scratching or touching hindbrain", Touch("hindbrain", (0.0, 0.012), 4.0, behind=True))
touch("scratching or touching forehead", Touch("forehead", (0.012, 0.0), 4.0))
touch("scratching or touching face", Touch("face", (0.0, 0.01), 4.5))
touch("rubbing eyes", Touch("eye", (0.008, 0.004), 3.0))
touch("touching nose", Touch("nose"))
touch("touching ears", Touch("ear"))
touch("covering mouth", Touch("mouth"))
touch("pushing glasses", Touch("glasses", (0.0, 0.006), 1.0), needs_glasses=True)
touch("touching legs", Touch("knee", wrist_offset=(0.0, -0.03)))
touch("scratching legs", Touch("thigh", (0.0, 0.015), 5.0, wrist_offset=(0.0, -0.02)))


def _both(c: Controls, s: Subject, w: Window, rng: np.random.Generator, goal: tuple[float, float], ramp: float) -> np.ndarray:
    """Both wrists to mirror-image points (x = subject's left); returns the hold envelope."""
    hold = np.zeros_like(c.t)
    for k, sign in enumerate((1.0, -1.0)):
        hold = reach(c, k, np.array([sign * goal[0], goal[1]]), w, ramp, (0.0, 0.0))
    return hold


def _ramp_len(rng: np.random.Generator, w: Window) -> float:
    return min(rng.uniform(0.35, 0.6), w.length / 3)


# --- Body -------------------------------------------------------------------------

@action("shaking body", bilateral=True)
def shaking_body(c, s, w, rng, side):
    env = pulse(c.t, w.t0, w.t1, 0.3)
    c.lean_x += rng.uniform(0.02, 0.03) * np.sin(2 * np.pi * cycles(c.t, w, rng.uniform(3, 5))) * env


@action("sitting straightly", bilateral=True)
def sitting_straightly(c, s, w, rng, side):
    slouch = 1 - smoothstep(c.t, w.t0, w.t0 + rng.uniform(0.6, 1.0))
    c.trunk_dy += rng.uniform(0.03, 0.045) * slouch
    c.pitch += rng.uniform(0.3, 0.6) * slouch
    c.lean_x += rng.uniform(-0.01, 0.01) * slouch


@action("shrugging", bilateral=True)
def shrugging(c, s, w, rng, side):
    n = int(rng.integers(1, 3))
    c.shrug += rng.uniform(0.03, 0.045) * np.sin(np.pi * cycles(c.t, w, n)) ** 2


@action("rising up", bilateral=True)
def rising_up(c, s, w, rng, side):
    up = smoothstep(c.t, w.t0 + 0.2, w.t1)
    c.rise += rng.uniform(0.06, 0.09) * up
    c.trunk_dy += rng.uniform(0.03, 0.05) * pulse(c.t, w.t0, w.t1, 0.4)


# --- Head -------------------------------------------------------------------------

@action("bowing head", bilateral=True)
def bowing_head(c, s, w, rng, side):
    c.pitch += rng.uniform(0.8, 1.1) * smoothstep(c.t, w.t0, w.t0 + rng.uniform(0.4, 0.8))


@action("head up", bilateral=True)
def head_up(c, s, w, rng, side):
    c.pitch -= rng.uniform(0.8, 1.1) * smoothstep(c.t, w.t0, w.t0 + rng.uniform(0.4, 0.8))


@action("tilting head")
def tilting_head(c, s, w, rng, side):
    c.roll += side_sign(side) * rng.uniform(0.25, 0.4) * pulse(c.t, w.t0, w.t1, rng.uniform(0.3, 0.6))


@action("turning head")
def turning_head(c, s, w, rng, side):
    c.yaw += side_sign(side) * rng.uniform(0.6, 0.9) * pulse(c.t, w.t0, w.t1, rng.uniform(0.3, 0.6))


@action("nodding", bilateral=True)
def nodding(c, s, w, rng, side):
    # Each nod goes down then back up: 1 - cos starts and ends at zero.
    c.pitch += rng.uniform(0.8, 1.1) * 0.5 * (1 - np.cos(2 * np.pi * cycles(c.t, w, int(rng.integers(2, 4)))))


@action("shaking head", bilateral=True)
def shaking_head(c, s, w, rng, side):
    env = pulse(c.t, w.t0, w.t1, 0.2)
    c.yaw += rng.uniform(0.4, 0.6) * np.sin(2 * np.pi * cycles(c.t, w, int(rng.integers(2, 4)))) * env


# --- Upper limb -------------------------------------------------------------------

@action("playing objects", bilateral=True)
def playing_objects(c, s, w, rng, side):
    hold = _both(c, s, w, rng, (0.035, -0.02), _ramp_len(rng, w))
    c.holding = True
    for k in range(2):
        wobble = sum(rng.uniform(0.004, 0.01) * np.sin(2 * np.pi * rng.uniform(0.8, 2.5) * c.t + rng.uniform(0, 6))
                     for _ in range(2))
        c.wrist[k, :, 0] += wobble * hold
        c.wrist[k, :, 1] += np.roll(wobble, 7) * hold
    c.grip[:] = 0.4


@action("putting hands together", bilateral=True)
def putting_hands_together(c, s, w, rng, side):
    _both(c, s, w, rng, (0.012, -0.13), _ramp_len(rng, w))


@action("rubbing hands", bilateral=True)
def rubbing_hands(c, s, w, rng, side):
    hold = _both(c, s, w, rng, (0.012, -0.06), _ramp_len(rng, w))
    rub = rng.uniform(0.012, 0.02) * np.sin(2 * np.pi * rng.uniform(2.5, 3.5) * c.t) * hold
    c.wrist[0, :, 1] += rub
    c.wrist[1, :, 1] -= rub


@action("clenching fist")
def clenching_fist(c, s, w, rng, side):
    ks = [0, 1] if rng.random() < 0.4 else [SIDES.index(side)]
    for k in ks:
        env = pulse(c.t, w.t0, w.t1, _ramp_len(rng, w))
        c.wrist[k, :, 1] -= 0.03 * env
        c.grip[k] = 1.0 - env


@action("stretching arms", bilateral=True)
def stretching_arms(c, s, w, rng, side):
    _both(c, s, w, rng, (s.shoulder_half + rng.uniform(0.2, 0.26), -s.torso - rng.uniform(0.05, 0.2)), _ramp_len(rng, w))
    c.grip[:] = 1.0


@action("retracting arms", bilateral=True)
def retracting_arms(c, s, w, rng, side):
    out = 1 - smoothstep(c.t, w.t0, w.t0 + rng.uniform(0.5, 0.9))
    for k, sign in enumerate((1.0, -1.0)):
        goal = np.array([sign * (s.shoulder_half + rng.uniform(0.15, 0.22)), -s.torso * 0.5])
        c.wrist[k] += (goal - c.wrist[k]) * out[:, None]


@action("waving")
def waving(c, s, w, rng, side):
    k, sign = SIDES.index(side), side_sign(side)
    ramp = _ramp_len(rng, w)
    hold = reach(c, k, np.array([sign * (s.shoulder_half + 0.06), -s.torso - s.neck - s.head_radius]), w, ramp, (0, 0))
    c.wrist[k, :, 0] += rng.uniform(0.03, 0.045) * np.sin(2 * np.pi * rng.uniform(2.0, 3.0) * c.t) * hold
    c.grip[k] = 1.0


@action("spreading hands", bilateral=True)
def spreading_hands(c, s, w, rng, side):
    start = 1 - smoothstep(c.t, w.t0, w.t0 + 0.2)
    _both(c, s, w, rng, (s.shoulder_half + rng.uniform(0.1, 0.16), -0.08), _ramp_len(rng, w))
    for k, sign in enumerate((1.0, -1.0)):
        c.wrist[k] += (np.array([sign * 0.03, -0.06]) - c.wrist[k]) * start[:, None]
    c.grip[:] = 1.0


@action("hands touching fingers", bilateral=True)
def hands_touching_fingers(c, s, w, rng, side):
    hold = _both(c, s, w, rng, (0.02, -0.08), _ramp_len(rng, w))
    tap = rng.uniform(0.006, 0.01) * np.sin(2 * np.pi * rng.uniform(1.5, 2.5) * c.t) * hold
    c.wrist[0, :, 0] += tap
    c.wrist[1, :, 0] -= tap
    c.grip[:] = 0.7


@action("other finger movements")
def other_finger_movements(c, s, w, rng, side):
    k = SIDES.index(side)
    env = pulse(c.t, w.t0, w.t1, 0.3)
    c.wrist[k, :, 1] -= 0.025 * env
    c.grip[k] = 0.65 + 0.35 * np.sin(2 * np.pi * rng.uniform(2.0, 3.0) * c.t) * env


@action("illustrative gestures")
def illustrative_gestures(c, s, w, rng, side):
    ks = [0, 1] if rng.random() < 0.5 else [SIDES.index(side)]
    for k in ks:
        sign = 1.0 if k == 0 else -1.0
        hold = reach(c, k, np.array([sign * 0.09, -0.14]), w, _ramp_len(rng, w), (0, 0))
        for axis in range(2):
            c.wrist[k, :, axis] += rng.uniform(0.02, 0.04) * np.sin(
                2 * np.pi * rng.uniform(0.7, 1.4) * c.t + rng.uniform(0, 6)) * hold
        c.grip[k] = 1.0


# --- Lower limb -------------------------------------------------------------------

def _legs(rng: np.random.Generator, side: str, both_prob: float) -> list[int]:
    return [0, 1] if rng.random() < both_prob else [SIDES.index(side)]


@action("shaking legs")
def shaking_legs(c, s, w, rng, side):
    env = pulse(c.t, w.t0, w.t1, 0.2)
    for k in _legs(rng, side, 0.4):
        osc = np.sin(2 * np.pi * rng.uniform(4.0, 6.0) * c.t) * env
        c.knee[k, :, 0] += rng.uniform(0.012, 0.02) * osc
        c.ankle[k, :, 0] += 0.006 * osc


@action("curling legs", bilateral=True)
def curling_legs(c, s, w, rng, side):
    env = pulse(c.t, w.t0, w.t1, rng.uniform(0.4, 0.7))
    for k, sign in enumerate((1.0, -1.0)):
        c.ankle[k] += np.array([-sign * 0.03, -rng.uniform(0.08, 0.1)]) * env[:, None]
        c.knee[k, :, 1] -= 0.03 * env


@action("spread legs", bilateral=True)
def spread_legs(c, s, w, rng, side):
    env = smoothstep(c.t, w.t0, w.t0 + rng.uniform(0.5, 0.9))
    for k, sign in enumerate((1.0, -1.0)):
        c.knee[k, :, 0] += sign * rng.uniform(0.05, 0.07) * env
        c.ankle[k, :, 0] += sign * rng.uniform(0.05, 0.08) * env


@action("closing legs", bilateral=True)
def closing_legs(c, s, w, rng, side):
    env = 1 - smoothstep(c.t, w.t0, w.t0 + rng.uniform(0.5, 0.9))
    for k, sign in enumerate((1.0, -1.0)):
        c.knee[k, :, 0] += sign * (rng.uniform(0.05, 0.07) * env - 0.015)
        c.ankle[k, :, 0] += sign * (rng.uniform(0.05, 0.08) * env - 0.015)


@action("crossing legs")
def crossing_legs(c, s, w, rng, side):
    k, sign = SIDES.index(side), side_sign(side)
    env = smoothstep(c.t, w.t0, w.t0 + rng.uniform(0.8, 1.2))
    c.knee[k] += (np.array([-sign * 0.02, s.thigh - 0.04]) - c.knee[k]) * env[:, None]
    c.ankle[k] += (np.array([-sign * (s.hip_half + 0.03), s.thigh + 0.5 * s.shin]) - c.ankle[k]) * env[:, None]


@action("stretching feet")
def stretching_feet(c, s, w, rng, side):
    env = pulse(c.t, w.t0, w.t1, rng.uniform(0.4, 0.7))
    for k in _legs(rng, side, 0.6):
        c.ankle[k] += np.array([side_sign(SIDES[k]) * 0.02, rng.uniform(0.04, 0.06)]) * env[:, None]
        c.knee[k, :, 1] += 0.01 * env


@action("retracting feet")
def retracting_feet(c, s, w, rng, side):
    env = smoothstep(c.t, w.t0, w.t0 + rng.uniform(0.5, 0.8))
    for k in _legs(rng, side, 0.6):
        c.ankle[k, :, 1] -= rng.uniform(0.035, 0.05) * env


@action("tiptoe")
def tiptoe(c, s, w, rng, side):
    env = pulse(c.t, w.t0, w.t1, rng.uniform(0.3, 0.5))
    for k in _legs(rng, side, 0.7):
        c.ankle[k, :, 1] -= 0.025 * env
        c.knee[k, :, 1] -= 0.018 * env


# --- Body-hand / Head-hand / Leg-hand bilateral -----------------------------------

@action("arms akimbo", bilateral=True)
def arms_akimbo(c, s, w, rng, side):
    _both(c, s, w, rng, (s.hip_half + 0.035, -0.08), _ramp_len(rng, w))
    c.grip[:] = 0.3


@action("crossing arms", bilateral=True)
def crossing_arms(c, s, w, rng, side):
    ramp = _ramp_len(rng, w)
    reach(c, 0, np.array([-(s.shoulder_half - 0.015), -0.55 * s.torso]), w, ramp, (0, 0))
    reach(c, 1, np.array([s.shoulder_half - 0.015, -0.6 * s.torso]), w, ramp, (0, 0))
    c.grip[:] = 0.3


@action("covering face", bilateral=True)
def covering_face(c, s, w, rng, side):
    ramp = _ramp_len(rng, w)
    for k, sign in enumerate((1.0, -1.0)):
        reach(c, k, head_centre(s) + np.array([sign * 0.35 * s.head_radius, 0.15 * s.head_radius]), w, ramp, (0, 0.045))
    c.grip[:] = 1.0


@action("patting legs")
def patting_legs(c, s, w, rng, side):
    env = pulse(c.t, w.t0, w.t1, 0.2)
    f = rng.uniform(2.0, 3.0)
    for k in _legs(rng, side, 0.5):
        c.wrist[k, :, 1] -= rng.uniform(0.03, 0.05) * np.abs(np.sin(np.pi * f * (c.t - w.t0))) * env


@action("scratching feet")
def scratching_feet(c, s, w, rng, side):
    k, sign = SIDES.index(side), side_sign(side)
    ramp = _ramp_len(rng, w)
    bow = pulse(c.t, w.t0, w.t1, ramp)
    c.trunk_dy += 0.18 * bow
    c.lean_x += sign * 0.03 * bow
    c.pitch += 0.6 * bow
    hold = reach(c, k, landmark(s, "foot", sign), w, ramp, (0.0, -0.04))
    c.wrist[k, :, 0] += 0.012 * np.sin(2 * np.pi * 5.0 * c.t) * hold


RENDERED_LABELS: tuple[str, ...] = tuple(label for label in FINE_TO_COARSE if label in ACTIONS)

def add_idle_motion(c: Controls, rng: np.random.Generator) -> None:
    """Idle sway and small distractor motions, slow enough to stay under the onset speed."""
    def drift(amp: float) -> np.ndarray:
        f = rng.uniform(0.15, 0.4)
        return amp * np.sin(2 * np.pi * f * c.t + rng.uniform(0, 2 * np.pi))

    c.lean_x += drift(0.004)
    c.yaw += drift(0.04)
    c.roll += drift(0.015)
    for k in range(2):
        c.wrist[k, :, 0] += drift(0.006)
        c.wrist[k, :, 1] += drift(0.004)
        c.knee[k, :, 0] += drift(0.004)
        c.ankle[k, :, 0] += drift(0.003)


def build_controls(label: str, s: Subject, duration: float, fps: float, rng: np.random.Generator,
                   side: str | None = None) -> Controls:
    """Pose controls of ``label`` for ``duration`` seconds at ``fps``."""
    if label not in ACTIONS:
        raise ValueError(f"label {label!r} is not rendered; see synth.actions.NOT_RENDERED / RENDERED_LABELS")
    t = np.arange(round(duration * fps)) / fps
    c = rest_controls(s, t)
    chosen = pick_side(rng, side)
    w = draw_window(rng, duration)
    act = ACTIONS[label]
    act.move(c, s, w, rng, chosen)
    if act.needs_glasses:
        c.glasses = True
    add_idle_motion(c, rng)
    c.side = None if act.bilateral else chosen
    return c


def ik_elbow(shoulder: np.ndarray, wrist: np.ndarray, upper: float, lower: float, sign: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-link planar IK per frame; the elbow goes outward and down. Returns (elbow, reachable wrist)."""
    v = wrist - shoulder
    d = np.linalg.norm(v, axis=1, keepdims=True)
    u = v / np.maximum(d, 1e-9)
    d = np.clip(d, abs(upper - lower) + 1e-4, upper + lower - 1e-4)
    cos_a = np.clip((upper ** 2 + d ** 2 - lower ** 2) / (2 * upper * d), -1.0, 1.0)
    sin_a = np.sqrt(1 - cos_a ** 2)
    cands = []
    for s in (1.0, -1.0):
        rot = np.stack([u[:, 0] * cos_a[:, 0] - s * u[:, 1] * sin_a[:, 0],
                        s * u[:, 0] * sin_a[:, 0] + u[:, 1] * cos_a[:, 0]], axis=1)
        cands.append(shoulder + upper * rot)
    # Of the two solutions pick the one further out from the midline plus further down: a relaxed elbow.
    score = [sign * e[:, 0] + e[:, 1] for e in cands]
    elbow = np.where((score[0] >= score[1])[:, None], cands[0], cands[1])
    return elbow, shoulder + u * d


def pose_keypoints(s: Subject, c: Controls) -> np.ndarray:
    """(T, 17, 2) COCO-17 keypoints in body units from the controls."""
    n = c.t.size
    kp = np.zeros((n, 17, 2))
    hip_c = np.stack([np.zeros(n), -c.rise], axis=1)
    sh_c = np.stack([c.lean_x, -c.rise - s.torso + c.trunk_dy], axis=1)
    for k, sign in enumerate((1.0, -1.0)):
        kp[:, 11 + k] = hip_c + [sign * s.hip_half, 0.0]
        kp[:, 5 + k] = sh_c + np.stack([np.full(n, sign * s.shoulder_half), -c.shrug], axis=1)
        # Rising straightens the legs: knees follow the hips up part of the way.
        kp[:, 13 + k] = c.knee[k] + np.stack([np.zeros(n), -0.6 * c.rise], axis=1)
        kp[:, 15 + k] = c.ankle[k]
        elbow, wrist = ik_elbow(kp[:, 5 + k], c.wrist[k], s.upper_arm, s.forearm, sign)
        kp[:, 7 + k], kp[:, 9 + k] = elbow, wrist
    r = s.head_radius
    neck_top = sh_c + [0.0, -s.neck]
    # Head points in a head-local frame (before roll), relative to the neck top.
    centre = np.stack([np.zeros(n), -r + 0.3 * r * c.pitch], axis=1)
    face_dy = 0.4 * r * c.pitch
    local = np.empty((n, 5, 2))
    local[:, 0] = centre + np.stack([r * np.sin(c.yaw), 0.15 * r + face_dy], axis=1)
    for k, sign in enumerate((1.0, -1.0)):
        local[:, 1 + k] = centre + np.stack([0.9 * r * np.sin(sign * 0.45 + c.yaw), -0.12 * r + face_dy], axis=1)
        local[:, 3 + k] = centre + np.stack([r * np.sin(sign * np.pi / 2 + c.yaw),
                                             np.full(n, 0.05 * r) - 0.1 * r * c.pitch], axis=1)
    cos_r, sin_r = np.cos(c.roll)[:, None], np.sin(c.roll)[:, None]
    kp[:, :5, 0] = neck_top[:, None, 0] + cos_r * local[..., 0] - sin_r * local[..., 1]
    kp[:, :5, 1] = neck_top[:, None, 1] + sin_r * local[..., 0] + cos_r * local[..., 1]
    return kp
