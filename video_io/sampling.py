"""Which frames to read from a clip: pure index arithmetic, no I/O.

Every function returns sorted, unique frame indices in ``[0, total_frames)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

ProtocolName = Literal["starter_kit", "uniform", "fps"]

# k * fps / sample_fps is computed in floating point; without this nudge an
# exact boundary such as 45.0 can come out as 44.999999 and floor to 44.
_FLOOR_EPS = 1e-9


def starter_kit_indices(total_frames: int, fps: float, target_fps: float = 3.0, max_frames: int = 8) -> list[int]:
    """Frames 0, step, 2*step, ... as in the MAC 2026 starter kit.

    ``step = max(1, min(round(fps / target_fps), total_frames // max_frames))``;
    at most ``max_frames`` frames. When ``fps <= 0`` (frame rate unknown) the
    rate term is dropped and ``step = max(1, total_frames // max_frames)``.
    """
    if target_fps <= 0 or max_frames < 1:
        raise ValueError(f"need target_fps > 0 and max_frames >= 1, got {target_fps}, {max_frames}")
    if total_frames <= 0:
        return []
    by_length = total_frames // max_frames
    step = by_length if fps <= 0 else min(round(fps / target_fps), by_length)
    return list(range(0, total_frames, max(1, step)))[:max_frames]


def uniform_indices(total_frames: int, num_frames: int) -> list[int]:
    """The centre frame of each of ``num_frames`` equal segments of the clip.

    A clip shorter than ``num_frames`` yields every frame once.
    """
    if num_frames < 1:
        raise ValueError(f"num_frames must be >= 1, got {num_frames}")
    if total_frames <= num_frames:
        return list(range(max(0, total_frames)))
    # Integer form of floor((i + 0.5) * total / n): exact, so deterministic.
    return [(2 * i + 1) * total_frames // (2 * num_frames) for i in range(num_frames)]


def fps_indices(total_frames: int, fps: float, sample_fps: float, max_frames: int | None = None) -> list[int]:
    """One frame every ``1 / sample_fps`` seconds from the start of the clip.

    The frame shown at time ``t`` is ``floor(t * fps)``; a ``sample_fps`` at or
    above the clip's rate yields every frame once. If more than
    ``max_frames`` result, they are thinned with :func:`uniform_indices`.
    """
    if fps <= 0:
        raise ValueError("fps sampling needs the clip's frame rate, got fps <= 0")
    if sample_fps <= 0:
        raise ValueError(f"sample_fps must be > 0, got {sample_fps}")
    if max_frames is not None and max_frames < 1:
        raise ValueError(f"max_frames must be >= 1, got {max_frames}")
    step = max(1.0, fps / sample_fps)  # in frames; at or above the clip's rate, every frame
    indices: list[int] = []
    while (index := math.floor(len(indices) * step + _FLOOR_EPS)) < total_frames:
        indices.append(index)
    if max_frames is not None and len(indices) > max_frames:
        indices = [indices[i] for i in uniform_indices(len(indices), max_frames)]
    return indices


#: qwen-vl-utils refuses frames whose long side exceeds this many times the short side.
QWEN_MAX_ASPECT_RATIO = 200


def smart_resize(height: int, width: int, factor: int, min_pixels: int, max_pixels: int) -> tuple[int, int]:
    """The ``(height, width)`` Qwen-VL preprocessing resizes a frame to (qwen-vl-utils' and transformers' rule).

    Both sides are rounded to the nearest multiple of ``factor`` (at least ``factor``); if the area then
    leaves ``[min_pixels, max_pixels]``, the frame is scaled by the square root of the ratio, rounding down
    (too large) or up (too small) to multiples of ``factor``. The aspect ratio is kept as far as that allows.
    """
    if max_pixels < min_pixels:
        raise ValueError(f"max_pixels ({max_pixels}) is below min_pixels ({min_pixels})")
    if max(height, width) > QWEN_MAX_ASPECT_RATIO * min(height, width):
        raise ValueError(f"aspect ratio of a {width}x{height} frame exceeds {QWEN_MAX_ASPECT_RATIO}")
    resized_h = max(factor, round(height / factor) * factor)
    resized_w = max(factor, round(width / factor) * factor)
    if resized_h * resized_w > max_pixels:
        scale = math.sqrt(height * width / max_pixels)
        resized_h = math.floor(height / scale / factor) * factor
        resized_w = math.floor(width / scale / factor) * factor
    elif resized_h * resized_w < min_pixels:
        scale = math.sqrt(min_pixels / (height * width))
        resized_h = math.ceil(height * scale / factor) * factor
        resized_w = math.ceil(width * scale / factor) * factor
    return resized_h, resized_w


@dataclass(frozen=True)
class SamplingProtocol:
    """A named frame-sampling rule, written in configs as a short string.

    ``rate`` is the target fps for ``starter_kit`` and the sampling fps for
    ``fps``; ``max_frames`` caps the number of frames (for ``uniform`` it is
    the number of frames). Spec strings, as accepted by :meth:`parse`::

        starter_kit[:max_frames[:target_fps]]   default 8 frames at 3 fps
        uniform:num_frames
        fps:sample_fps[:max_frames]
    """

    name: ProtocolName = "starter_kit"
    max_frames: int | None = 8
    rate: float | None = 3.0

    def __post_init__(self) -> None:
        # Fail at config time, not on the first clip.
        self.indices(total_frames=1, fps=30.0)

    @classmethod
    def default(cls) -> SamplingProtocol:
        """The MAC 2026 starter-kit protocol: up to 8 frames at about 3 fps."""
        return cls()

    @classmethod
    def parse(cls, spec: str) -> SamplingProtocol:
        """Build a protocol from ``"starter_kit"``, ``"uniform:16"``, ``"fps:2:32"``..."""
        name, *args = spec.strip().split(":")
        try:
            if name == "starter_kit" and len(args) <= 2:
                max_frames = int(args[0]) if args else 8
                return cls("starter_kit", max_frames, float(args[1]) if len(args) > 1 else 3.0)
            if name == "uniform" and len(args) == 1:
                return cls("uniform", int(args[0]), None)
            if name == "fps" and len(args) in (1, 2):
                return cls("fps", int(args[1]) if len(args) > 1 else None, float(args[0]))
        except ValueError as err:
            raise ValueError(f"bad sampling spec {spec!r}: {err}") from None
        raise ValueError(
            f"bad sampling spec {spec!r}; expected starter_kit[:max_frames[:target_fps]], "
            "uniform:num_frames or fps:sample_fps[:max_frames]"
        )

    def __str__(self) -> str:
        """The spec string; ``SamplingProtocol.parse(str(p)) == p``."""
        if self.name == "starter_kit":
            return f"starter_kit:{self.max_frames}:{self.rate!r}"
        if self.name == "uniform":
            return f"uniform:{self.max_frames}"
        cap = "" if self.max_frames is None else f":{self.max_frames}"
        return f"fps:{self.rate!r}{cap}"

    def indices(self, total_frames: int, fps: float) -> list[int]:
        """Frame indices to read from a clip of ``total_frames`` frames at ``fps``."""
        if self.name == "starter_kit" and self.max_frames is not None and self.rate is not None:
            return starter_kit_indices(total_frames, fps, self.rate, self.max_frames)
        if self.name == "uniform" and self.max_frames is not None:
            return uniform_indices(total_frames, self.max_frames)
        if self.name == "fps" and self.rate is not None:
            return fps_indices(total_frames, fps, self.rate, self.max_frames)
        raise ValueError(f"incomplete or unknown sampling protocol: {self!r}")


# The starter-kit protocol, as a default argument value (instances are immutable).
DEFAULT_PROTOCOL = SamplingProtocol.default()
