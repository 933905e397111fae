"""A small MA-Bench-shaped fixture: real H.264 clips plus questions in the official answered layout.

Used by the tests and, until the synthetic benchmark exists, by ``make demo``. The clips are either
written here (a moving block, so any machine can build them) or given (e.g. the real MA-52 clips).
Questions follow the official formats: CMAR lists the seven coarse labels, FMAR five fine labels, and the
Yes/No tasks two questions per clip. Answers of CMAR/FMAR are the clip's labels; Yes/No answers alternate.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import av
import numpy as np

COARSE_LABELS = ("Body", "Head", "Upper limb", "Lower limb", "Body-hand", "Head-hand", "Leg-hand")
# A few MA-52 fine labels with their coarse group (enough for five FMAR options per clip).
FINE_LABELS = {
    "Shaking body": "Body",
    "Turning around": "Body",
    "Sitting straightly": "Body",
    "Nodding": "Head",
    "Shaking head": "Head",
    "Turning head": "Head",
    "Waving": "Upper limb",
    "Touching nose": "Head-hand",
    "Patting legs": "Leg-hand",
}
YES_NO_QUESTIONS = {
    "SAD": "In the early phase, does the {part} move upward?",
    "MAD": "During the middle segment, do the head and the {part} move in the same direction?",
    "MAS": "Did the {part} move before the torso leaned forward?",
    "PPR": "In the late stage of the video, does the {part} noticeably approach the Head?",
}


def write_moving_block_clip(path: Path, seed: int, frames: int = 60, size: int = 96, fps: int = 30) -> Path:
    """A short H.264 clip of a coloured block moving across a grey background."""
    rng = np.random.default_rng(seed)
    colour = rng.integers(60, 255, size=3, dtype=np.uint8)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        for i in range(frames):
            image = np.full((size, size, 3), 40, dtype=np.uint8)
            x = int((size - 24) * i / max(frames - 1, 1))
            image[36:60, x : x + 24] = colour
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def questions_for_clip(video_name: str, fine_label: str, index: int, rng: random.Random) -> list[dict]:
    """The twelve questions of one clip in the official answered-sample layout."""
    coarse = FINE_LABELS[fine_label]
    coarse_options = rng.sample(COARSE_LABELS, len(COARSE_LABELS))
    fine_options = rng.sample([fine_label, *rng.sample([f for f in FINE_LABELS if f != fine_label], 4)], 5)
    video = f"{video_name}.mp4"

    def choice(task: str, stem: str, options: list[str], answer: str) -> dict:
        lines = [stem, *(f"{letter}. {o}" for letter, o in zip("ABCDEFG", options))]
        return {"video": video, "task": task, "qid": f"{task}_{index:04d}", "question": "\n".join(lines),
                "answer": "ABCDEFG"[options.index(answer)]}

    rows = [
        choice("CMAR", "What is the coarse-grained category of the micro action in this video clip?", coarse_options, coarse),
        choice("FMAR", "Which fine-grained action label best matches the behavior in this video?", fine_options, fine_label),
    ]
    for task, template in YES_NO_QUESTIONS.items():
        for k, part in enumerate(("right hand", "left hand")):
            rows.append({"video": video, "task": task, "qid": f"{task}_{2 * index + k:04d}",
                         "question": template.format(part=part), "answer": "Yes" if (index + k) % 2 == 0 else "No"})
    rows.append({"video": video, "task": "MADU", "qid": f"MADU_{index:04d}",
                 "question": "Describe the person's movements in the video.", "answer": f"The person is {fine_label.lower()}."})
    rows.append({"video": video, "task": "MARE", "qid": f"MARE_{index:04d}",
                 "question": "Reason about the movements and give the coarse and fine micro-action labels.",
                 "answer": f"[Body part (coarse-grained)] {coarse} | [Micro-action (fine-grained)] {fine_label}"})
    return rows


def write_questions(clips: list[tuple[str, str]], path: Path, seed: int = 0) -> Path:
    """Write questions for ``(video_name, fine_label)`` clips to ``path`` (official answered layout)."""
    rng = random.Random(seed)
    rows = [row for i, (name, label) in enumerate(clips) for row in questions_for_clip(name, label, i, rng)]
    path.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return path


def build_synthetic(out_dir: Path, clips: int = 4, seed: int = 0) -> tuple[Path, Path]:
    """Clips and questions under ``out_dir``; returns (question file, video folder)."""
    video_dir = out_dir / "videos"
    video_dir.mkdir(parents=True, exist_ok=True)
    labels = list(FINE_LABELS)
    named = []
    for i in range(clips):
        name = f"synthetic-{i:03d}_0_{i + 1}"
        write_moving_block_clip(video_dir / f"{name}.mp4", seed=seed + i)
        named.append((name, labels[i % len(labels)]))
    return write_questions(named, out_dir / "questions.json", seed=seed), video_dir


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--clips", type=int, default=4)
    args = parser.parse_args()
    questions, videos = build_synthetic(args.out, args.clips)
    print(f"{questions}\n{videos}")
