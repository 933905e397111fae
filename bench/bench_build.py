"""``finemotion build`` offline on MA-Synth clips: time per stage, and agreement of the closed answers with the truth.

    python -m bench.bench_build [--clips 40] [--seed 2027] [--workers 2]

The same clips are built twice into fresh folders: first with the renderer's keypoints and no point tracks (the
baseline: descriptors equal the truth, so every answer should agree), then pixels only (the default tracker:
mediapipe, selfie mask, Lucas-Kanade tracks). Prints the seconds per stage of each build, the ratio of the two
totals, and per task how many closed answers the truth gives too (``generate.validation``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from finemotion_eval.generate.build import BuildSettings, build
from finemotion_eval.generate.labels import read_clip_info
from finemotion_eval.generate.validation import truth_agreement
from finemotion_eval.synth.dataset import build as build_synth
from finemotion_eval.tracker.pipeline import TrackerConfig

BASELINE = "skeleton=keypoints,points=none,mask=background"


def _build(synth: Path, out: Path, tracker: str, workers: int) -> tuple[float, dict]:
    start = time.perf_counter()
    report = build(synth / "videos", out, read_clip_info(synth / "truth"),
                   BuildSettings(tracker=TrackerConfig.parse(tracker), workers=workers), progress=False)
    total = time.perf_counter() - start
    stages = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in report.seconds.items())
    agreement = truth_agreement(out, synth / "truth")
    print(f"  tracker {tracker or 'default (pixels only)'}: {total:.1f} s ({stages}); ok={report.ok}")
    for task, counts in agreement.items():
        total_task = sum(counts.values())
        misses = ", ".join(f"{reason} {n}" for reason, n in sorted(counts.items()) if reason != "agree")
        print(f"    {task}: {counts['agree']}/{total_task} = {100 * counts['agree'] / total_task:.1f}% agree"
              + (f" ({misses})" if misses else ""))
    return total, agreement


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="finemotion build benchmark")
    parser.add_argument("--clips", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build_synth(root / "synth", clips=args.clips, seed=args.seed, workers=args.workers, progress=False)
        print(f"finemotion build, offline, {args.clips} MA-Synth clips (seed {args.seed}), {args.workers} tracking workers")
        baseline, _ = _build(root / "synth", root / "exact", BASELINE, args.workers)
        pixels, _ = _build(root / "synth", root / "pixels", "", args.workers)
        print(f"  pixels-only build / exact-keypoints build: {pixels / baseline:.2f}x the time")


if __name__ == "__main__":
    main()
