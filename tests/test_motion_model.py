"""finemotion_motion in real lmms-eval runs on MA-Synth clips tracked from their pixels (mediapipe, LK)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from lmms_results import evaluate, logged

from finemotion_eval.mabench_tasks.dataset import load_prepared
from finemotion_eval.mabench_tasks.taxonomy import FINE_TO_COARSE
from finemotion_eval.motion_baseline.answer import CLASSIFIER, LOOSE_QUERY, QUERY, UNPARSED, UNSETTLED, answer_question
from finemotion_eval.motion_baseline.classifier import MotionClassifier
from finemotion_eval.synth.dataset import build
from finemotion_eval.synth.descriptors import ClipDescriptor
from finemotion_eval.tracker.cache import DescriptorCache

TASKS = ("cmar", "fmar", "sad", "mad", "mas", "ppr")


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ma-synth")
    build(out, clips=24, seed=5, size=(160, 192), progress=False)
    return out


def run(synth: Path, out: Path, cache: Path, model_args: str = "seed=0") -> dict:
    env = {**os.environ, "FINEMOTION_MABENCH_SYNTH_DIR": str(synth), "FINEMOTION_CACHE": str(cache)}
    return evaluate(["--model", "finemotion_motion", "--model_args", model_args, "--tasks", "mabench_synth_closed",
                     "--batch_size", "1"], out, env)["results"]


def docs(synth: Path, task: str) -> dict[str, dict]:
    """The prepared test-split rows of ``task`` by question id."""
    return {row["qid"]: row for row in load_prepared(synth / "test", task)}


def samples(out: Path, task: str) -> list[dict]:
    (path,) = sorted(out.rglob(f"*samples_{task}.jsonl"))
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_answers_are_the_libraries_answers_from_the_cached_descriptors(synth, tmp_path):
    results = run(synth, tmp_path / "out", tmp_path / "cache", "seed=0,workers=2")
    cache = DescriptorCache(root=tmp_path / "cache" / "tracker")
    classifier = MotionClassifier.load()
    hows = set()
    for task in TASKS:
        name = f"mabench_synth_{task}"
        records = logged(tmp_path / "out", name, "unparseable")
        correct = [r["prediction"] == r["answer"] for r in records]
        assert results[name]["accuracy,none"] == pytest.approx(100 * sum(correct) / len(correct))
        assert results[name]["model_failures,none"] == 0 and results[name]["n_scored,none"] == len(records)
        rows = docs(synth, task)
        for sample, record in zip(samples(tmp_path / "out", name), records):
            provenance, row = sample["finemotion_provenance"], rows[record["qid"]]
            assert provenance["adapter"] == "finemotion_motion" and Path(provenance["video"]).stem == row["video_name"]
            descriptor = ClipDescriptor.from_dict(cache.record(provenance["video"])["descriptor"])
            hows.add(provenance["answered_by"])
            expected = answer_question(row["task"], row["qid"], row["question"], row["options"], descriptor, classifier, 0)
            assert (record["prediction"], provenance["answered_by"]) == (expected.text, expected.how)
    assert cache.tracked == 0  # every clip came from the run's cache: tracked once
    assert CLASSIFIER in hows and QUERY in hows and hows <= {CLASSIFIER, QUERY, LOOSE_QUERY, UNPARSED, UNSETTLED}


def test_a_clip_that_does_not_decode_fails_its_questions_only(tmp_path):
    broken = tmp_path / "ma-synth"  # its own build: prepared rows name their clips by absolute path
    build(broken, clips=12, seed=6, size=(160, 192), progress=False)
    plans = [p for p in json.loads((broken / "manifest.json").read_text())["plan"] if p["split"] == "test"]
    victim = broken / "videos" / f"{plans[0]['name']}.mp4"
    victim.write_bytes(victim.read_bytes()[:2000])
    results = run(broken, tmp_path / "out", tmp_path / "cache")
    for task in TASKS:
        name = f"mabench_synth_{task}"
        records = logged(tmp_path / "out", name, "unparseable")
        rows = docs(broken, task)
        on_victim = [r for r in records if rows[r["qid"]]["video_name"] == plans[0]["name"]]
        assert results[name]["model_failures,none"] == len(on_victim) > 0
        assert results[name]["n_scored,none"] == len(records) - len(on_victim)


def test_classifier_file_is_json_for_every_label_it_was_trained_on():
    classifier = MotionClassifier.load()
    assert set(classifier.labels) <= set(FINE_TO_COARSE) and len(classifier.labels) >= 50
    assert len(classifier.weights) == len(classifier.labels) and len(classifier.weights[0]) == len(classifier.feature_names)


@pytest.mark.slow
def test_beats_the_random_baseline_on_every_closed_task_of_the_demo_split(tmp_path):
    """The demo's questions (MA-Synth's default test split, 120 clips): every closed task, motion > random."""
    synth = tmp_path / "ma-synth"
    build(synth, splits=("test",), progress=False)
    motion = run(synth, tmp_path / "motion", tmp_path / "cache", "seed=0,workers=2")
    env = {**os.environ, "FINEMOTION_MABENCH_SYNTH_DIR": str(synth)}
    random = evaluate(["--model", "finemotion_random", "--model_args", "seed=0", "--tasks", "mabench_synth_closed",
                       "--batch_size", "1"], tmp_path / "random", env)["results"]
    for task in TASKS:
        name = f"mabench_synth_{task}"
        assert motion[name]["model_failures,none"] == 0
        assert motion[name]["accuracy,none"] > random[name]["accuracy,none"], name
