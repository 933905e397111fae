"""PyAV backend: seek to the keyframe before each sampled frame, decode only what is needed.

In MP4/MOV and Matroska/WebM a frame's index is its rank among the stream's
presentation timestamps (as in decord), found by demuxing the packets once:
that reads the file but decodes nothing. The index tells exactly which
keyframe each sampled frame depends on, so the decoder seeks only when that
keyframe lies ahead of what it has already decoded, and otherwise keeps
decoding forward. Other containers (AVI, MPEG-TS) lack reliable presentation
timestamps or exact seeking, so there frames are counted in decode output
order from the start, stopping after the last one sampled.

A file cut off mid-stream counts as ending at the cut.
"""

from __future__ import annotations

import bisect
import os
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import av
import numpy as np

from finemotion_eval.video_io.errors import VideoDecodeError

BACKEND = "pyav"
# Demuxers that store presentation timestamps and seek to them exactly.
_INDEXED_FORMATS = frozenset({"mov", "mp4", "matroska", "webm"})

Allocate = Callable[[tuple[int, ...]], np.ndarray]


@dataclass(frozen=True)
class _Packet:
    pts: int
    keyframe: bool


@dataclass
class _Segment:
    """Frames decoded in one pass, starting at one keyframe."""

    seek_pts: int
    wanted: set[int] = field(default_factory=set)


class _ToRgb:
    """Frame -> (H, W, 3) uint8 RGB through FFmpeg's scale filter, as decord converts.

    The filter honours the colour matrix each frame is tagged with (BT.709 for
    the MA-52 clips); ``VideoFrame.to_ndarray("rgb24")`` would assume BT.601.
    The result is a view of the filter's buffer, valid until the next call.
    """

    def __init__(self, stream: av.VideoStream) -> None:
        self._time_base = stream.time_base  # frames from a drained decoder may lack their own
        self._graph: av.filter.Graph | None = None

    def __call__(self, frame: av.VideoFrame) -> np.ndarray:
        if self._graph is None:
            # Built from the first frame: stream headers may lack the pixel format.
            self._graph = av.filter.Graph()
            source = self._graph.add_buffer(
                width=frame.width, height=frame.height, format=frame.format, time_base=self._time_base
            )
            self._graph.link_nodes(source, self._graph.add("format", "rgb24"), self._graph.add("buffersink"))
            self._graph.configure()
        self._graph.vpush(frame)
        rgb = self._graph.vpull()
        plane = rgb.planes[0]
        rows = np.frombuffer(plane, np.uint8).reshape(rgb.height, plane.line_size)  # rows are padded
        return rows[:, : rgb.width * 3].reshape(rgb.height, rgb.width, 3)


class _Output:
    """The (N, H, W, 3) result, allocated at the first frame and filled slot by slot.

    Copying each converted frame straight into place lets the filter reuse one
    buffer, still in cache, instead of holding a fresh one per frame.
    """

    def __init__(self, count: int, allocate: Allocate | None) -> None:
        self._count = count
        self._allocate = allocate or (lambda shape: np.empty(shape, np.uint8))
        self._lock = threading.Lock()  # segment threads race to allocate
        self.array: np.ndarray | None = None

    def put(self, slots: list[int], rgb: np.ndarray) -> None:
        with self._lock:
            if self.array is None:
                self.array = self._allocate((self._count, *rgb.shape))
        self.array[slots] = rgb


def indexes_by_pts(format_name: str) -> bool:
    """Whether frames of this FFmpeg demuxer (e.g. "mov,mp4,...") can be found by pts and seeked to."""
    return not _INDEXED_FORMATS.isdisjoint(format_name.split(","))


