"""video_io against lmms-eval's own video reader, on the workloads this project runs.

    python -m bench.bench_video_reader

1. The six MA-52 reference clips x5, starter-kit protocol (8 frames at ~3 fps):
   lmms-eval's ``read_video`` one clip after another vs ``prefetch_frames`` with
   two worker processes.
2. Synthetic 30 s 1280x720 30 fps H.264 clips (keyframes every 60 and every
   250 frames), 8 frames spread over each: lmms-eval's ``read_video`` vs
   ``read_frames`` in this process.

Each timing is the median of a few runs after one warm-up run, the readers
taking turns; every run reads every returned pixel, as a model's
preprocessing would.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from finemotion_eval.video_io import Backend, SamplingProtocol, prefetch_frames, read_frames

MA52_CLIPS = Path(__file__).resolve().parents[1].parent / "shared/reference/ma52_clips"
CACHE = Path(tempfile.gettempdir()) / "finemotion_bench"
REPEATS = 3
NUM_FRAMES = 8
BASELINE = "lmms-eval read_video"
# Synthetic long clip: x264 "veryfast" with its usual 3 B-frames; keyframes
# every 2 s (typical of phone and streaming encodes) and every 250 frames
# (x264's default, the worst case for seeking).
LONG_CLIP = {"seconds": 30, "width": 1280, "height": 720, "fps": 30}
GOPS = (60, 250)

ReadVideo = Callable[..., np.ndarray]


@dataclass(frozen=True)
class Row:
    workload: str
    reader: str
    seconds: float  # median wall time of one run
    clips: int  # clips per run
    frames: int  # frames returned per run
    baseline: float | None  # the lmms-eval row's seconds for this workload


def main() -> None:
    """Run both workloads and print one table."""
    print(f"video_io benchmark: {os.cpu_count()} CPUs, PyAV {av.__version__}, median of {REPEATS} runs after a warm-up")
    read_video = _lmms_eval_reader()
    rows = _ma52_workload(read_video) + _long_clip_workload(read_video)
    _print_table(rows)
    # Other processes on the machine slow both sides unevenly: say if there were any.
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))


def _lmms_eval_reader() -> ReadVideo | None:
    try:
        from lmms_eval.models.model_utils.load_video import read_video
    except Exception as err:  # noqa: BLE001 - any failure (e.g. a broken torchvision) only drops the baseline
        print(f"lmms-eval baseline skipped: cannot import its read_video ({type(err).__name__}: {err})")
        return None
    return read_video


def _consume(frames: np.ndarray) -> int:
    """Read every pixel, as a model's preprocessing would; returns the frame count."""
    frames.max()
    return len(frames)


def _time_in_turns(runs: dict[str, Callable[[], int]]) -> dict[str, tuple[float, int]]:
    """Median wall time and frame count of each run after a warm-up, the runs taking turns.

    Taking turns spreads any load from other processes over all readers alike.
    """
    frames = {label: run() for label, run in runs.items()}  # warm-up: page cache, imports, fork server
    times: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(REPEATS):
        for label, run in runs.items():
            start = time.perf_counter()
            run()
            times[label].append(time.perf_counter() - start)
    return {label: (statistics.median(times[label]), frames[label]) for label in runs}


def _rows(workload: str, clips: int, runs: dict[str, Callable[[], int]]) -> list[Row]:
    timed = _time_in_turns(runs)
    baseline = timed[BASELINE][0] if BASELINE in timed else None
    return [Row(workload, label, seconds, clips, frames, baseline) for label, (seconds, frames) in timed.items()]


def _ma52_workload(read_video: ReadVideo | None) -> list[Row]:
    if not MA52_CLIPS.is_dir():
        print(f"workload 1 skipped: {MA52_CLIPS} is absent")
        return []
    clips = [str(p) for p in sorted(MA52_CLIPS.glob("*.mp4"))] * 5
    print(
        f"workload 1: {len(clips)} MA-52 clips (1080x1296, 30 fps, one keyframe each). lmms-eval reads them"
        " one after another and samples linspace(0, n-1, 8), which includes the last frame; ours samples the"
        " starter kit's 8 frames at ~3 fps (frames 0..7*step). lmms-eval decodes with FFmpeg's automatic"
        " threads; ours with two single-threaded worker processes in a new pool per run (forked from a fork"
        " server started by the warm-up run)."
    )
    runs = {BASELINE: _lmms_eval_run(read_video, clips)} if read_video else {}
    for backend in ("pyav", "decord"):
        runs[f"video_io prefetch_frames, 2 workers, {backend}"] = _prefetch_run(clips, backend)
    return _rows("MA-52 x5, 8 frames", len(clips), runs)


