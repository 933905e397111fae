"""The pixels-only tracker on real MA-52 clips and on rendered ones; the validation figures' arithmetic."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MA52_CLIPS, require

from finemotion_eval.prepared import file_sha256
from finemotion_eval.synth.descriptors import SCHEMA_VERSION, ClipDescriptor, describe_motion
from finemotion_eval.synth.qa import generate_questions
from finemotion_eval.synth.render import render_clip, simulate, write_truth
from finemotion_eval.synth.subject import make_subject
from finemotion_eval.tracker.pipeline import RECORD_VERSION, Tracker, TrackerConfig
from finemotion_eval.tracker.validation import MOVING_BH, Agreement, dominant_part


def horizontal(d: ClipDescriptor, part: str) -> float:
    return sum(q.left + q.right for q in d.part(part).phases)


def vertical(d: ClipDescriptor, part: str) -> float:
    return sum(q.up + q.down for q in d.part(part).phases)


@pytest.fixture(scope="module")
def ma52() -> dict[str, ClipDescriptor]:
    """The six MA-52 reference clips, tracked once: fine label -> descriptor."""
    folder = require(MA52_CLIPS)
    tracker = Tracker()
    return {clip.stem.split("__")[0].split("_", 1)[1]: ClipDescriptor.from_dict(tracker(clip)["descriptor"])
            for clip in sorted(folder.glob("*.mp4"))}


def test_nodding_moves_the_head_vertically(ma52):
    d = ma52["nodding"]
    assert vertical(d, "Head") > 2 * horizontal(d, "Head")


@pytest.mark.parametrize("label", ["shaking_head", "turning_head"])
def test_shaking_and_turning_the_head_move_it_horizontally(ma52, label):
    d = ma52[label]
    assert horizontal(d, "Head") > 2 * vertical(d, "Head")


def test_shaking_body_sways_the_torso_more_than_head_actions_do(ma52):
    d = ma52["shaking_body"]
    assert horizontal(d, "Torso") > vertical(d, "Torso")
    assert horizontal(d, "Torso") > max(horizontal(ma52[k], "Torso") for k in ("nodding", "shaking_head", "turning_head"))


def test_turning_around_turns_the_torso_most(ma52):
    d = ma52["turning_around"]
    assert horizontal(d, "Torso") == max(horizontal(x, "Torso") for x in ma52.values())
    assert horizontal(d, "Torso") > vertical(d, "Torso")


def test_sitting_straightly_moves_the_torso_vertically(ma52):
    d = ma52["sitting_straightly"]
    assert vertical(d, "Torso") > horizontal(d, "Torso")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """One rendered clip in a folder without truth files: the tracker can only use its pixels."""
    folder = tmp_path_factory.mktemp("pixels")
    truth = render_clip("waving", make_subject(11), seed=11, out_path=folder / "waving.mp4", size=(320, 384))
    write_truth(truth, tmp_path_factory.mktemp("truth_elsewhere") / "waving.json")
    return folder / "waving.mp4"


def test_pixels_only_record(rendered):
    record = Tracker(TrackerConfig())(rendered)
    assert set(record) == {"schema_version", "descriptor", "video", "backends", "quality"}
    assert record["schema_version"] == RECORD_VERSION and record["descriptor"]["schema_version"] == SCHEMA_VERSION
    assert record["video"]["sha256"] == file_sha256(rendered) and record["video"]["name"] == "waving.mp4"
    assert record["backends"]["skeleton"] == "mediapipe" and record["quality"]["pose_frames"] > 0
    d = ClipDescriptor.from_dict(record["descriptor"])
    assert dominant_part(d) in ("Left Hand", "Right Hand")  # waving: a hand moves most


def test_same_record_whatever_hash_seed_or_thread_count(rendered, tmp_path):
    outputs = []
    for seed, threads in (("1", "1"), ("2", "2")):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed, "OMP_NUM_THREADS": threads, "OPENCV_FOR_THREADS_NUM": threads}
        done = subprocess.run([sys.executable, "-m", "finemotion_eval.cli", "track", str(rendered), "--out", str(out)],
                              capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append((out / "waving.json").read_bytes())
    assert outputs[0] == outputs[1]


def test_agreement_of_the_truth_with_itself_is_complete():
    _, keypoints, _, _ = simulate("nodding", make_subject(4), 4, 30.0, (160, 192))
    d = describe_motion(keypoints, 30.0)
    rows = generate_questions(d, "clip", seed=4, index=0, label="nodding")
    agreement = Agreement()
    agreement.add(d, d, rows)
    assert agreement.figures() == {"dominant_part": 1.0, "main_direction": 1.0, "yes_no": 1.0}
    moving = sum(q.amplitude >= MOVING_BH for q in d.part(dominant_part(d)).phases)
    assert sum(agreement.questions.values()) == 8 and agreement.phases == moving