def decode(
    path: str, container: av.container.InputContainer, indices: Sequence[int], threads: int, out: Allocate | None
) -> tuple[np.ndarray, list[int]]:
    """RGB frames at ``indices``, in an array from ``out(shape)`` if given, and the indices actually read.

    ``threads`` (0: one per CPU) first go to decoding segments that start at
    different keyframes side by side, each with its own single-threaded
    decoder; threads left over go to FFmpeg's threading inside a decoder.
    Indices past the last frame (the container's frame count can lie) are
    clamped to the last frame. A wanted frame that does not decode raises
    :class:`VideoDecodeError`; FFmpeg's own errors are left to the caller.
    """
    threads = threads or os.cpu_count() or 1
    output = _Output(len(indices), out)
    read = _read_indexed if indexes_by_pts(container.format.name) else _read_sequential
    actual = read(path, container, container.streams.video[0], indices, threads, output)
    assert output.array is not None  # every index got a frame, or read raised
    return output.array, actual


def _packets(container: av.container.InputContainer, stream: av.VideoStream) -> Iterator[av.Packet | None]:
    """The stream's packets from the current position, then None to flush the decoder."""
    for packet in container.demux(stream):
        # A file cut off mid-packet (a partial download) ends in a packet the
        # demuxer flags corrupt: the stream ends before it.
        if packet.is_corrupt:
            break
        # PyAV's own end-of-stream packets are empty; the None below replaces them.
        if packet.size:
            yield packet
    yield None


def _use_threads(stream: av.VideoStream, threads: int) -> None:
    stream.thread_type = "AUTO"  # frame and slice threads, when threads > 1
    stream.thread_count = threads


def _read_indexed(
    path: str,
    container: av.container.InputContainer,
    stream: av.VideoStream,
    indices: Sequence[int],
    threads: int,
    output: _Output,
) -> list[int]:
    """Decode the wanted frames by seeking, with frames identified by pts rank."""
    packets = _scan_packets(path, container, stream)
    frame_pts = sorted(p.pts for p in packets)
    actual = [min(i, len(frame_pts) - 1) for i in indices]
    slots: dict[int, list[int]] = defaultdict(list)  # pts -> positions in the output
    for slot, index in enumerate(actual):
        slots[frame_pts[index]].append(slot)
    segments = deque(_plan(packets, sorted(slots)))
    decoders = min(threads, len(segments))
    threads_each = threads // decoders
    _use_threads(stream, threads_each)
    # Segments start at keyframes, so they decode independently: helper
    # threads take them from the shared queue with decoders of their own.
    with ThreadPoolExecutor(max(1, decoders - 1)) as pool:
        helpers = [
            pool.submit(_decode_queue_in_own_container, path, segments, threads_each, slots, output)
            for _ in range(decoders - 1)
        ]
        _decode_queue(path, container, stream, segments, slots, output)
        for helper in helpers:
            helper.result()
    return actual


def _scan_packets(path: str, container: av.container.InputContainer, stream: av.VideoStream) -> list[_Packet]:
    """The stream's packets in decode order, without decoding them."""
    packets = [
        _Packet(p.pts, p.is_keyframe)
        for p in _packets(container, stream)
        # Discard-flagged packets (MP4 edit lists) never become visible frames.
        if p is not None and not p.is_discard
    ]
    if not packets:
        raise VideoDecodeError(path, BACKEND, "no video packets")
    if any(p.pts is None for p in packets):
        raise VideoDecodeError(path, BACKEND, "video packets without timestamps cannot be indexed")
    return packets


def _plan(packets: list[_Packet], wanted_pts: list[int]) -> list[_Segment]:
    """Group the wanted frames (ascending pts) into decode passes, one seek each."""
    position = {p.pts: i for i, p in enumerate(packets)}
    keyframes = [i for i, p in enumerate(packets) if p.keyframe]
    segments: list[_Segment] = []
    decoded_up_to = -1
    for pts in wanted_pts:
        key = _keyframe_before(packets, keyframes, position[pts])
        if not segments or key > decoded_up_to + 1:
            # The keyframe lies ahead of the decoder: seeking there beats
            # decoding every packet in between.
            segments.append(_Segment(packets[key].pts))
        segments[-1].wanted.add(pts)
        decoded_up_to = max(decoded_up_to, position[pts])
    return segments


