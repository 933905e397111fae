"""video_io: sampling arithmetic, seeking decoders, errors and prefetch, on real decodes.

Synthetic clips carry their own frame number: eight black/white columns spell
the index in binary, which survives lossy compression, so a test can tell
exactly which frame a decoder returned.
"""

from __future__ import annotations

import importlib.util
import os
import pickle
import tempfile
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from finemotion_eval.video_io import (
    SampledFrames,
    SamplingProtocol,
    VideoDecodeError,
    VideoNotFoundError,
    _pyav,
    fps_indices,
    prefetch_frames,
    probe,
    read_frames,
    starter_kit_indices,
    uniform_indices,
    verify_clip,
)

MA52_CLIPS = Path(__file__).resolve().parents[1].parent / "shared/reference/ma52_clips"

BITS = 8
WIDTH, HEIGHT, FPS, FRAMES = 64, 48, 30, 90

# decord is an optional extra: its cases skip without it.
DECORD = pytest.param(
    "decord", marks=pytest.mark.skipif(importlib.util.find_spec("decord") is None, reason="decord is not installed")
)
BACKENDS = ["pyav", DECORD]


# ---------------------------------------------------------------- synthetic clips


def code_image(index: int) -> np.ndarray:
    """A WIDTHxHEIGHT RGB frame whose columns spell ``index`` in binary."""
    bits = np.array([(index >> b) & 1 for b in range(BITS)], np.uint8) * 255
    row = np.repeat(bits, WIDTH // BITS)
    return np.repeat(np.tile(row, (HEIGHT, 1))[..., None], 3, axis=2)


def read_code(frame: np.ndarray) -> int:
    """The index spelled by a decoded frame (column means, so noise is harmless)."""
    columns = frame.mean(axis=(0, 2)).reshape(BITS, -1).mean(axis=1)
    return sum(1 << b for b in range(BITS) if columns[b] > 128)


def write_clip(path: Path, codec: str = "libx264", gop: int = 10, **options: str) -> Path:
    """Encode FRAMES coded frames; H.264 gets 3 B-frames and a fixed GOP."""
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream(codec, rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.codec_context.gop_size = gop
        if codec == "libx264":
            x264 = f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes=3"
            stream.options = {"preset": "veryfast", "x264-params": x264}
        for i in range(FRAMES):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(code_image(i), format="rgb24")))
        container.mux(stream.encode())
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    """One synthetic clip per container the reader treats differently."""
    root = tmp_path_factory.mktemp("clips")
    return {
        "mp4": write_clip(root / "gop10.mp4"),
        "mkv": write_clip(root / "gop10.mkv"),
        "webm": write_clip(root / "vp9.webm", codec="libvpx-vp9"),
        "avi": write_clip(root / "gop10.avi"),
        "ts": write_clip(root / "gop10.ts"),
        "one_gop": write_clip(root / "gop250.mp4", gop=250),
        "faststart": write_clip(root / "faststart.mp4", movflags="faststart"),
    }


def ma52_clip_paths() -> list[Path]:
    if not MA52_CLIPS.is_dir():
        pytest.skip(f"{MA52_CLIPS} is absent (the MA-52 reference clips live in ../shared beside the checkout)")
    return sorted(MA52_CLIPS.glob("*.mp4"))


# ---------------------------------------------------------------- sampling


@pytest.mark.parametrize(
    ("total", "fps", "expected"),
    [
        (60, 30.0, list(range(0, 50, 7))),  # step = min(round(30/3)=10, 60//8=7) = 7
        (45, 30.0, list(range(0, 36, 5))),  # step = min(10, 45//8=5) = 5
        (75, 30.0, list(range(0, 64, 9))),  # step = min(10, 9) = 9
        (900, 30.0, list(range(0, 80, 10))),  # long clip: the rate term wins
        (900, 29.97, list(range(0, 80, 10))),  # round(9.99) = 10
        (5, 30.0, [0, 1, 2, 3, 4]),  # total//8 == 0 -> step 1
        (0, 30.0, []),
        (40, 0.0, list(range(0, 40, 5))),  # unknown fps: step from the length only
        (40, -1.0, list(range(0, 40, 5))),
    ],
)
def test_starter_kit_indices(total, fps, expected):
    assert starter_kit_indices(total, fps) == expected


def test_starter_kit_indices_parameters():
    assert starter_kit_indices(100, 30.0, target_fps=6.0, max_frames=4) == [0, 5, 10, 15]
    with pytest.raises(ValueError):
        starter_kit_indices(100, 30.0, target_fps=0.0)
    with pytest.raises(ValueError):
        starter_kit_indices(100, 30.0, max_frames=0)


