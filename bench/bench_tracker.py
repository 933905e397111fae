"""The tracker: speed per stage and end to end on MA-52 clips, and agreement with MA-Synth's exact truth.

    python -m bench.bench_tracker [--clips 60] [--seed 2026] [--sizes 160x192,320x384]

1. Speed on the six 1080x1296 MA-52 reference clips: each stage timed on its own (decode and downscale,
   mediapipe pose, selfie mask, LK tracks), then the whole tracker in one process, then ``track_videos``
   with two worker processes (frames per second over the six clips, wall time). Baseline: mediapipe pose
   alone on the full-size frames (the issue's reference measurement), run in the same process.
2. Validation on a fresh MA-Synth build (a seed the tracker was not tuned on; clips of both splits), pixels
   only (the skeleton is mediapipe's, the truth keypoints are never read): the three figures of
   ``tracker.validation``, and as baseline the same figures from the mediapipe skeleton alone (descriptor from
   its keypoints, no mask, no tracks).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from bench.bench_video_reader import MA52_CLIPS
from finemotion_eval.synth.dataset import build
from finemotion_eval.synth.descriptors import describe_motion
from finemotion_eval.tracker.batch import track_videos
from finemotion_eval.tracker.pipeline import Tracker, TrackerConfig
from finemotion_eval.tracker.points import grid_seeds
from finemotion_eval.tracker.skeleton import MediapipePose
from finemotion_eval.tracker.validation import validate_build
from finemotion_eval.video_io import SamplingProtocol, probe, read_frames

TARGET_FPS = 25.0


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def speed() -> None:
    clips = sorted(MA52_CLIPS.glob("*.mp4"))
    if not clips:
        print(f"speed: skipped, no MA-52 clips in {MA52_CLIPS}")
        return
    tracker = Tracker()
    tracker(clips[0])  # warm-up: imports, model load, page cache
    stages = dict.fromkeys(("decode + downscale", "skeleton (mediapipe pose)", "person mask (selfie, 1st frame)",
                            "point tracks (LK)", "whole tracker, 1 process"), 0.0)
    pose_alone, frames_total = 0.0, 0
    full_pose = MediapipePose()
    for clip in clips:
        (frames, fps), t = _timed(lambda: tracker.frames(clip))
        stages["decode + downscale"] += t
        frames_total += len(frames)
        skeleton, t = _timed(lambda: tracker.skeleton.estimate(frames, str(clip)))
        stages["skeleton (mediapipe pose)"] += t
        mask, t = _timed(lambda: tracker.mask.masks(frames, [0])[0])
        stages["person mask (selfie, 1st frame)"] += t
        seeds = grid_seeds(mask, max(1.0, tracker.config.grid * frames.shape[1]))
        _, t = _timed(lambda: tracker.points.track(frames, seeds))
        stages["point tracks (LK)"] += t
        _, t = _timed(lambda: tracker(clip))
        stages["whole tracker, 1 process"] += t
        info = probe(clip)
        full = read_frames(clip, SamplingProtocol.parse(f"uniform:{info.num_frames}")).frames
        _, t = _timed(lambda: full_pose._run(full, 1.0))
        pose_alone += t
    with tempfile.TemporaryDirectory() as out:
        _, two = _timed(lambda: track_videos(clips, out, workers=2, progress=False))
    print(f"\nspeed on {len(clips)} MA-52 clips ({frames_total} frames, 1080x1296, analysed at max side "
          f"{tracker.config.max_side}), {os.cpu_count()} CPUs")
    for stage, seconds in stages.items():
        print(f"  {stage:30s} {frames_total / seconds:7.1f} frames/s")
    print(f"  {'whole tracker, 2 processes':30s} {frames_total / two:7.1f} frames/s (wall time, model loads included)")
    print(f"  baseline: mediapipe pose alone on full-size frames {frames_total / pose_alone:.1f} frames/s; "
          f"tracker (2 processes) / baseline = {(frames_total / two) / (frames_total / pose_alone):.2f}x; "
          f"target {TARGET_FPS:.0f} frames/s: {'met' if frames_total / two >= TARGET_FPS else 'MISSED'}")


class SkeletonOnly:
    """The baseline: the descriptor from mediapipe's keypoints alone (what the tracks add is the difference)."""

    def __init__(self) -> None:
        self.tracker = Tracker()

    def __call__(self, path) -> dict:
        frames, fps = self.tracker.frames(path)
        skeleton = self.tracker.skeleton.estimate(frames, str(path))
        if not skeleton.found:
            raise RuntimeError("no person found")
        return {"descriptor": describe_motion(skeleton.keypoints, fps).to_dict()}


def validation(clips: int, seed: int, sizes: list[tuple[int, int]]) -> dict:
    figures = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            build(folder, clips=clips, seed=seed, size=size, progress=False)
            (tracked, t_tracker), (skeleton, _) = (_timed(lambda: validate_build(folder, Tracker(TrackerConfig()))),
                                                    _timed(lambda: validate_build(folder, SkeletonOnly())))
        label = f"{size[0]}x{size[1]}"
        print(f"\nvalidation on a fresh MA-Synth build: {clips} clips, seed {seed}, {label} ({t_tracker:.0f} s tracking)")
        print("tracker (pixels only):\n  " + tracked.table().replace("\n", "\n  "))
        print("baseline, mediapipe skeleton alone:\n  " + skeleton.table().replace("\n", "\n  "))
        figures[label] = {"tracker": tracked.figures(), "skeleton_only": skeleton.figures()}
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="tracker benchmark")
    parser.add_argument("--clips", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2026, help="a seed the tracker was not tuned on")
    parser.add_argument("--sizes", default="160x192,320x384")
    parser.add_argument("--json", help="also write the validation figures here")
    args = parser.parse_args(argv)
    speed()
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    figures = validation(args.clips, args.seed, sizes)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()