def _keyframe_before(packets: list[_Packet], keyframes: list[int], target: int) -> int:
    """Position of the keyframe that decoding of packet ``target`` must start from."""
    k = bisect.bisect_right(keyframes, target) - 1
    # Open GOPs: frames shown before their keyframe may reference the previous
    # GOP, so start from a keyframe that is not shown after the target.
    while k >= 0 and packets[keyframes[k]].pts > packets[target].pts:
        k -= 1
    # No usable keyframe (stream starts mid-GOP): decode from the first packet.
    return keyframes[k] if k >= 0 else 0


def _decode_queue(
    path: str,
    container: av.container.InputContainer,
    stream: av.VideoStream,
    segments: deque[_Segment],
    slots: dict[int, list[int]],
    output: _Output,
) -> None:
    """Decode segments taken from the shared queue until it is empty."""
    to_rgb = _ToRgb(stream)
    while True:
        try:
            segment = segments.popleft()  # atomic: no two threads get the same segment
        except IndexError:
            return
        for frame in _decode_segment(path, container, stream, segment):
            output.put(slots[frame.pts], to_rgb(frame))


def _decode_queue_in_own_container(
    path: str, segments: deque[_Segment], threads: int, slots: dict[int, list[int]], output: _Output
) -> None:
    with av.open(path) as container:
        stream = container.streams.video[0]
        _use_threads(stream, threads)
        _decode_queue(path, container, stream, segments, slots, output)


def _decode_segment(
    path: str, container: av.container.InputContainer, stream: av.VideoStream, segment: _Segment
) -> Iterator[av.VideoFrame]:
    """Seek to the segment's keyframe and decode forward, yielding each wanted frame."""
    # backward=True: land on the keyframe at or before seek_pts, i.e. on it.
    container.seek(segment.seek_pts, stream=stream, backward=True)
    codec = stream.codec_context
    unsent, missing = set(segment.wanted), set(segment.wanted)
    for packet in _packets(container, stream):
        if packet is None:
            decoded = codec.decode(None)  # end of stream: drain
        else:
            # Nothing depends on a non-reference frame, so unless it is wanted
            # the decoder may skip it: about half the frames of an H.264 clip.
            codec.skip_frame = "DEFAULT" if packet.pts in unsent else "NONREF"
            unsent.discard(packet.pts)
            decoded = codec.decode(packet)
            if not unsent:
                # Every wanted frame is in the decoder: drain it rather than
                # decode further packets just to push them out.
                decoded += codec.decode(None)
        for frame in decoded:
            if frame.pts in missing:
                missing.remove(frame.pts)
                yield frame
        if not unsent:
            break
    if missing:
        raise VideoDecodeError(path, BACKEND, f"frames with pts {sorted(missing)} did not decode")


def _read_sequential(
    path: str,
    container: av.container.InputContainer,
    stream: av.VideoStream,
    indices: Sequence[int],
    threads: int,
    output: _Output,
) -> list[int]:
    """Decode from the start, counting frames in output order, up to the last wanted."""
    _use_threads(stream, threads)
    slots: dict[int, list[int]] = defaultdict(list)  # frame index -> positions in the output
    for slot, index in enumerate(indices):
        slots[index].append(slot)
    stop = max(indices)
    to_rgb = _ToRgb(stream)
    last: tuple[int, av.VideoFrame] | None = None
    frames = (frame for packet in _packets(container, stream) for frame in stream.codec_context.decode(packet))
    for index, frame in enumerate(frames):
        if index in slots:
            output.put(slots[index], to_rgb(frame))
        last = index, frame
        if index == stop:
            break
    if last is None:
        raise VideoDecodeError(path, BACKEND, "no frame decodes")
    last_index, last_frame = last
    # The stream ended early: the last frame that decoded stands in for the rest.
    beyond = [slot for index, positions in slots.items() if index > last_index for slot in positions]
    if beyond:
        output.put(beyond, to_rgb(last_frame))
    return [min(i, last_index) for i in indices]
