"""A contact sheet of rendered clips (a few frames each), so a reader sees what the videos look like.

    python -m synth.contact_sheet --out docs/img/synth_contact_sheet.png
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import av
import cv2
import numpy as np

from finemotion_eval.synth.render import render_clip
from finemotion_eval.synth.subject import make_subject

DEFAULT_LABELS = ("nodding", "waving", "touching nose", "crossing legs", "arms akimbo", "shrugging", "patting legs")


def contact_sheet(labels: tuple[str, ...] = DEFAULT_LABELS, frames_per_clip: int = 4, seed: int = 0) -> np.ndarray:
    """One row per label (a different subject each): frames evenly spread over the clip, label written on it."""
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for i, label in enumerate(labels):
            path = Path(scratch) / f"{i}.mp4"
            render_clip(label, make_subject(seed + i), seed=seed + i, out_path=path, duration=2.5)
            with av.open(str(path)) as container:
                frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
            picks = np.linspace(0, len(frames) - 1, frames_per_clip).round().astype(int)
            row = np.concatenate([frames[j] for j in picks], axis=1)
            cv2.putText(row, label, (6, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (200, 0, 0), 2, cv2.LINE_AA)
            rows.append(row)
    return np.concatenate(rows, axis=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scale", type=float, default=0.4)
    args = parser.parse_args()
    sheet = contact_sheet()
    sheet = cv2.resize(sheet, None, fx=args.scale, fy=args.scale, interpolation=cv2.INTER_AREA)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.out), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print(f"wrote {args.out} ({sheet.shape[1]}x{sheet.shape[0]})")


if __name__ == "__main__":
    main()