def test_uniform_indices_are_segment_centres():
    assert uniform_indices(80, 8) == [5, 15, 25, 35, 45, 55, 65, 75]
    assert uniform_indices(900, 8) == [56, 168, 281, 393, 506, 618, 731, 843]
    assert uniform_indices(5, 8) == [0, 1, 2, 3, 4]
    assert uniform_indices(0, 8) == []
    with pytest.raises(ValueError):
        uniform_indices(10, 0)


def test_fps_indices():
    assert fps_indices(90, 30.0, 2.0) == [0, 15, 30, 45, 60, 75]
    assert fps_indices(90, 30.0, 2.0, max_frames=3) == [15, 45, 75]
    assert fps_indices(4, 30.0, 60.0) == [0, 1, 2, 3]  # faster than the clip: every frame once
    assert fps_indices(10, 25.0, 7.0) == [0, 3, 7]
    assert fps_indices(0, 30.0, 1.0) == []
    with pytest.raises(ValueError):
        fps_indices(90, 0.0, 2.0)
    with pytest.raises(ValueError):
        fps_indices(90, 30.0, 0.0)


def _valid(indices: list[int], total: int) -> bool:
    return indices == sorted(set(indices)) and all(0 <= i < total for i in indices)


@given(total=st.integers(0, 5000), n=st.integers(1, 64))
def test_uniform_indices_properties(total, n):
    indices = uniform_indices(total, n)
    assert _valid(indices, total)
    assert len(indices) == min(n, total)


@given(total=st.integers(0, 5000), fps=st.floats(-5, 120), target=st.floats(0.5, 30), cap=st.integers(1, 64))
def test_starter_kit_indices_properties(total, fps, target, cap):
    indices = starter_kit_indices(total, fps, target, cap)
    assert _valid(indices, total)
    assert len(indices) == min(cap, total)  # the step never exceeds total // cap


@given(total=st.integers(0, 3000), fps=st.floats(1, 120), rate=st.floats(0.1, 240), cap=st.none() | st.integers(1, 64))
def test_fps_indices_properties(total, fps, rate, cap):
    indices = fps_indices(total, fps, rate, cap)
    assert _valid(indices, total)
    assert cap is None or len(indices) <= cap
    assert (total == 0) == (indices == [])


@pytest.mark.parametrize(
    ("spec", "protocol"),
    [
        ("starter_kit", SamplingProtocol("starter_kit", 8, 3.0)),
        ("starter_kit:16", SamplingProtocol("starter_kit", 16, 3.0)),
        ("starter_kit:16:2.5", SamplingProtocol("starter_kit", 16, 2.5)),
        ("uniform:16", SamplingProtocol("uniform", 16, None)),
        ("fps:2", SamplingProtocol("fps", None, 2.0)),
        ("fps:0.5:32", SamplingProtocol("fps", 32, 0.5)),
    ],
)
def test_protocol_parse_and_spec_round_trip(spec, protocol):
    assert SamplingProtocol.parse(spec) == protocol
    assert SamplingProtocol.parse(str(protocol)) == protocol


@pytest.mark.parametrize("spec", ["", "uniform", "uniform:x", "uniform:0", "fps:-1", "starter_kit:8:3:1", "random:8"])
def test_protocol_parse_rejects_bad_specs(spec):
    with pytest.raises(ValueError):
        SamplingProtocol.parse(spec)


def test_protocol_dispatches_to_the_index_functions():
    assert SamplingProtocol.default() == SamplingProtocol.parse("starter_kit:8:3")
    assert SamplingProtocol.default().indices(60, 30.0) == starter_kit_indices(60, 30.0)
    assert SamplingProtocol.parse("uniform:4").indices(80, 30.0) == uniform_indices(80, 4)
    assert SamplingProtocol.parse("fps:1:2").indices(90, 30.0) == fps_indices(90, 30.0, 1.0, 2)


# ---------------------------------------------------------------- decoding synthetic clips

INDEXED = ["mp4", "mkv", "webm", "one_gop"]


def test_probe_reads_the_headers(clips):
    info = probe(clips["mp4"])
    assert (info.num_frames, info.fps, info.width, info.height) == (FRAMES, FPS, WIDTH, HEIGHT)
    assert info.duration == pytest.approx(FRAMES / FPS)
    assert "mp4" in info.container
    # Matroska stores no frame count: it comes from duration * fps.
    assert probe(clips["mkv"]).num_frames == FRAMES


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("clip", INDEXED)
@pytest.mark.parametrize("spec", ["starter_kit", "uniform:1", "uniform:7", "uniform:13", "fps:4", "fps:30", "fps:0.7"])
def test_seek_returns_the_requested_frames(clips, clip, backend, spec):
    sampled = read_frames(clips[clip], SamplingProtocol.parse(spec), backend)
    assert [read_code(f) for f in sampled.frames] == list(sampled.indices) == list(sampled.requested)
    assert sampled.backend == backend


