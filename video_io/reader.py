"""Read the sampled frames of a video as one RGB array."""

from __future__ import annotations

import contextlib
import importlib
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import av
import numpy as np

from finemotion_eval.video_io import _pyav
from finemotion_eval.video_io._pyav import Allocate
from finemotion_eval.video_io.errors import VideoDecodeError, VideoNotFoundError
from finemotion_eval.video_io.sampling import DEFAULT_PROTOCOL, SamplingProtocol

Backend = Literal["auto", "decord", "pyav"]


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
    ``requested`` only where a requested index lay past the last decodable
    frame and was clamped to it. ``timestamps`` are nominal presentation times,
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
    return SampledFrames(
        frames=frames,
        indices=tuple(actual),
        timestamps=tuple(i / info.fps if info.fps > 0 else math.nan for i in actual),
        info=info,
        requested=tuple(requested),
        backend=name,
    )


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
