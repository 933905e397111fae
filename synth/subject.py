"""Seeded subjects: body proportions and appearance, the unit of cross-subject splits."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RGB = tuple[int, int, int]

SKIN_TONES: tuple[RGB, ...] = (
    (255, 224, 196), (241, 194, 160), (224, 172, 130), (198, 134, 90),
    (161, 102, 62), (120, 75, 45), (88, 56, 36),
)


@dataclass(frozen=True)
class Subject:
    """Body lengths in body units (seated head-to-feet extent about 0.9), colours as RGB."""

    seed: int
    shoulder_half: float
    hip_half: float
    torso: float
    neck: float
    head_radius: float
    upper_arm: float
    forearm: float
    thigh: float  # projected length: the thigh points at the camera
    shin: float
    skin: RGB
    shirt: RGB
    sleeve_short: bool
    trousers: RGB
    hair: RGB
    shoes: RGB
    chair: RGB
    background: tuple[RGB, RGB]
    glasses: bool
    scale: float  # fraction of the frame height the seated body spans
    x_offset: float  # horizontal offset of the body centre, fraction of width
    light_angle: float  # direction of the lighting gradient, radians
    light_strength: float  # relative brightness difference across the frame


def _colour(rng: np.random.Generator, lo: int = 20, hi: int = 235) -> RGB:
    return tuple(int(v) for v in rng.integers(lo, hi, size=3))  # type: ignore[return-value]


def make_subject(seed: int) -> Subject:
    """A subject drawn deterministically from ``seed``."""
    rng = np.random.default_rng([seed, 0x5B1EC7])
    size = rng.uniform(0.92, 1.08)  # overall build, scales widths and limbs together
    skin = SKIN_TONES[int(rng.integers(len(SKIN_TONES)))]
    bg = _colour(rng, 60, 230)
    return Subject(
        seed=seed,
        shoulder_half=0.115 * size * rng.uniform(0.9, 1.1),
        hip_half=0.085 * size * rng.uniform(0.9, 1.1),
        torso=0.30 * rng.uniform(0.93, 1.07),
        neck=0.045 * rng.uniform(0.85, 1.15),
        head_radius=0.064 * rng.uniform(0.92, 1.08),
        upper_arm=0.17 * size * rng.uniform(0.95, 1.05),
        forearm=0.15 * size * rng.uniform(0.95, 1.05),
        thigh=0.09 * rng.uniform(0.85, 1.15),
        shin=0.24 * size * rng.uniform(0.93, 1.07),
        skin=skin,
        shirt=_colour(rng),
        sleeve_short=bool(rng.random() < 0.3),
        trousers=_colour(rng, 20, 160),
        hair=_colour(rng, 10, 120),
        shoes=_colour(rng, 10, 90),
        chair=_colour(rng, 40, 200),
        background=(bg, tuple(int(np.clip(v + rng.integers(-50, 50), 0, 255)) for v in bg)),  # type: ignore[arg-type]
        glasses=bool(rng.random() < 0.25),
        scale=float(rng.uniform(0.78, 0.9)),
        x_offset=float(rng.uniform(-0.06, 0.06)),
        light_angle=float(rng.uniform(0, 2 * np.pi)),
        light_strength=float(rng.uniform(0.0, 0.3)),
    )