@pytest.mark.parametrize("clip", ["mp4", "one_gop", "avi"])
def test_threaded_decoding_returns_the_same_frames(clips, clip):
    protocol = SamplingProtocol.parse("uniform:9")
    one = read_frames(clips[clip], protocol, "pyav", threads=1)
    auto = read_frames(clips[clip], protocol, "pyav", threads=0)
    assert one.indices == auto.indices
    assert np.array_equal(one.frames, auto.frames)


@pytest.mark.parametrize("clip", ["avi", "ts"])
def test_other_containers_decode_in_order_and_auto_picks_pyav(clips, clip):
    # decord returns wrong frames for these files (B-frames without usable pts).
    sampled = read_frames(clips[clip], SamplingProtocol.parse("uniform:8"))
    assert sampled.backend == "pyav"
    assert [read_code(f) for f in sampled.frames] == list(sampled.indices) == uniform_indices(FRAMES, 8)


def test_sampled_frames_layout_and_timestamps(clips):
    sampled = read_frames(clips["mp4"], SamplingProtocol.parse("fps:3"), "pyav")
    assert sampled.frames.shape == (9, HEIGHT, WIDTH, 3) and sampled.frames.dtype == np.uint8
    assert sampled.timestamps == pytest.approx([i / FPS for i in sampled.indices])
    assert sampled.indices == (0, 10, 20, 30, 40, 50, 60, 70, 80)
    assert not sampled.clamped


def test_pyav_and_decord_agree_on_synthetic_clips(clips):
    pytest.importorskip("decord")
    for clip in INDEXED:
        a = read_frames(clips[clip], SamplingProtocol.parse("uniform:10"), "pyav")
        b = read_frames(clips[clip], SamplingProtocol.parse("uniform:10"), "decord")
        assert a.indices == b.indices
        assert np.array_equal(a.frames, b.frames), clip


def test_reading_is_deterministic(clips):
    first = read_frames(clips["mkv"], SamplingProtocol.parse("uniform:16"), "pyav")
    second = read_frames(clips["mkv"], SamplingProtocol.parse("uniform:16"), "pyav")
    assert first.indices == second.indices
    assert np.array_equal(first.frames, second.frames)


def test_plan_seeks_only_to_keyframes_ahead_of_the_decoder():
    # Display order == decode order here; keyframes every 10 packets.
    packets = [_pyav._Packet(pts, pts % 10 == 0) for pts in range(100)]
    plan = _pyav._plan(packets, [5, 7, 9, 10, 35, 36, 80, 99])
    # After 9 the decoder reads keyframe 10 next anyway; 35, 80 and 99 lie past keyframes ahead.
    seeks = [(segment.seek_pts, sorted(segment.wanted)) for segment in plan]
    assert seeks == [(0, [5, 7, 9, 10]), (30, [35, 36]), (80, [80]), (90, [99])]


def test_plan_starts_open_gop_leading_frames_from_the_previous_keyframe():
    # Decode order I0 P3 B1 B2 I6 B4 B5 ...: B4 and B5 are shown before I6 but come after it.
    order = [(0, True), (3, False), (1, False), (2, False), (6, True), (4, False), (5, False), (7, False)]
    packets = [_pyav._Packet(pts, key) for pts, key in order]
    assert [s.seek_pts for s in _pyav._plan(packets, [4])] == [0]
    assert [s.seek_pts for s in _pyav._plan(packets, [7])] == [6]


def test_cut_off_file_is_an_error_not_repeated_frames(clips, tmp_path):
    data = clips["faststart"].read_bytes()  # header first, as after a partial download
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.8)])
    assert probe(cut).num_frames == FRAMES  # the header still promises every frame
    with pytest.raises(VideoDecodeError, match=f"of the {FRAMES} its header promises: the file looks cut off"):
        read_frames(cut, SamplingProtocol.parse("uniform:8"), "pyav")
    # Frames before the cut still read, and verification finds the cut whichever way it looks (FFmpeg may
    # report it first, as invalid data).
    early = read_frames(cut, SamplingProtocol.parse("starter_kit:4:30"), "pyav")
    assert [read_code(f) for f in early.frames] == list(early.indices) and not early.clamped
    for full in (False, True):
        with pytest.raises(VideoDecodeError, match="cut off|Invalid data"):
            verify_clip(cut, full=full)
    assert verify_clip(clips["faststart"]).num_frames == FRAMES
    assert verify_clip(clips["faststart"], full=True).num_frames == FRAMES


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("backend", ["auto", *BACKENDS])
def test_missing_file_raises_video_not_found(tmp_path, backend):
    path = tmp_path / "nope.mp4"
    with pytest.raises(VideoNotFoundError) as caught:
        read_frames(path, backend=backend)
    assert isinstance(caught.value, FileNotFoundError)
    assert caught.value.filename == str(path) and str(path) in str(caught.value)
    with pytest.raises(VideoNotFoundError):
        probe(path)