def _long_clip_workload(read_video: ReadVideo | None) -> list[Row]:
    print(
        "workload 2: one synthetic 30 s 1280x720 30 fps H.264 clip per GOP size. lmms-eval samples"
        " linspace(0, 899, 8), ending on the last frame; ours uniform:8, the centres of 8 equal segments"
        " (frames 56..843). lmms-eval decodes with FFmpeg's automatic threads; ours with PyAV and all"
        " cores decodes the stretches after different keyframes in parallel threads."
    )
    uniform = SamplingProtocol.parse(f"uniform:{NUM_FRAMES}")
    rows: list[Row] = []
    for gop in GOPS:
        path = str(_synthetic_clip(gop))
        runs = {BASELINE: _lmms_eval_run(read_video, [path])} if read_video else {}
        for backend, threads in (("pyav", 1), ("pyav", 0), ("decord", 0)):
            label = f"video_io read_frames, {backend}, {'1 thread' if threads == 1 else 'threads=0 (all cores)'}"
            runs[label] = _read_frames_run(path, uniform, backend, threads)
        rows += _rows(f"30 s 720p, GOP {gop}, 8 frames", 1, runs)
    return rows


def _lmms_eval_run(read_video: ReadVideo, paths: list[str]) -> Callable[[], int]:
    return lambda: sum(_consume(read_video(path, num_frm=NUM_FRAMES)) for path in paths)


def _prefetch_run(paths: list[str], backend: Backend) -> Callable[[], int]:
    def run() -> int:
        total = 0
        for _, sampled in prefetch_frames(paths, SamplingProtocol.default(), workers=2, backend=backend):
            if isinstance(sampled, Exception):
                raise sampled
            total += _consume(sampled.frames)
        return total

    return run


def _read_frames_run(path: str, protocol: SamplingProtocol, backend: Backend, threads: int) -> Callable[[], int]:
    return lambda: _consume(read_frames(path, protocol, backend, threads=threads).frames)


def _synthetic_clip(gop: int) -> Path:
    """The long test clip for ``gop``, encoded once into the cache folder."""
    seconds, width, height, fps = (LONG_CLIP[k] for k in ("seconds", "width", "height", "fps"))
    path = CACHE / f"synthetic_{seconds}s_{width}x{height}_{fps}fps_gop{gop}.mp4"
    if path.exists():
        return path
    print(f"  encoding {path} (once; about half a minute)")
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part.mp4")
    _encode_moving_scene(partial, seconds * fps, width, height, fps, gop)
    partial.rename(path)  # a run killed mid-encode leaves no half-written clip behind
    return path


def _encode_moving_scene(path: Path, frames: int, width: int, height: int, fps: int, gop: int) -> None:
    """Scrolling gradients over fixed noise plus a moving box: motion on every frame."""
    y, x = np.mgrid[0:height, 0:width]
    noise = np.random.default_rng(0).integers(0, 40, (height, width), dtype=np.uint8)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "23", "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0"}
        for i in range(frames):
            image = np.stack([(x + 4 * i) % 256, (y + 2 * i) % 256, noise + i % 200], axis=-1).astype(np.uint8)
            left = (10 * i) % (width - 200)
            image[height // 3 : height // 3 + 200, left : left + 200] = 255
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode())


def _print_table(rows: list[Row]) -> None:
    header = ("workload", "reader", "median s", "clips/s", "frames/s", "vs lmms-eval")
    cells = [
        (
            row.workload,
            row.reader,
            f"{row.seconds:.3f}",
            f"{row.clips / row.seconds:.2f}",
            f"{row.frames / row.seconds:.1f}",
            f"{row.baseline / row.seconds:.2f}x" if row.baseline else "n/a",
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *cells]:
        # Text columns left-aligned, numbers right-aligned.
        padded = [
            cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        print("  ".join(padded))


if __name__ == "__main__":
    main()
