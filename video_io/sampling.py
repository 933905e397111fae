"""Which frames to read from a clip, and at what size they are sent: pure arithmetic, no I/O.

Each protocol reproduces one reference implementation's index arithmetic exactly:

========================  ===========================================================================
``starter_kit``           MAC 2026 starter kit (frames ``0, step, 2*step, ...``).
``uniform:N``             our own: the centre frame of N equal segments.
``fps:R[:MAX]``           our own: one frame every ``1/R`` s from the start, thinned to MAX.
``lmms:N[:fps=R]``        lmms-eval 0.7.3, ``lmms_eval/models/model_utils/load_video.py``,
                          ``read_video`` with its default PyAV backend (``load_video_stream``).
``lmms_decord:N``         lmms-eval 0.7.3, ``load_video_decord`` in the same file, and the
                          ``load_video`` methods of ``models/simple/llava_onevision.py`` and
                          ``llava_hf.py``: the same linspace without the cap, so frames repeat.
``qwen:...``              qwen-vl-utils 0.0.14, ``qwen_vl_utils/vision_process.py``:
                          ``smart_nframes``, the decord/torchcodec/torchvision readers and the
                          resize rule of ``fetch_video``.
``vlmeval:N``,            VLMEvalKit 0.2rc1 (open-compass/VLMEvalKit at e8e78f0),
``vlmeval:fps=R``         ``vlmeval/dataset/video_base.py``, ``VideoBaseDataset.save_video_frames``
                          (the ``nframe`` and ``fps`` branches shared by most video datasets).
========================  ===========================================================================

Index functions return ascending frame indices in ``[0, total_frames)``; where the reference
repeats a frame (``lmms_decord``, ``vlmeval`` on clips shorter than the request), so do we. A clip
with no frames yields ``[]`` everywhere (the reader reports it), even where a reference raises.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

ProtocolName = Literal["starter_kit", "uniform", "fps", "lmms", "lmms_decord", "qwen", "vlmeval"]

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


# ---------------------------------------------------------------- lmms-eval


def _container_rate(fps: float) -> Fraction:
    """The stream's frame rate as the fraction PyAV reports, recovered from its float.

    lmms-eval divides by PyAV's ``average_rate`` (a :class:`~fractions.Fraction`); every rate with a
    denominator up to a million (30000/1001, 2997/100, ...) comes back exactly, others as the float.
    """
    guess = Fraction(fps).limit_denominator(1_000_000)
    return guess if float(guess) == fps else Fraction(fps)


def lmms_indices(total_frames: int, fps: float, num_frames: int, sample_fps: float | None = None) -> list[int]:
    """lmms-eval 0.7.3's ``read_video`` (default PyAV backend): ``num_frm=num_frames, fps=sample_fps``.

    The count is ``min(total_frames, num_frames)``, first capped by ``int(total_frames / rate *
    sample_fps)`` when ``sample_fps`` is given (``rate`` being the stream's fraction, so the product
    is ``float(duration) * sample_fps``), and the frames are ``np.linspace(0, total_frames - 1, count,
    dtype=int)``: truncated, never repeated since ``count <= total_frames``. When that count is 0 (a
    clip shorter than ``1 / sample_fps`` seconds) or the frame rate is unknown (``fps <= 0``),
    lmms-eval's stream reader fails and its fallback decodes every frame: so does this.
    (lmms-eval also decodes every frame of ``.webm``/``.mkv`` files and of containers without a frame
    count; a protocol sees only the count and does not model that.)
    """
    if num_frames < 1:
        raise ValueError(f"num_frames must be >= 1, got {num_frames}")
    if sample_fps is not None and not sample_fps > 0:
        raise ValueError(f"sample_fps must be > 0, got {sample_fps}")
    if total_frames <= 0:
        return []
    if sample_fps is not None:
        if fps <= 0:
            return list(range(total_frames))
        num_frames = min(num_frames, int(float(Fraction(total_frames) / _container_rate(fps)) * sample_fps))
    count = min(total_frames, num_frames)
    if count == 0:
        return list(range(total_frames))
    return np.linspace(0, total_frames - 1, count, dtype=int).tolist()


def lmms_decord_indices(total_frames: int, num_frames: int) -> list[int]:
    """lmms-eval 0.7.3's decord readers: ``np.linspace(0, total_frames - 1, num_frames, dtype=int)``.

    ``load_video_decord`` (model_utils/load_video.py) and the ``load_video`` methods of the
    llava_onevision and llava_hf models do not cap the count, so a clip shorter than ``num_frames``
    repeats frames: 7 frames, 8 wanted -> ``[0, 0, 1, 2, 3, 4, 5, 6]``; 1 frame -> ``[0] * 8``.
    """
    if num_frames < 1:
        raise ValueError(f"num_frames must be >= 1, got {num_frames}")
    if total_frames <= 0:
        return []
    return np.linspace(0, total_frames - 1, num_frames, dtype=int).tolist()


# ---------------------------------------------------------------- VLMEvalKit


def vlmeval_indices(total_frames: int, num_frames: int) -> list[int]:
    """VLMEvalKit's ``nframe`` mode: ``step = total_frames / (num_frames + 1)``, frames ``int(i * step)``, ``i = 1..num_frames``.

    The clip's ends are never chosen; a clip of ``num_frames`` frames or fewer repeats frames.
    """
    if num_frames < 1:
        raise ValueError(f"num_frames must be >= 1, got {num_frames}")
    if total_frames <= 0:
        return []
    step = total_frames / (num_frames + 1)
    return [int(i * step) for i in range(1, num_frames + 1)]


def vlmeval_fps_indices(total_frames: int, fps: float, sample_fps: float) -> list[int]:
    """VLMEvalKit's ``fps`` mode: ``int(total_frames / fps * sample_fps)`` frames ``int(i * fps / sample_fps)``.

    Unlike :func:`fps_indices` the count is the duration times the rate, truncated (61 frames at 30 fps,
    1 frame/s: 2 frames, not 3), there is no cap, and a rate above the clip's repeats frames.
    """
    if fps <= 0:
        raise ValueError("vlmeval fps sampling needs the clip's frame rate, got fps <= 0")
    if not sample_fps > 0:
        raise ValueError(f"sample_fps must be > 0, got {sample_fps}")
    if total_frames <= 0:
        return []
    required = int(total_frames / fps * sample_fps)
    step = fps / sample_fps
    return [int(i * step) for i in range(required)]


# ---------------------------------------------------------------- qwen-vl-utils 0.0.14

#: qwen-vl-utils refuses frames whose long side exceeds this many times the short side.
QWEN_MAX_ASPECT_RATIO = 200
#: qwen-vl-utils 0.0.14 defaults (``vision_process.py``): frame rate, frame-count bounds and rounding
#: (``FPS``, ``FPS_MIN_FRAMES``, ``FPS_MAX_FRAMES``, ``FRAME_FACTOR``), tokens per frame
#: (``VIDEO_MIN_TOKEN_NUM``, ``VIDEO_MAX_TOKEN_NUM``), the ``MODEL_SEQ_LEN`` default (its environment
#: variable is not read here) and the ViT patch (``image_patch_size``: 14 for Qwen2/2.5-VL, 16 for Qwen3-VL).
QWEN_FPS = 2.0
QWEN_FPS_MIN_FRAMES = 4
QWEN_FPS_MAX_FRAMES = 768
QWEN_FRAME_FACTOR = 2
QWEN_VIDEO_MIN_TOKENS = 128
QWEN_VIDEO_MAX_TOKENS = 768
QWEN_MODEL_SEQ_LEN = 128000
QWEN_PATCH_SIZE = 14
QWEN_PATCH_SIZES = (14, 16)
_QWEN_SPATIAL_MERGE = 2


def qwen_nframes(
    total_frames: int,
    fps: float,
    *,
    nframes: int | None = None,
    sample_fps: float | None = None,
    min_frames: int | None = None,
    max_frames: int | None = None,
) -> int:
    """How many frames qwen-vl-utils 0.0.14 samples (``smart_nframes``), with its ``ValueError`` cases.

    ``nframes`` given: ``round(nframes / 2) * 2`` (Python's round, half to even: 3 and 5 give 4, 7
    gives 8). Otherwise, with ``sample_fps`` (default 2.0): ``total_frames / fps * sample_fps``,
    clamped to ``[min_frames, max_frames]`` (defaults 4 and ``min(768, total_frames)``, rounded up
    and down to even), then to ``total_frames``, then rounded down to even. A result outside
    ``[2, total_frames]`` raises ``ValueError``, as qwen-vl-utils does (an ``nframes`` above the clip's
    length, a clip of fewer than 2 frames). ``fps <= 0`` raises in the ``sample_fps`` form (its decord
    reader refuses an unknown rate).
    """
    if nframes is not None and (sample_fps is not None or min_frames is not None or max_frames is not None):
        raise ValueError("qwen-vl-utils takes nframes, or sample_fps with min_frames/max_frames, not both")
    if nframes is not None:
        count = round(nframes / QWEN_FRAME_FACTOR) * QWEN_FRAME_FACTOR
    else:
        if fps <= 0:
            raise ValueError("qwen-vl-utils fps sampling needs the clip's frame rate, got fps <= 0")
        rate = QWEN_FPS if sample_fps is None else sample_fps
        lowest = QWEN_FPS_MIN_FRAMES if min_frames is None else min_frames
        highest = min(QWEN_FPS_MAX_FRAMES, total_frames) if max_frames is None else max_frames
        lowest = math.ceil(lowest / QWEN_FRAME_FACTOR) * QWEN_FRAME_FACTOR
        highest = math.floor(highest / QWEN_FRAME_FACTOR) * QWEN_FRAME_FACTOR
        wanted = min(min(max(total_frames / fps * rate, lowest), highest), total_frames)
        count = math.floor(wanted / QWEN_FRAME_FACTOR) * QWEN_FRAME_FACTOR
    if not QWEN_FRAME_FACTOR <= count <= total_frames:
        raise ValueError(f"qwen-vl-utils needs {QWEN_FRAME_FACTOR} <= nframes <= total_frames ({total_frames}), got {count}")
    return count


def torch_linspace_rounded(end: int, steps: int) -> list[int]:
    """``torch.linspace(0, end, steps).round().long()`` on the CPU, without torch.

    torch computes in float32: ``step = float32(end) / float32(steps - 1)``; the first ``steps // 2``
    values are ``step * i``, the rest ``end - step * (steps - 1 - i)``, each rounded once to float32
    (the fused multiply-add x86-64 AVX2 and ARM builds use), then rounded half to even. Float64
    arithmetic differs: ``linspace(0, 18945, 768)[762]`` is 18821.4993 exactly but 18821.5 in float32,
    so torch returns 18822 where ``np.rint(np.linspace(...))`` gives 18821. The products and
    differences below are exact in float64 for ``0 <= end < 2**24``, so one float32 rounding follows.
    """
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    if not 0 <= end < 2**24:
        raise ValueError(f"end must lie in [0, 2**24), got {end}")
    if steps == 1:
        return [0]
    step = float(np.float32(end) / np.float32(steps - 1))
    i = np.arange(steps)
    exact = np.where(i < steps // 2, step * i, end - step * (steps - 1 - i))
    return np.rint(exact.astype(np.float32)).astype(int).tolist()


def qwen_indices(
    total_frames: int,
    fps: float,
    *,
    nframes: int | None = None,
    sample_fps: float | None = None,
    min_frames: int | None = None,
    max_frames: int | None = None,
) -> list[int]:
    """The frames qwen-vl-utils 0.0.14 reads: ``torch.linspace(0, total_frames - 1, n).round()``.

    ``n`` is :func:`qwen_nframes`; the readers (decord, torchcodec, torchvision) agree on these
    indices when no ``video_start``/``video_end`` is given. A clip with no frames yields ``[]``
    (qwen-vl-utils raises ``ValueError``).
    """
    if total_frames <= 0:
        return []
    count = qwen_nframes(total_frames, fps, nframes=nframes, sample_fps=sample_fps, min_frames=min_frames, max_frames=max_frames)
    return torch_linspace_rounded(total_frames - 1, count)


def smart_resize(height: int, width: int, factor: int, min_pixels: float, max_pixels: float) -> tuple[int, int]:
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


def qwen_frame_size(
    height: int,
    width: int,
    num_frames: int,
    *,
    min_pixels: int | None = None,
    max_pixels: int | None = None,
    total_pixels: int | None = None,
    patch_size: int = QWEN_PATCH_SIZE,
) -> tuple[int, int]:
    """The ``(height, width)`` qwen-vl-utils 0.0.14's ``fetch_video`` resizes ``num_frames`` frames to.

    With ``factor = 2 * patch_size``: ``min_pixels`` defaults to ``128 * factor**2``, ``total_pixels``
    to ``128000 * factor**2 * 0.9``; the area bound is ``max(min(768 * factor**2, total_pixels /
    num_frames * 2), int(min_pixels * 1.05))``, lowered to ``max_pixels`` if that is given and smaller;
    then :func:`smart_resize`.
    """
    if num_frames < 1:
        raise ValueError(f"num_frames must be >= 1, got {num_frames}")
    factor = patch_size * _QWEN_SPATIAL_MERGE
    if min_pixels is None:
        min_pixels = QWEN_VIDEO_MIN_TOKENS * factor * factor
    total: float = QWEN_MODEL_SEQ_LEN * factor * factor * 0.9 if total_pixels is None else total_pixels
    bound = max(min(QWEN_VIDEO_MAX_TOKENS * factor * factor, total / num_frames * QWEN_FRAME_FACTOR), int(min_pixels * 1.05))
    if max_pixels is not None:
        bound = min(max_pixels, bound)
    return smart_resize(height, width, factor, min_pixels, bound)


# ---------------------------------------------------------------- protocols


class _Invalid(ValueError):
    """Why a protocol or spec is invalid; ``reason`` leaves out which one."""

    def __init__(self, reason: str, subject: str = "") -> None:
        super().__init__(f"{subject}: {reason}" if subject else reason)
        self.reason = reason


def _need_int(value: object, what: str, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise _Invalid(f"{what} must be an integer >= {minimum}, got {value!r}")


def _need_rate(value: object, what: str) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value < math.inf:
        raise _Invalid(f"{what} must be a finite number > 0, got {value!r}")


def _need_none(protocol: SamplingProtocol, *names: str) -> None:
    for name in names:
        if getattr(protocol, name) is not None:
            raise _Invalid(f"{protocol.name} takes no {name}")


def _to_int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _Invalid(f"{what} must be an integer, got {text!r}") from None


def _to_float(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise _Invalid(f"{what} must be a number, got {text!r}") from None


def _arguments(args: list[str], most: int, keys: tuple[str, ...] = ()) -> tuple[list[str], dict[str, str]]:
    """Split ``args`` into at most ``most`` positional values, then ``key=value`` options from ``keys``."""
    positional: list[str] = []
    options: dict[str, str] = {}
    for arg in args:
        key, eq, value = arg.partition("=")
        if not eq:
            if options:
                raise _Invalid(f"positional value {arg!r} after a key=value option")
            positional.append(arg)
        elif key not in keys:
            known = ", ".join(keys) if keys else "none"
            raise _Invalid(f"unknown option {key!r} (options: {known})")
        elif key in options:
            raise _Invalid(f"option {key!r} given twice")
        else:
            options[key] = value
    if len(positional) > most:
        raise _Invalid(f"at most {most} positional value(s), got {len(positional)}")
    return positional, options


# The kinds of protocol. Each converts between spec arguments (after "name:") and fields, checks the
# fields and computes indices; SamplingProtocol dispatches on its name through _KINDS.

Fields = dict[str, object]


@dataclass(frozen=True)
class _Kind:
    grammar: str  # the spec forms, for messages and docs
    reference: str  # the implementation reproduced
    parse: Callable[[list[str]], Fields]
    format: Callable[[SamplingProtocol], str]  # the arguments after "name:"
    check: Callable[[SamplingProtocol], None]
    indices: Callable[[SamplingProtocol, int, float], list[int]]


def _parse_starter_kit(args: list[str]) -> Fields:
    positional, _ = _arguments(args, 2)
    max_frames = _to_int(positional[0], "max_frames") if positional else 8
    rate = _to_float(positional[1], "target_fps") if len(positional) > 1 else 3.0
    return {"max_frames": max_frames, "rate": rate}


def _check_starter_kit(p: SamplingProtocol) -> None:
    _need_int(p.max_frames, "max_frames", 1)
    _need_rate(p.rate, "target_fps")


def _parse_count(args: list[str]) -> Fields:
    """``N``: a frame count alone."""
    positional, _ = _arguments(args, 1)
    if not positional:
        raise _Invalid("the number of frames is missing")
    return {"max_frames": _to_int(positional[0], "num_frames"), "rate": None}


def _check_count(p: SamplingProtocol) -> None:
    _need_int(p.max_frames, "num_frames", 1)
    _need_none(p, "rate")


def _parse_fps(args: list[str]) -> Fields:
    positional, _ = _arguments(args, 2)
    if not positional:
        raise _Invalid("the sampling rate is missing")
    max_frames = _to_int(positional[1], "max_frames") if len(positional) > 1 else None
    return {"max_frames": max_frames, "rate": _to_float(positional[0], "sample_fps")}


def _check_fps(p: SamplingProtocol) -> None:
    _need_rate(p.rate, "sample_fps")
    if p.max_frames is not None:
        _need_int(p.max_frames, "max_frames", 1)


def _format_fps(p: SamplingProtocol) -> str:
    return f"{p.rate!r}" + ("" if p.max_frames is None else f":{p.max_frames}")


def _parse_lmms(args: list[str]) -> Fields:
    positional, options = _arguments(args, 1, ("fps",))
    if not positional:
        raise _Invalid("the number of frames is missing")
    rate = _to_float(options["fps"], "fps") if "fps" in options else None
    return {"max_frames": _to_int(positional[0], "num_frames"), "rate": rate}


def _check_lmms(p: SamplingProtocol) -> None:
    _need_int(p.max_frames, "num_frames", 1)
    if p.rate is not None:
        _need_rate(p.rate, "fps")


def _format_lmms(p: SamplingProtocol) -> str:
    return f"{p.max_frames}" + ("" if p.rate is None else f":fps={p.rate!r}")


def _parse_vlmeval(args: list[str]) -> Fields:
    positional, options = _arguments(args, 1, ("fps",))
    if bool(positional) == ("fps" in options):
        raise _Invalid("give either a number of frames or fps=RATE")
    if positional:
        return {"max_frames": _to_int(positional[0], "num_frames"), "rate": None}
    return {"max_frames": None, "rate": _to_float(options["fps"], "fps")}


def _check_vlmeval(p: SamplingProtocol) -> None:
    if (p.max_frames is None) == (p.rate is None):
        raise _Invalid("needs either a number of frames or a rate, not both")
    if p.rate is None:
        _need_int(p.max_frames, "num_frames", 1)
    else:
        _need_rate(p.rate, "fps")


def _format_vlmeval(p: SamplingProtocol) -> str:
    return f"{p.max_frames}" if p.rate is None else f"fps={p.rate!r}"


def _vlmeval_indices(p: SamplingProtocol, total_frames: int, fps: float) -> list[int]:
    if p.rate is None:
        assert p.max_frames is not None
        return vlmeval_indices(total_frames, p.max_frames)
    return vlmeval_fps_indices(total_frames, fps, p.rate)


# qwen's options, in spec order, and the fields they set ("nframes" and "max_frames" share one).
_QWEN_INT_OPTIONS = {
    "min_frames": "min_frames",
    "max_frames": "max_frames",
    "min_pixels": "min_pixels",
    "max_pixels": "max_pixels",
    "total_pixels": "total_pixels",
    "patch": "patch_size",
}


def _parse_qwen(args: list[str]) -> Fields:
    _, options = _arguments(args, 0, ("nframes", "fps", *_QWEN_INT_OPTIONS))
    values: Fields = {field: _to_int(options[key], key) for key, field in _QWEN_INT_OPTIONS.items() if key in options}
    if "nframes" in options:
        for key in ("fps", "min_frames", "max_frames"):
            if key in options:
                raise _Invalid(f"nframes and {key} exclude each other (qwen-vl-utils takes {key} only with fps)")
        values["max_frames"] = _to_int(options["nframes"], "nframes")
        values["rate"] = None
    else:
        values["rate"] = _to_float(options["fps"], "fps") if "fps" in options else QWEN_FPS
        values.setdefault("max_frames", None)
    return values


def _check_qwen(p: SamplingProtocol) -> None:
    if p.rate is None:
        # qwen-vl-utils rounds nframes to an even count: 1 becomes 0, which it always refuses.
        if p.max_frames is None:
            raise _Invalid("needs nframes or fps")
        _need_int(p.max_frames, "nframes", 2)
        _need_none(p, "min_frames")
    else:
        _need_rate(p.rate, "fps")
        if p.min_frames is not None:
            _need_int(p.min_frames, "min_frames", 1)
        if p.max_frames is not None:
            _need_int(p.max_frames, "max_frames", 2)  # rounded down to even: 1 would allow no frames
    for name in ("min_pixels", "max_pixels", "total_pixels"):
        if getattr(p, name) is not None:
            _need_int(getattr(p, name), name, 1)
    if p.patch_size is not None and p.patch_size not in QWEN_PATCH_SIZES:
        raise _Invalid(f"patch must be one of {QWEN_PATCH_SIZES}, got {p.patch_size!r}")
    factor = (p.patch_size or QWEN_PATCH_SIZE) * _QWEN_SPATIAL_MERGE
    min_pixels = QWEN_VIDEO_MIN_TOKENS * factor * factor if p.min_pixels is None else p.min_pixels
    if p.max_pixels is not None and p.max_pixels < min_pixels:
        raise _Invalid(f"max_pixels ({p.max_pixels}) is below min_pixels ({min_pixels})")


def _format_qwen(p: SamplingProtocol) -> str:
    parts = [f"nframes={p.max_frames}" if p.rate is None else f"fps={p.rate!r}"]
    for key, field in _QWEN_INT_OPTIONS.items():
        value = getattr(p, field)
        if value is not None and not (key == "max_frames" and p.rate is None):
            parts.append(f"{key}={value}")
    return ":".join(parts)


def _qwen_indices(p: SamplingProtocol, total_frames: int, fps: float) -> list[int]:
    if p.rate is None:
        return qwen_indices(total_frames, fps, nframes=p.max_frames)
    return qwen_indices(total_frames, fps, sample_fps=p.rate, min_frames=p.min_frames, max_frames=p.max_frames)


def _indices_with(function: Callable[..., list[int]], *names: str) -> Callable[[SamplingProtocol, int, float], list[int]]:
    """Indices from ``function(total_frames, [fps,] *fields)``."""
    if names and names[0] == "fps":
        return lambda p, total, fps: function(total, fps, *(getattr(p, n) for n in names[1:]))
    return lambda p, total, fps: function(total, *(getattr(p, n) for n in names))


_KINDS: dict[str, _Kind] = {
    "starter_kit": _Kind(
        "starter_kit[:MAX_FRAMES[:TARGET_FPS]]",
        "MAC 2026 starter kit",
        _parse_starter_kit,
        lambda p: f"{p.max_frames}:{p.rate!r}",
        _check_starter_kit,
        _indices_with(starter_kit_indices, "fps", "rate", "max_frames"),
    ),
    "uniform": _Kind(
        "uniform:N",
        "segment centres (ours)",
        _parse_count,
        lambda p: f"{p.max_frames}",
        _check_count,
        _indices_with(uniform_indices, "max_frames"),
    ),
    "fps": _Kind(
        "fps:RATE[:MAX_FRAMES]",
        "fixed rate from the first frame, thinned uniformly (ours)",
        _parse_fps,
        _format_fps,
        _check_fps,
        _indices_with(fps_indices, "fps", "rate", "max_frames"),
    ),
    "lmms": _Kind(
        "lmms:N[:fps=RATE]",
        "lmms-eval 0.7.3 read_video (PyAV)",
        _parse_lmms,
        _format_lmms,
        _check_lmms,
        _indices_with(lmms_indices, "fps", "max_frames", "rate"),
    ),
    "lmms_decord": _Kind(
        "lmms_decord:N",
        "lmms-eval 0.7.3 load_video_decord",
        _parse_count,
        lambda p: f"{p.max_frames}",
        _check_count,
        _indices_with(lmms_decord_indices, "max_frames"),
    ),
    "qwen": _Kind(
        "qwen[:nframes=N|:fps=RATE[:min_frames=N][:max_frames=N]][:min_pixels=P][:max_pixels=P][:total_pixels=P][:patch=14|16]",
        "qwen-vl-utils 0.0.14 fetch_video",
        _parse_qwen,
        _format_qwen,
        _check_qwen,
        _qwen_indices,
    ),
    "vlmeval": _Kind(
        "vlmeval:N or vlmeval:fps=RATE",
        "VLMEvalKit 0.2rc1 VideoBaseDataset.save_video_frames",
        _parse_vlmeval,
        _format_vlmeval,
        _check_vlmeval,
        _vlmeval_indices,
    ),
}
#: The protocol names :meth:`SamplingProtocol.parse` knows.
PROTOCOL_NAMES: tuple[str, ...] = tuple(_KINDS)
_QWEN_ONLY = ("min_frames", "min_pixels", "max_pixels", "total_pixels", "patch_size")


@dataclass(frozen=True)
class SamplingProtocol:
    """A named frame-sampling rule, written in configs and on command lines as a short spec string.

    ``max_frames`` is the number of frames (``uniform``, ``lmms``, ``lmms_decord``, ``vlmeval``, qwen's
    ``nframes``) or a cap (``starter_kit``, ``fps``, qwen's ``max_frames``); ``rate`` is a frame rate
    (the target fps of ``starter_kit``, the sampling fps of the others). The remaining fields are
    qwen-vl-utils options, ``None`` for its defaults. Spec strings, as accepted by :meth:`parse`::

        starter_kit[:MAX_FRAMES[:TARGET_FPS]]    default 8 frames at 3 fps
        uniform:N
        fps:RATE[:MAX_FRAMES]
        lmms:N[:fps=RATE]
        lmms_decord:N
        qwen[:nframes=N | :fps=RATE[:min_frames=N][:max_frames=N]][:min_pixels=P][:max_pixels=P]
            [:total_pixels=P][:patch=14|16]      default fps=2.0
        vlmeval:N | vlmeval:fps=RATE

    Specs never contain a comma (they travel inside lmms-eval's ``--model_args``). ``str(p)`` is the
    canonical spec and ``SamplingProtocol.parse(str(p)) == p``.
    """

    name: ProtocolName = "starter_kit"
    max_frames: int | None = 8
    rate: float | None = 3.0
    min_frames: int | None = None
    min_pixels: int | None = None
    max_pixels: int | None = None
    total_pixels: int | None = None
    patch_size: int | None = None

    def __post_init__(self) -> None:
        # Fail at config time, not on the first clip.
        kind = _KINDS.get(self.name)
        if kind is None:
            raise _Invalid(f"unknown protocol {self.name!r}; known: {', '.join(PROTOCOL_NAMES)}", "bad sampling protocol")
        try:
            if self.name != "qwen":
                _need_none(self, *_QWEN_ONLY)
            kind.check(self)
        except _Invalid as err:
            raise _Invalid(err.reason, f"bad sampling protocol {self!r}") from None

    @classmethod
    def default(cls) -> SamplingProtocol:
        """The MAC 2026 starter-kit protocol: up to 8 frames at about 3 fps."""
        return cls()

    @classmethod
    def parse(cls, spec: str) -> SamplingProtocol:
        """Build a protocol from a spec such as ``"uniform:16"`` or ``"qwen:fps=1.0:max_pixels=151200"``."""
        name, *args = spec.strip().split(":")
        kind = _KINDS.get(name)
        if kind is None:
            raise ValueError(f"bad sampling spec {spec!r}: unknown protocol {name!r}; known: {', '.join(PROTOCOL_NAMES)}")
        try:
            if "," in spec:
                raise _Invalid("a spec never contains ','; separate its parts with ':'")
            if any(not arg.strip() for arg in args):
                raise _Invalid("empty part between ':'")
            return cls(name, **kind.parse(args))  # type: ignore[arg-type]
        except _Invalid as err:
            raise ValueError(f"bad sampling spec {spec!r}: {err.reason}; expected {kind.grammar}") from None

    def __str__(self) -> str:
        """The canonical spec string; ``SamplingProtocol.parse(str(p)) == p``."""
        return f"{self.name}:{_KINDS[self.name].format(self)}"

    @property
    def reference(self) -> str:
        """The implementation whose arithmetic this protocol reproduces."""
        return _KINDS[self.name].reference

    def indices(self, total_frames: int, fps: float) -> list[int]:
        """Frame indices to read from a clip of ``total_frames`` frames at ``fps``."""
        return _KINDS[self.name].indices(self, total_frames, fps)

    def frame_size(self, height: int, width: int, num_frames: int) -> tuple[int, int]:
        """The ``(height, width)`` the ``num_frames`` sampled frames of a ``height`` x ``width`` clip are sent at.

        qwen protocols resize as qwen-vl-utils does (:func:`qwen_frame_size`); the others send frames
        at their decoded size.
        """
        if self.name != "qwen":
            return height, width
        return qwen_frame_size(
            height,
            width,
            num_frames,
            min_pixels=self.min_pixels,
            max_pixels=self.max_pixels,
            total_pixels=self.total_pixels,
            patch_size=self.patch_size or QWEN_PATCH_SIZE,
        )


# The starter-kit protocol, as a default argument value (instances are immutable). MA-Bench and
# MA-Synth tasks use it.
DEFAULT_PROTOCOL = SamplingProtocol.default()
#: FAVOR-Bench's official evaluation: qwen-vl-utils with ``fps=1.0`` and ``max_pixels=360*420``.
FAVOR_OFFICIAL_PROTOCOL = SamplingProtocol.parse(f"qwen:fps=1.0:max_pixels={360 * 420}")