@pytest.mark.parametrize("backend", ["auto", *BACKENDS])
def test_corrupt_file_raises_video_decode_error(tmp_path, backend):
    path = tmp_path / "noise.mp4"
    path.write_bytes(np.random.default_rng(0).bytes(20_000))
    with pytest.raises(VideoDecodeError) as caught:
        read_frames(path, backend=backend)
    assert isinstance(caught.value, RuntimeError)
    assert str(path) in str(caught.value) and caught.value.backend in str(caught.value)


def test_decord_failure_names_decord(tmp_path):
    # read_frames opens every file with PyAV first; call the decord backend directly.
    _decord = pytest.importorskip("finemotion_eval.video_io._decord")
    path = tmp_path / "noise.mp4"
    path.write_bytes(np.random.default_rng(1).bytes(20_000))
    with pytest.raises(VideoDecodeError, match="decord cannot decode"):
        _decord.decode(str(path), [0], 1, None)


@pytest.mark.parametrize("backend", BACKENDS)
def test_clip_without_decodable_frames_raises(clips, tmp_path, backend):
    # Header intact, media data gone: the container promises 90 frames, none decode.
    data = clips["faststart"].read_bytes()
    header_only = tmp_path / "header_only.mp4"
    header_only.write_bytes(data[: data.index(b"mdat") + 4])
    assert probe(header_only).num_frames == FRAMES
    with pytest.raises(VideoDecodeError, match=backend):
        read_frames(header_only, backend=backend)


def test_errors_survive_pickling():
    # prefetch_frames returns them from worker processes.
    for error in (VideoNotFoundError.for_path("a.mp4"), VideoDecodeError("a.mp4", "pyav", "bad")):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)


def test_unknown_backend_is_rejected(clips):
    with pytest.raises(ValueError, match="unknown video backend"):
        read_frames(clips["mp4"], backend="opencv")


# ---------------------------------------------------------------- real MA-52 clips


def test_ma52_probe_and_starter_kit_protocol():
    for path in ma52_clip_paths():
        info = probe(path)
        assert (info.width, info.height, info.fps) == (1080, 1296, 30.0)
        assert 45 <= info.num_frames <= 75
        sampled = read_frames(path, backend="pyav")
        assert list(sampled.indices) == starter_kit_indices(info.num_frames, 30.0)
        assert sampled.frames.shape == (8, 1296, 1080, 3)


def test_ma52_pyav_and_decord_return_identical_frames():
    pytest.importorskip("decord")
    for path in ma52_clip_paths():
        protocol = SamplingProtocol.parse("uniform:5")
        a = read_frames(path, protocol, "pyav")
        b = read_frames(path, protocol, "decord")
        assert a.indices == b.indices
        assert np.array_equal(a.frames, b.frames), path.name


# ---------------------------------------------------------------- prefetch


def test_prefetch_yields_in_input_order_and_reports_failures(clips, tmp_path):
    missing = tmp_path / "missing.mp4"
    paths = [str(clips["mp4"]), str(missing), str(clips["mkv"]), str(clips["avi"]), str(clips["one_gop"])]
    protocol = SamplingProtocol.parse("uniform:6")
    results = list(prefetch_frames(paths, protocol, workers=2, ahead=1, backend="pyav"))
    assert [path for path, _ in results] == paths
    assert isinstance(results[1][1], VideoNotFoundError) and str(missing) in str(results[1][1])
    for path, sampled in results[:1] + results[2:]:
        assert isinstance(sampled, SampledFrames)
        expected = read_frames(path, protocol, "pyav")
        assert sampled.indices == expected.indices
        assert np.array_equal(sampled.frames, expected.frames)


def _scratch_folders() -> set[str]:
    roots = [root for root in {"/dev/shm", tempfile.gettempdir()} if os.path.isdir(root)]
    return {os.path.join(root, name) for root in roots for name in os.listdir(root) if name.startswith("video_io_")}


def test_prefetch_stopped_early_leaves_no_scratch_files(clips):
    before = _scratch_folders()
    stream = prefetch_frames([str(clips["mp4"])] * 6, SamplingProtocol.parse("uniform:4"), workers=2, ahead=2)
    _, first = next(stream)
    stream.close()  # the consumer walks away with clips decoded but not collected
    assert isinstance(first, SampledFrames)
    assert [read_code(f) for f in first.frames] == uniform_indices(FRAMES, 4)  # still readable
    assert _scratch_folders() <= before


def test_prefetch_rejects_a_zero_lookahead():
    with pytest.raises(ValueError):
        next(prefetch_frames(["a.mp4"], ahead=0))
