"""Rebuild ``classifier.json``: track MA-Synth's train split, fit the classifier, write its weights.

    python -m finemotion_eval.motion_baseline.train --synth DIR [--workers 2] [--out PATH]

``DIR`` is an MA-Synth build; when it has none, the train split of the default build (600 clips, seed 0) is
built there first. The train split shares no subject with the test split the demo evaluates. Deterministic: the
same build and tracker give the same file (about 10 minutes on two cores, most of it tracking 480 clips).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from finemotion_eval.motion_baseline.classifier import WEIGHTS_FILE, MotionClassifier, fit
from finemotion_eval.synth.descriptors import ClipDescriptor
from finemotion_eval.tracker.batch import output_path, track_videos
from finemotion_eval.tracker.pipeline import TrackerConfig


def train(synth_dir: str | Path, config: TrackerConfig | None = None, workers: int = 1) -> MotionClassifier:
    """Fit on the tracker's descriptors of the train clips of the MA-Synth build in ``synth_dir``."""
    root = Path(synth_dir)
    config = config or TrackerConfig()
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    plans = [p for p in manifest["plan"] if p["split"] == "train"]
    videos = [root / "videos" / f"{p['name']}.mp4" for p in plans]
    records = root / f"tracked-{config.key()}"
    summary = track_videos(videos, records, config, workers=workers)
    descriptors, labels = [], []
    for plan, video in zip(plans, videos):
        if str(video) in summary.failed:  # a clip without a descriptor teaches nothing; the count is recorded
            continue
        record = json.loads(output_path(records, video).read_text(encoding="utf-8"))
        descriptors.append(ClipDescriptor.from_dict(record["descriptor"]))
        labels.append(plan["label"])
    trained_on = {"dataset": "MA-Synth", "build_version": manifest["build_version"], "clips": manifest["clips"],
                  "seed": manifest["seed"], "size": manifest["size"], "split": "train", "used_clips": len(labels),
                  "failed_clips": len(summary.failed), "tracker": config.key()}
    return fit(descriptors, labels, trained_on)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synth", required=True, help="MA-Synth build folder (the default train split is built there if empty)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--tracker", default="", help="tracker settings, e.g. max_side=320")
    parser.add_argument("--out", default=str(WEIGHTS_FILE))
    args = parser.parse_args(argv)
    if not (Path(args.synth) / "manifest.json").is_file():
        from finemotion_eval.synth.dataset import build

        build(args.synth, splits=("train",))
    model = train(args.synth, TrackerConfig.parse(args.tracker), args.workers)
    print(f"wrote {model.save(args.out)} ({model.trained_on['used_clips']} clips, {len(model.labels)} labels)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
