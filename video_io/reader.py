"""Read the sampled frames of a video as one RGB array."""

from __future__ import annotations

import contextlib
import importlib
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import av
import numpy as np

from finemotion_eval.video_io import _pyav
from finemotion_eval.video_io._pyav import Allocate
from finemotion_eval.video_io.errors import VideoDecodeError, VideoNotFoundError
from finemotion_eval.video_io.sampling import DEFAULT_PROTOCOL, SamplingProtocol

Backend = Literal["auto", "decord", "pyav"]
#: How far a container's frame count may overshoot the frames that decode before a clip counts as cut off.
_COUNT_SLACK = 2


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a clip's video stream."""

    path: str
    num_frames: int
    fps: float
    width: int
    height: int
    duration: float  # seconds
    container: str  # FFmpeg demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"


@dataclass(frozen=True, eq=False)
class SampledFrames:
    """Frames read from one clip, in the order the protocol asked for them.

    ``indices`` are the frames actually returned; they differ from
    ``requested`` only where a requested index lay a frame or two past the last
    decodable frame (a container's count can be off by that much) and was
    clamped to it; a clip that stops decoding earlier is an error. ``timestamps`` are nominal presentation times,
    ``index / fps`` seconds from the first frame (NaN when fps is unknown).
    """

    frames: np.ndarray  # (N, H, W, 3) uint8 RGB
    indices: tuple[int, ...]
    timestamps: tuple[float, ...]
    info: VideoInfo
    requested: tuple[int, ...]
    backend: str

    @property
    def clamped(self) -> bool:
        """Whether some requested frame was replaced by the last decodable one."""
        return self.indices != self.requested


def probe(path: str | os.PathLike[str]) -> VideoInfo:
    """Frame count, rate and size of the first video stream, from the headers.

    The frame count is the stream's own count when the container stores one
    (MP4 does), else ``round(duration * fps)`` (Matroska/WebM).
    """
    path = os.fspath(path)
    with _opened(path) as container:
        return _describe(path, container)


def read_frames(
    path: str | os.PathLike[str],
    protocol: SamplingProtocol = DEFAULT_PROTOCOL,
    backend: Backend = "auto",
    *,
    threads: int = 1,
    out: Allocate | None = None,
) -> SampledFrames:
    """Decode the frames ``protocol`` picks from the clip at ``path``.

    ``backend="auto"`` means PyAV: our seeking PyAV decoder returns the same
    pixels as decord and measured about twice as fast (docs/video.md); decord
    also returns wrong frames from AVI and MPEG-TS files with B-frames. Pass
    ``backend="decord"`` to use decord for MP4/MOV/Matroska/WebM anyway.
    A clip whose frames stop decoding well before the count its header
    promises (a cut-off download) raises :class:`VideoDecodeError` rather than
    repeating its last frame.
    ``threads`` is the number of decoding threads, 0 for one per CPU; 1 keeps
    a clip on one core, best when several clips decode in parallel.
    ``out(shape)``, if given, allocates the frame array, e.g. in memory another
    process reads. Raises :class:`VideoNotFoundError` or
    :class:`VideoDecodeError`; never returns an empty array.
    """
    path = os.fspath(path)
    with _opened(path) as container:
        info = _describe(path, container)
        name = _choose_backend(backend, info.container)
        requested = protocol.indices(info.num_frames, info.fps)
        if not requested:
            raise VideoDecodeError(path, name, "the container reports no frames")
        if name == "pyav":
            frames, actual = _pyav.decode(path, container, requested, threads, out)
        else:
            # Imported on first use so that PyAV-only installs never touch decord.
            frames, actual = importlib.import_module("finemotion_eval.video_io._decord").decode(path, requested, threads, out)
    _check_not_cut_off(path, name, info, requested, actual)
    return SampledFrames(
        frames=frames,
        indices=tuple(actual),
        timestamps=tuple(i / info.fps if info.fps > 0 else math.nan for i in actual),
        info=info,
        requested=tuple(requested),
        backend=name,
    )


def verify_clip(path: str | os.PathLike[str], protocol: SamplingProtocol = DEFAULT_PROTOCOL, *, full: bool = False) -> VideoInfo:
    """Check that a clip decodes: the frames ``protocol`` samples and its last frame, or with ``full`` every frame.

    Raises :class:`VideoNotFoundError` or :class:`VideoDecodeError`; a clip cut off after its header (the
    header promises frames the file no longer holds) fails either way.
    """
    path = os.fspath(path)
    with _opened(path) as container:
        info = _describe(path, container)
        if full:
            try:
                decoded = sum(1 for _ in container.decode(video=0))
            except av.FFmpegError as err:
                raise VideoDecodeError(path, "pyav", err.strerror or str(err)) from err
            _check_not_cut_off(path, "pyav", info, [info.num_frames - 1], [decoded - 1])
            return info
        wanted = sorted({*protocol.indices(info.num_frames, info.fps), info.num_frames - 1})
        _frames, actual = _pyav.decode(path, container, wanted, 1, None)
        _check_not_cut_off(path, "pyav", info, wanted, actual)
    return info


def _check_not_cut_off(path: str, backend: str, info: VideoInfo, requested: Sequence[int], actual: Sequence[int]) -> None:
    """Frame counts from headers (or duration x fps) can be off by a frame or two; more than that, and the
    file holds fewer frames than it says: cut off, and any frame asked for past the end would be a repeat."""
    shortfall = max((wanted - got for wanted, got in zip(requested, actual)), default=0)
    if shortfall > max(_COUNT_SLACK, info.num_frames // 50):
        raise VideoDecodeError(path, backend, f"frames decode only up to {max(actual)} of the {info.num_frames} its header "
                                              "promises: the file looks cut off")


@contextlib.contextmanager
def _opened(path: str) -> Iterator[av.container.InputContainer]:
    """The clip opened with PyAV; its failures become :class:`VideoDecodeError`."""
    if not os.path.exists(path):
        raise VideoNotFoundError.for_path(path)
    try:
        # Opening reads the headers and decodes a frame or so: do it once per clip.
        with av.open(path) as container:
            if not container.streams.video:
                raise VideoDecodeError(path, "pyav", "no video stream")
            yield container
    except av.FFmpegError as err:
        raise VideoDecodeError(path, "pyav", err.strerror or str(err)) from err


def _describe(path: str, container: av.container.InputContainer) -> VideoInfo:
    stream = container.streams.video[0]
    rate = stream.average_rate or stream.guessed_rate
    fps = float(rate) if rate else 0.0
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / av.time_base
    else:
        duration = 0.0
    num_frames = stream.frames or round(duration * fps)
    if not duration and fps:
        duration = num_frames / fps
    return VideoInfo(path, num_frames, fps, stream.width, stream.height, duration, container.format.name)


def _choose_backend(backend: Backend, container: str) -> Literal["decord", "pyav"]:
    if backend in ("auto", "pyav"):
        return "pyav"
    if backend == "decord":
        if not _pyav.indexes_by_pts(container):
            raise ValueError(f"decord returns wrong frames from {container} files; use backend='pyav'")
        return "decord"
    raise ValueError(f"unknown video backend {backend!r}; expected 'auto', 'decord' or 'pyav'")
