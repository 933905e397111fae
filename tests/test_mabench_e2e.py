"""lmms-eval end to end on real video files: the six MA-52 clips with questions written by the tests."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MA52_CLIPS, require
from lmms_results import evaluate, logged, mean_stderr, plain_mean_stderr
from mabench_fixture import write_questions

from finemotion_eval.mabench_tasks.dataset import CLOSED_TASKS
from finemotion_eval.metrics import accuracy

BIN = Path(sys.executable).parent
LABELS = {"A1": "Shaking body", "A2": "Turning around", "A3": "Sitting straightly", "B1": "Nodding", "B2": "Shaking head", "B3": "Turning head"}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    clips = require(MA52_CLIPS)
    root = tmp_path_factory.mktemp("ma52")
    named = sorted((p.stem, LABELS[p.stem[:2]]) for p in clips.glob("*.mp4"))
    questions = write_questions(named, root / "questions.json")
    subprocess.run([str(BIN / "finemotion"), "mabench", "prepare", "--questions", str(questions), "--videos", str(clips),
                    "--out", str(root / "prepared"), "--no-record"], check=True, capture_output=True)
    return root


def run_lmms_eval(prepared: Path, out: Path, *args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "FINEMOTION_MABENCH_DIR": str(prepared / "prepared"), **(env_extra or {})}
    return subprocess.run(
        [str(BIN / "lmms-eval"), *args, "--tasks", "mabench_closed", "--batch_size", "1", "--output_path", str(out), "--log_samples"],
        capture_output=True, text=True, env=env, timeout=600, cwd=out.parent,
    )


def results_of(out: Path) -> dict:
    files = sorted(out.rglob("*results.json"))
    assert files, f"no results JSON under {out}"
    return json.loads(files[-1].read_text())["results"]


def test_random_baseline_run_writes_per_task_accuracy_stderr_and_unparseable(prepared, tmp_path):
    out = tmp_path / "random"
    env = {**os.environ, "FINEMOTION_MABENCH_DIR": str(prepared / "prepared")}
    results = evaluate(["--model", "finemotion_random", "--model_args", "seed=0", "--tasks", "mabench_closed",
                        "--batch_size", "1"], out, env)["results"]
    accuracies, stderrs = {}, {}
    for task in CLOSED_TASKS:
        name = f"mabench_{task.lower()}"
        records = logged(out, name, "unparseable")
        assert len(records) == (6 if task in ("CMAR", "FMAR") else 12)  # one choice question, two Yes/No per clip
        expected = accuracy([r["prediction"] == r["answer"] for r in records])
        entry = results[name]
        assert entry["accuracy,none"] == pytest.approx(expected)
        assert entry["accuracy_stderr,none"] == pytest.approx(mean_stderr(logged(out, name, "accuracy")))
        assert (entry["n_scored,none"], entry["unparseable,none"]) == (len(records), 0)  # random answers always name an option
        assert "mac2026_final,none" not in entry  # the MAC 2026 final score is the `mabench` group's alone
        accuracies[task], stderrs[task] = expected, entry["accuracy_stderr,none"]
    group = results["mabench_closed"]
    assert group["accuracy,none"] == pytest.approx(sum(accuracies.values()) / 6)
    assert group["accuracy_stderr,none"] == pytest.approx(plain_mean_stderr(list(stderrs.values())))


def test_unparseable_outputs_are_counted_not_crashing(prepared, tmp_path):
    # lmms-eval's dummy model answers "A" everywhere: a valid letter for CMAR/FMAR, no answer for Yes/No.
    out = tmp_path / "dummy"
    run = run_lmms_eval(prepared, out, "--model", "dummy")
    assert run.returncode == 0, run.stderr[-3000:]
    results = results_of(out)
    assert results["mabench_cmar"]["unparseable,none"] == 0
    for task in ("sad", "mad", "mas", "ppr"):
        assert results[f"mabench_{task}"]["unparseable,none"] == 12
        assert results[f"mabench_{task}"]["accuracy,none"] == 0.0


def test_clips_found_unusable_at_prepare_time_skip_their_questions_and_the_run_goes_on(prepared, tmp_path):
    clips = tmp_path / "clips"
    shutil.copytree(MA52_CLIPS, clips)
    broken = sorted(clips.glob("*.mp4"))[0]
    data = broken.read_bytes()
    broken.write_bytes(data[: len(data) // 2])  # cut off after its header, as a partial download
    questions = json.loads((prepared / "questions.json").read_text())
    questions[0]["video"] = "no_such_clip.mp4"
    (tmp_path / "q.json").write_text(json.dumps(questions))
    command = [str(BIN / "finemotion"), "mabench", "prepare", "--questions", str(tmp_path / "q.json"), "--videos", str(clips),
               "--out", str(tmp_path / "prepared"), "--no-record"]
    refused = subprocess.run(command, capture_output=True, text=True)
    assert refused.returncode == 2 and f"{broken.stem}: " in refused.stderr and "no_such_clip: missing" in refused.stderr
    assert subprocess.run([*command, "--verify", "header"], capture_output=True).returncode == 2  # the missing one
    subprocess.run([*command, "--allow-missing-videos"], check=True, capture_output=True)
    skipped = {broken.stem, "no_such_clip"}
    out = tmp_path / "out"
    env = {**os.environ, "FINEMOTION_MABENCH_DIR": str(tmp_path / "prepared")}
    run = subprocess.run([sys.executable, "-m", "lmms_eval", "--model", "finemotion_random", "--tasks", "mabench_closed",
                          "--batch_size", "1", "--output_path", str(out)], capture_output=True, text=True, env=env, timeout=600)
    (results_file,) = out.rglob("*results.json")
    results = json.loads(results_file.read_text())["results"]
    for task in CLOSED_TASKS:
        expected = sum(q["task"] == task and q["video"].removesuffix(".mp4") not in skipped for q in questions)
        assert results[f"mabench_{task.lower()}"]["n_scored,none"] == expected
        assert f"finemotion: {task}: {sum(q['task'] == task for q in questions) - expected} of " in run.stderr


def test_a_clip_gone_after_prepare_is_a_clear_error(prepared, tmp_path):
    clips = tmp_path / "clips"
    shutil.copytree(MA52_CLIPS, clips)
    subprocess.run([str(BIN / "finemotion"), "mabench", "prepare", "--questions", str(prepared / "questions.json"), "--videos",
                    str(clips), "--out", str(tmp_path / "prepared"), "--no-record"], check=True, capture_output=True)
    gone = sorted(clips.glob("*.mp4"))[0]
    gone.unlink()
    out = tmp_path / "missing"
    run = run_lmms_eval(tmp_path, out, "--model", "finemotion_random")
    assert gone.name in run.stdout + run.stderr
    assert "FINEMOTION_MABENCH_VIDEOS" in run.stdout + run.stderr
    assert not list(out.rglob("*results.json"))


def test_export_and_score_a_run(prepared, tmp_path):
    out = tmp_path / "random"
    assert run_lmms_eval(prepared, out, "--model", "finemotion_random").returncode == 0
    submission = tmp_path / "submission.json"
    subprocess.run([str(BIN / "finemotion"), "mabench", "export", "--samples", str(out), "--out", str(submission)], check=True)
    answers = json.loads(submission.read_text())["answers"]
    assert len(answers) == 6 * 10 and {a["qid"].split("_")[0] for a in answers} == set(CLOSED_TASKS)
    scored = subprocess.run([str(BIN / "finemotion"), "mabench", "score", "--predictions", str(submission), "--answers",
                             str(prepared / "questions.json"), "--json", str(tmp_path / "score.json")], check=True,
                            capture_output=True, text=True)
    score = json.loads((tmp_path / "score.json").read_text())
    lmms = results_of(out)
    for task in CLOSED_TASKS:
        assert score["accuracy"][task] == pytest.approx(lmms[f"mabench_{task.lower()}"]["accuracy,none"])
    assert "AVG" in scored.stdout


def test_python_api_with_include_path(prepared, monkeypatch):
    from lmms_eval.evaluator import simple_evaluate
    from lmms_eval.tasks import TaskManager

    from finemotion_eval.lmms_plugin import task_dirs

    monkeypatch.setenv("FINEMOTION_MABENCH_DIR", str(prepared / "prepared"))
    results = simple_evaluate(model="finemotion_random", model_args="seed=1", tasks=["mabench_cmar"],
                              task_manager=TaskManager(include_path=task_dirs()), batch_size=1, log_samples=True)
    records = [sample["unparseable"] for sample in results["samples"]["mabench_cmar"]]
    entry = results["results"]["mabench_cmar"]
    assert entry["accuracy,none"] == pytest.approx(accuracy([r["prediction"] == r["answer"] for r in records]))
    assert entry["accuracy_stderr,none"] == pytest.approx(mean_stderr([s["accuracy"] for s in results["samples"]["mabench_cmar"]]))


def test_random_baseline_gives_the_same_answers_through_lmms_eval_and_the_cli(prepared, tmp_path):
    env = {**os.environ, "FINEMOTION_MABENCH_DIR": str(prepared / "prepared")}
    evaluate(["--model", "finemotion_random", "--model_args", "seed=3", "--tasks", "mabench_closed", "--batch_size", "1"],
             tmp_path / "out", env)
    subprocess.run([str(BIN / "finemotion"), "mabench", "export", "--samples", str(tmp_path / "out"), "--out",
                    str(tmp_path / "lmms.json")], check=True, capture_output=True)
    subprocess.run([str(BIN / "finemotion"), "mabench", "random", "--questions", str(prepared / "questions.json"), "--seed", "3",
                    "--out", str(tmp_path / "cli.json")], check=True, capture_output=True)
    through_lmms = {a["qid"]: a["pred_answer"] for a in json.loads((tmp_path / "lmms.json").read_text())["answers"]}
    through_cli = {a["qid"]: a["pred_answer"] for a in json.loads((tmp_path / "cli.json").read_text())["answers"]}
    assert len(through_cli) == 60 and through_lmms == through_cli
