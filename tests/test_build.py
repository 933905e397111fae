"""``finemotion build`` end to end on 40 MA-Synth clips: offline, and with a scripted loopback language model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import datasets
import pytest
from judge_server import JudgeServer, prompt_key
from lmms_results import evaluate

from finemotion_eval.generate.language import fact_sheet
from finemotion_eval.generate.validation import truth_agreement
from finemotion_eval.mabench_tasks.dataset import CLOSED_TASKS, split_question
from finemotion_eval.synth import qa
from finemotion_eval.synth.dataset import build as build_synth
from finemotion_eval.synth.descriptors import ClipDescriptor

BIN = Path(sys.executable).parent
# The renderer's exact keypoints and no point tracks: the build's descriptors are the truth's, byte for byte.
EXACT_TRACKER = "skeleton=keypoints,points=none,mask=background"
INVENTED = "Does the tail move leftward in the middle phase?"


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    build_synth(root, clips=40, seed=3, workers=2, progress=False)
    return root


def finemotion_build(synth: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "finemotion"), "build", str(synth / "videos"), "--out", str(out), "--labels",
                           str(synth / "truth"), "--tracker", EXACT_TRACKER, *args], capture_output=True, text=True)


def test_offline_build_is_read_by_datasets_and_lmms_eval_and_agrees_with_the_truth(synth, tmp_path):
    out = tmp_path / "built"
    done = finemotion_build(synth, out)
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "build_report.json").read_text())
    assert report["ok"] and report["tracking"]["tracked"] == 40 and not report["rejected"]
    agreement = truth_agreement(out, synth / "truth")
    assert agreement == {task: Counter(agree=80 if task not in ("CMAR", "FMAR") else 40) for task in CLOSED_TASKS}

    test_rows = json.loads((out / "questions_test.json").read_text())
    train_rows = json.loads((out / "questions_train.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    subjects = {split: {manifest["clips"][Path(r["video"]).stem]["subject"] for r in rows}
                for split, rows in (("test", test_rows), ("train", train_rows))}
    assert subjects["test"] and subjects["train"] and not subjects["test"] & subjects["train"]
    for task in ("CMAR", "SAD", "MADU"):
        loaded = datasets.load_dataset(str(out / "test"), task.lower(), split="test")
        assert loaded["qid"] == [r["qid"] for r in test_rows if r["task"] == task]

    runs = tmp_path / "lmms"
    env = {**os.environ, "FINEMOTION_MABENCH_DIR": str(out / "test")}
    results = evaluate(["--model", "finemotion_random", "--model_args", "seed=0", "--tasks", "mabench_closed",
                        "--batch_size", "1"], runs, env)["results"]
    for task in CLOSED_TASKS:
        assert results[f"mabench_{task.lower()}"]["n_scored,none"] == sum(r["task"] == task for r in test_rows)

    again = finemotion_build(synth, out)  # resumable: nothing is tracked twice, the same files come out
    assert again.returncode == 0, again.stderr
    assert json.loads((out / "build_report.json").read_text())["tracking"]["done_before"] == 40
    assert json.loads((out / "questions_test.json").read_text()) == test_rows


class ScriptedModels:
    """The loopback server's replies: a describing and question-writing model, a blind filter model and a viewer.

    Each clip's questions are the template questions of another seed (correct), plus three wrong on purpose: a
    correct one with its answer flipped, one about a part the body does not have, one answered "Maybe". The
    filter models answer only the questions they are scripted to know (correctly, whatever the option order)
    and say "I cannot tell" to the rest.
    """

    def __init__(self, synth: Path) -> None:
        self.by_sheet, self.questions, self.truth = {}, {}, {}
        for index, path in enumerate(sorted((synth / "truth").glob("*.json"))):
            truth = json.loads(path.read_text())
            d = ClipDescriptor.from_dict(truth["descriptor"])
            self.by_sheet[fact_sheet(d)] = path.stem
            written = [r for r in qa.generate_questions(d, path.stem, 99, index) if r["task"] in ("SAD", "MAD", "MAS", "PPR")]
            wrong = [{**written[0], "answer": "No" if written[0]["answer"] == "Yes" else "Yes"},
                     {"task": "SAD", "question": INVENTED, "answer": "Yes"},
                     {"task": "MAD", "question": written[2]["question"], "answer": "Maybe"}]
            self.questions[path.stem] = [{k: r[k] for k in ("task", "question", "answer")} for r in written + wrong]
            self.truth[path.stem] = (truth, index, written)
        texts = Counter(q["question"] for qs in self.questions.values() for q in qs)
        unique = [(stem, w) for stem, (_, _, written) in sorted(self.truth.items()) for w in written if texts[w["question"]] == 1]
        # Blind knows a Yes/No question of every fourth clip; the viewer one of the others and some FMAR questions.
        self.blind = {w["question"]: w["answer"] for stem, w in unique[::16]}
        self.viewer = {w["question"]: w["answer"] for stem, w in unique[5::16]}
        for stem, (truth, index, _) in list(self.truth.items())[1::8]:
            fmar = next(r for r in qa.generate_questions(truth, stem, 0, index) if r["task"] == "FMAR")
            stem_text, options = split_question(fmar["question"])
            self.viewer[(stem_text, frozenset(options))] = options["ABCDE".index(fmar["answer"])]
        self.kill_at: int | None = None
        self.victim: subprocess.Popen | None = None
        self.received = 0
        self.answered: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, messages: list[dict]) -> str:
        with self.lock:
            self.received += 1
            if self.kill_at is not None and self.received == self.kill_at and self.victim is not None:
                os.killpg(self.victim.pid, signal.SIGKILL)
                self.victim.wait()
                return "the build that asked this is gone"
            self.answered.append(prompt_key(messages))
        content = messages[0]["content"]
        if isinstance(content, list):  # frames, then the question
            return self.filter_reply(content[-1]["text"], self.viewer, images=sum(c["type"] == "image_url" for c in content))
        if content.startswith("You are given measurements"):
            return "The head moves most; the rest stays nearly still."
        if "Write two texts" not in content and "Write Yes/No questions" not in content:
            return self.filter_reply(content, self.blind)
        stem = self.by_sheet[content.split(":\n", 1)[1].split("\n\n", 1)[0]]
        if "Write two texts" in content:
            return json.dumps({"description": f"Description of {stem}.", "reasoning": f"Reasoning for {stem}."})
        return "Here they are:\n```json\n" + json.dumps(self.questions[stem]) + "\n```"

    def filter_reply(self, prompt: str, known: dict, images: int = 0) -> str:
        assert images in (0, 2)  # the single-frame filter was asked for two frames
        question = prompt.rsplit("\n", 1)[0]
        if question in known:
            return known[question]
        try:
            stem, options = split_question(question)
        except ValueError:
            return "I cannot tell."
        keyed = known.get((stem, frozenset(options)))
        return "ABCDE"[options.index(keyed)] if keyed else "I cannot tell."


def test_llm_build_rejects_wrong_questions_filters_exactly_the_scripted_ones_and_resumes_after_sigkill(synth, tmp_path):
    models = ScriptedModels(synth)
    assert len(models.blind) >= 10 and len(models.viewer) >= 15
    out = tmp_path / "built"
    with JudgeServer(answer=models) as server:
        command = [str(BIN / "finemotion"), "build", str(synth / "videos"), "--out", str(out), "--labels", str(synth / "truth"),
                   "--tracker", EXACT_TRACKER, "--llm", f"base_url={server.url},model=scripted-writer,concurrency=1",
                   "--filters", "blind,single-frame", "--filter-llm", f"base_url={server.url},model=scripted-viewer",
                   "--frames", "2", "--shuffles", "3"]
        models.kill_at = 60  # in the middle of the descriptions (40 summaries come first)
        with open(tmp_path / "killed.log", "w") as log:
            models.victim = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
        models.victim.wait(timeout=600)
        assert models.victim.returncode == -signal.SIGKILL
        assert not (out / "build_report.json").exists()
        models.kill_at = None
        resumed = subprocess.run(command, capture_output=True, text=True, timeout=600)
        assert resumed.returncode == 0, resumed.stderr
    # No request that was answered was sent again, by the resumed build or by a filter.
    assert len(models.answered) == len(set(models.answered)) > 120
    report = json.loads((out / "build_report.json").read_text())
    assert report["tracking"]["done_before"] == 40 and report["language"]["failed"] == {}
    # Each clip's flipped and invented questions are SAD questions, its "Maybe" a MAD one.
    assert report["rejected"] == {"SAD": {"contradicts": 40, "unparsed": 40}, "MAD": {"malformed": 40}}
    rejected = [json.loads(line) for line in (out / "rejected.jsonl").read_text().splitlines()]
    assert Counter(r["reason"] for r in rejected) == Counter(unparsed=40, malformed=40, contradicts=40)
    removed = {name: [json.loads(line) for line in (out / "filters" / f"{name}_removed.jsonl").read_text().splitlines()]
               for name in ("blind", "single-frame")}
    assert {r["question"] for r in removed["blind"]} == set(models.blind)
    viewer_removed = {r["question"] if r["task"] != "FMAR" else (r["question"], frozenset(r["options"]))
                      for r in removed["single-frame"]}
    assert viewer_removed == set(models.viewer)
    assert all(len(r["filter_answers"]) == (3 if r["task"] == "FMAR" else 1) for r in removed["single-frame"])
    kept = json.loads((out / "questions_test.json").read_text()) + json.loads((out / "questions_train.json").read_text())
    assert not {r["question"] for r in kept} & set(models.blind)
    madu = [r for r in kept if r["task"] == "MADU"]
    assert len(madu) == 40 and all(r["answer"] == f"Description of {Path(r['video']).stem}." for r in madu)
    for task in ("SAD", "MAD", "MAS", "PPR"):
        answers = Counter(r["answer"] for r in kept if r["task"] == task)
        assert answers["Yes"] == answers["No"] > 0

