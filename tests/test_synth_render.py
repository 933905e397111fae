"""Synthetic micro-action renderer and part-level descriptors."""
from __future__ import annotations

import csv
import hashlib
import json

import av
import numpy as np
import pytest
from conftest import MABENCH_REFERENCE, require

from finemotion_eval.mabench_tasks.taxonomy import COARSE_LABELS, FINE_TO_COARSE
from finemotion_eval.synth.actions import NOT_RENDERED, RENDERED_LABELS
from finemotion_eval.synth.descriptors import SCHEMA_VERSION, ClipDescriptor, describe_motion
from finemotion_eval.synth.parts import PARTS
from finemotion_eval.synth.render import render_clip, render_frames, write_truth
from finemotion_eval.synth.subject import make_subject

SIZE = (128, 160)
FPS = 15.0


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _decoded(path) -> tuple[list[np.ndarray], str]:
    with av.open(str(path)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    return frames, hashlib.sha256(b"".join(f.tobytes() for f in frames)).hexdigest()


def _truth(label: str, side: str | None = "right", seed: int = 5, subject: int = 3):
    return render_frames(label, make_subject(subject), seed, fps=FPS, size=SIZE, duration=2.5, side=side)[1]


def test_same_seed_same_bytes_different_seed_differs(tmp_path):
    s = make_subject(1)
    a = render_clip("waving", s, 7, tmp_path / "a.mp4", fps=FPS, size=SIZE, duration=1.5)
    render_clip("waving", s, 7, tmp_path / "b.mp4", fps=FPS, size=SIZE, duration=1.5)
    render_clip("waving", s, 8, tmp_path / "c.mp4", fps=FPS, size=SIZE, duration=1.5)
    assert _sha(tmp_path / "a.mp4") == _sha(tmp_path / "b.mp4")
    assert _decoded(tmp_path / "a.mp4")[1] == _decoded(tmp_path / "b.mp4")[1]
    assert _sha(tmp_path / "a.mp4") != _sha(tmp_path / "c.mp4")
    frames, _ = _decoded(tmp_path / "a.mp4")
    assert len(frames) == a.keypoints.shape[0] == round(1.5 * FPS)
    assert frames[0].shape == (SIZE[1], SIZE[0], 3)


def test_nodding_head_dominates_and_goes_down_then_up():
    head = _truth("nodding", side=None).descriptor.part("Head")
    assert any(p.amplitude_rank == 1 for p in head.phases)
    down = [i for i, p in enumerate(head.phases) if p.down > p.up and p.down > 0.01]
    up = [i for i, p in enumerate(head.phases) if p.up > p.down and p.up > 0.01]
    assert down and up and min(down) < max(up)


def test_waving_right_hand_dominates_and_repeats():
    truth = _truth("waving")
    hand = truth.descriptor.part("Right Hand")
    assert truth.side == "right"
    assert all(p.amplitude_rank == 1 for p in hand.phases[:2])
    assert hand.rhythm in ("repetitive", "oscillatory")
    assert truth.descriptor.leading_part in ("Right Hand", "Right Lower Arm", "Right Upper Arm")


@pytest.mark.parametrize("label", ["touching nose", "scratching or touching face"])
def test_touch_face_hand_approaches_and_contacts_head(label):
    pair = _truth(label).descriptor.pair("Right Hand", "Head")
    assert any(p.trend == "approach" for p in pair.phases[:2])
    assert any(p.contact for p in pair.phases)


def test_taxonomy_matches_reference_and_coverage():
    with require(MABENCH_REFERENCE / "ma52_labels.tsv").open() as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert [(r["fine_label"], r["coarse_label"]) for r in rows] == list(FINE_TO_COARSE.items())
    assert set(RENDERED_LABELS) | set(NOT_RENDERED) == set(FINE_TO_COARSE)
    assert len(RENDERED_LABELS) >= 30
    assert {FINE_TO_COARSE[label] for label in RENDERED_LABELS} == set(COARSE_LABELS)


FAST_SUBSET = ["shrugging", "shaking head", "clenching fist", "crossing legs", "arms akimbo",
               "scratching or touching hindbrain", "patting legs"]


def _check_renders(label: str, tmp_path) -> None:
    truth = render_clip(label, make_subject(2), 1, tmp_path / "x.mp4", fps=10.0, size=(96, 112), duration=1.2)
    assert truth.coarse_label == FINE_TO_COARSE[label]
    assert truth.keypoints.shape == (12, 17, 2) and np.isfinite(truth.keypoints).all()
    assert (tmp_path / "x.mp4").stat().st_size > 0


@pytest.mark.parametrize("label", FAST_SUBSET)
def test_fast_subset_renders(label, tmp_path):
    _check_renders(label, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("label", RENDERED_LABELS)
def test_every_rendered_label_renders(label, tmp_path):
    _check_renders(label, tmp_path)


def test_unrendered_label_is_refused(tmp_path):
    with pytest.raises(ValueError):
        render_clip("turning around", make_subject(0), 0, tmp_path / "x.mp4", size=SIZE)


def test_descriptor_round_trip_and_truth_json(tmp_path):
    truth = _truth("spread legs", side=None)
    d = truth.descriptor
    assert d.schema_version == SCHEMA_VERSION
    assert [p.name for p in d.parts] == list(PARTS) and len(d.pairs) == 91
    again = ClipDescriptor.from_dict(json.loads(json.dumps(d.to_dict())))
    assert again == d
    path = write_truth(truth, tmp_path / "t.json")
    loaded = json.loads(path.read_text())
    assert loaded["schema_version"] == SCHEMA_VERSION and loaded["coarse_label"] == "Lower limb"
    assert np.array_equal(np.array(loaded["keypoints"]), truth.keypoints)
    with pytest.raises(ValueError):
        ClipDescriptor.from_dict({**d.to_dict(), "schema_version": SCHEMA_VERSION + 1})


def test_still_keypoints_describe_as_still():
    kp = np.tile(_truth("nodding", side=None).keypoints[:1], (30, 1, 1))
    d = describe_motion(kp, 30.0)
    assert d.leading_part is None and all(p.rhythm == "still" and p.onset_s is None for p in d.parts)
