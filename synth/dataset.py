"""MA-Synth: rendered micro-action clips with exact answers, in MA-Bench's layout, split by subject.

Layout of a built folder::

    videos/<name>.mp4        H.264 clips (both splits)
    truth/<name>.json        exact ground truth: labels, subject, COCO-17 keypoints, descriptor record
    questions_<split>.json   the 12-question mix per clip, official answered-sample layout
    <split>/                 a prepared folder: datasets.load_dataset(<out>/<split>, "cmar", split="test")
    manifest.json            build parameters and the SHA-256 of every file above

Every clip belongs to one subject and every subject to one split, so ``train`` and ``test`` share no
subject. The plan depends only on (clips, seed): building one split renders exactly the clips it has
in a full build, byte for byte.
"""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import random
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import datasets
from tqdm import tqdm

from finemotion_eval.prepared import clip_path, file_sha256
from finemotion_eval.settings import cache_root, env
from finemotion_eval.synth.descriptors import SCHEMA_VERSION

#: What a build holds beyond the descriptor schema; bumped whenever built files change, so that a cached
#: default build of an older version is never read (2: question ids carry ``SYN``).
BUILD_VERSION = 2

SPLITS = ("train", "test")
TEST_SUBJECT_SHARE = 0.2
CLIPS_PER_SUBJECT = 6
DEFAULT_CLIPS = 600  # about 120 test clips (finemotion synth --clips defaults to the same)
DEFAULT_SIZE = (160, 192)  # small on purpose: the test split is built on first use in seconds


@dataclass(frozen=True)
class ClipPlan:
    name: str
    split: str
    label: str
    subject_seed: int
    seed: int
    index: int  # position within its split: numbers the qids as in MA-Bench


def plan_clips(clips: int, seed: int) -> list[ClipPlan]:
    """Which label, subject and split each clip gets; labels cycle through a seeded order."""
    from finemotion_eval.synth.actions import RENDERED_LABELS

    rng = random.Random(seed)
    labels = list(RENDERED_LABELS)
    rng.shuffle(labels)
    subjects = max(5, clips // CLIPS_PER_SUBJECT)
    test_subjects = set(rng.sample(range(subjects), max(1, round(subjects * TEST_SUBJECT_SHARE))))
    counters = dict.fromkeys(SPLITS, 0)
    plans = []
    for i in range(clips):
        subject = i % subjects
        split = "test" if subject in test_subjects else "train"
        plans.append(ClipPlan(f"synth-{seed}-{i:05d}", split, labels[i % len(labels)], seed * 100_003 + subject,
                              seed * 1_000_003 + i, counters[split]))
        counters[split] += 1
    return plans


def _render(plan: ClipPlan, out: Path, size: tuple[int, int]) -> list[dict]:
    """Worker: render one clip, write its truth, return its questions."""
    from finemotion_eval.synth.qa import generate_questions
    from finemotion_eval.synth.render import render_clip, write_truth
    from finemotion_eval.synth.subject import make_subject

    # Where load_official, given out/videos, will look for the clip.
    video = Path(clip_path(out / "videos", plan.name))
    truth = render_clip(plan.label, make_subject(plan.subject_seed), seed=plan.seed, out_path=video, size=size)
    truth.video_path = f"videos/{video.name}"  # relative, so the files do not depend on where out is
    write_truth(truth, out / "truth" / f"{plan.name}.json")
    return generate_questions(truth, plan.name, seed=plan.seed, index=plan.index)


def build(out_dir: str | Path, clips: int = DEFAULT_CLIPS, seed: int = 0, splits: Iterable[str] = SPLITS,
          size: tuple[int, int] = DEFAULT_SIZE, workers: int | None = None, progress: bool = True) -> dict:
    """Render the clips of ``splits`` and write questions, prepared folders and the manifest."""
    from finemotion_eval.mabench_tasks.dataset import load_official, write_prepared

    out = Path(out_dir)
    for folder in ("videos", "truth"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    splits = tuple(splits)
    plans = [p for p in plan_clips(clips, seed) if p.split in splits]
    # Spawned workers: the caller may be a threaded process (lmms-eval, torch) where fork is unsafe.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        rendered = pool.map(_render, plans, [out] * len(plans), [size] * len(plans))
        questions = list(tqdm(rendered, total=len(plans), desc="rendering MA-Synth", unit="clip", disable=not progress))
    for split in splits:
        rows = [row for plan, clip_rows in zip(plans, questions) if plan.split == split for row in clip_rows]
        question_file = out / f"questions_{split}.json"
        question_file.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
        loaded, report = load_official(question_file, video_dir=out / "videos")
        write_prepared(loaded, out / split, report, out / "videos")
    files = sorted(p for folder in ("videos", "truth") for p in (out / folder).iterdir())
    files += [out / f"questions_{split}.json" for split in splits]
    manifest = {
        "dataset": "MA-Synth", "build_version": BUILD_VERSION, "clips": clips, "seed": seed, "size": list(size), "splits": list(splits),
        "plan": [asdict(p) for p in plans],
        "sha256": {str(p.relative_to(out)): file_sha256(p) for p in files},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


SYNTH_DIR_ENV = "FINEMOTION_MABENCH_SYNTH_DIR"


def default_dir() -> Path:
    """``$FINEMOTION_MABENCH_SYNTH_DIR``, else a cache folder named after the default build."""
    configured = env(SYNTH_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    return cache_root() / f"ma-synth-v{SCHEMA_VERSION}.{BUILD_VERSION}-seed0-{DEFAULT_CLIPS}"


def ensure_built(folder: str | Path | None = None, split: str = "test") -> Path:
    """The prepared folder of ``split``, building the default MA-Synth there first if it is missing.

    A lock file keeps concurrent processes from building the same folder twice.
    """
    out = Path(folder) if folder is not None else default_dir()
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        manifest = out / "manifest.json"
        if not manifest.is_file() or split not in json.loads(manifest.read_text(encoding="utf-8"))["splits"]:
            print(f"MA-Synth: building the {split} split in {out} (once; about half a minute)", file=sys.stderr)
            build(out, splits=(split,))
    return out / split


def load_task(task: str, split: str = "test") -> datasets.Dataset:
    """One MA-Bench task of MA-Synth, as rows of the MA-Bench schema."""
    from finemotion_eval.mabench_tasks.dataset import load_prepared

    return load_prepared(ensure_built(split=split), task)
