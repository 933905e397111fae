"""FAVOR-Bench close-ended: the official judge, the fixed denominators, the release layouts, lmms-eval."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lmms_results import evaluate, mean_stderr
from mabench_fixture import write_moving_block_clip

from finemotion_eval.favor_tasks.closed import doc_to_text_official
from finemotion_eval.favor_tasks.dataset import FavorFormatError, load_prepared, load_release
from finemotion_eval.metrics.favor_mcqa import FAVOR_TASKS, OFFICIAL_DENOMINATORS, favor_judge, official_accuracy
from finemotion_eval.model_adapters.random_choice import random_answer
from finemotion_eval.video_io import SamplingProtocol, probe

BIN = Path(sys.executable).parent
OPTIONS = ["Walks forward", "Walks forward quickly", "Turns left", "Sits down", "Stands up"]


@pytest.mark.parametrize(
    "output, correct, expected",
    [
        ("The man walks forward.", "Walks forward", True),  # case-insensitive substring
        ("WALKS FORWARD", "Walks forward", True),
        ("He turns left.", "Walks forward", False),
        # Containment guard: another option containing the correct text also appears -> wrong.
        ("Walks forward quickly", "Walks forward", False),
        ("Walks forward quickly", "Walks forward quickly", True),
        # Official quirk, kept: repeating every option is correct unless the guard catches it.
        ("Walks forward quickly, Turns left, Sits down, Stands up, Walks forward", "Turns left", True),
        ("Walks forward quickly, Turns left, Sits down, Stands up, Walks forward", "Walks forward", False),
        ("", "Sits down", False),
    ],
)
def test_official_judge(output, correct, expected):
    assert favor_judge(output, correct, OPTIONS) is expected


def test_guard_containment_is_case_sensitive_as_official():
    # "walks forward quickly" does not contain "Walks forward" case-sensitively, so no guard applies.
    assert favor_judge("walks forward quickly", "Walks forward", ["Walks forward", "walks forward quickly"]) is True


def test_fixed_denominators_and_rounding():
    scores = official_accuracy({"AS": 1000, "NSM": 32})
    assert scores["AS"] == round(1000 / 2637 * 100, 2) == 37.92
    assert scores["NSM"] == 50.0 and scores["HAC"] == 0.0
    assert scores["ALL"] == round(1032 / 8184 * 100, 2)
    assert sum(OFFICIAL_DENOMINATORS[t] for t in FAVOR_TASKS) == OFFICIAL_DENOMINATORS["ALL"]
    with pytest.raises(KeyError, match="XYZ"):
        official_accuracy({"XYZ": 1})


def test_official_prompt_is_exact():
    doc = {"question": "What does the man do first?", "options": OPTIONS}
    assert doc_to_text_official(doc) == (
        "Carefully watch the video and pay attention to temporal dynamics in this video, focusing on the camera "
        "motions, actions, activities, and interactions. Based on your observations, select the best option that "
        "accurately addresses the question.\nWhat does the man do first?\nYou can only response with the answer among "
        "['Walks forward', 'Walks forward quickly', 'Turns left', 'Sits down', 'Stands up']"
    )


def release(videos: list[str], with_mp4: bool) -> list[dict]:
    items = []
    for i, name in enumerate(videos):
        questions = [{"question": f"Question {task} about clip {i}?", "options": OPTIONS, "correct_answer": OPTIONS[(i + k) % 5],
                      "task_type": task} for k, task in enumerate(FAVOR_TASKS)]
        items.append({"video_name": name + (".mp4" if with_mp4 else ""), "questions": questions, "caption": f"Clip {i}.",
                      "camera_motion": "Stationary", "subject_attributes": "Subject 1: Man [tall]",
                      "motion_list": "Subject 1: Man [Walks forward]", "chronological_motion_list": "Walks forward (Subject 1)"})
    return items


@pytest.mark.parametrize("with_mp4", [True, False])
def test_both_layouts_give_the_same_rows(tmp_path, with_mp4):
    video_layout = release(["00X3U", "4_07_000169"], with_mp4)
    question_layout = [{"video_name": item["video_name"], **q} for item in video_layout for q in item["questions"]]
    (tmp_path / "v.json").write_text(json.dumps(video_layout))
    (tmp_path / "q.json").write_text(json.dumps(question_layout))
    by_video, captions, report = load_release(tmp_path / "v.json", video_dir=tmp_path)
    by_question, no_captions, _ = load_release(tmp_path / "q.json", video_dir=tmp_path)
    strip = lambda rows: [{k: v for k, v in r.items() if not k.startswith("source")} for r in rows]  # noqa: E731
    assert strip(by_video) == strip(by_question)
    assert by_video[0]["video"] == str(tmp_path / "00X3U.mp4") and by_video[0]["qid"] == "00X3U_1"
    assert len(captions) == 2 and not no_captions
    assert report.per_task == {task: 2 for task in FAVOR_TASKS}


def test_malformed_release_is_a_clear_error(tmp_path):
    bad = release(["A"], False)
    bad[0]["questions"][0]["correct_answer"] = "not an option"
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    with pytest.raises(FavorFormatError, match="correct_answer is not one of its options"):
        load_release(tmp_path / "bad.json")


def prepare_favor_fixture(root: Path, clips: int = 3) -> Path:
    """``clips`` moving-block clips with the questions of :func:`release`, prepared into ``root/prepared``."""
    (root / "videos").mkdir(parents=True)
    names = [f"clip{i}" for i in range(clips)]
    for i, name in enumerate(names):
        write_moving_block_clip(root / "videos" / f"{name}.mp4", seed=i)
    (root / "video_perspective.json").write_text(json.dumps(release(names, with_mp4=True)))
    subprocess.run([str(BIN / "finemotion"), "favor", "prepare", "--release", str(root / "video_perspective.json"), "--videos",
                    str(root / "videos"), "--out", str(root / "prepared"), "--no-record"], check=True, capture_output=True)
    return root / "prepared"


@pytest.fixture(scope="module")
def favor_prepared(tmp_path_factory):
    root = tmp_path_factory.mktemp("favor")
    prepare_favor_fixture(root)
    return root


def run_favor(root: Path, out: Path, tasks: str, response: str) -> dict:
    env = {**os.environ, "FINEMOTION_FAVOR_DIR": str(root / "prepared")}
    run = subprocess.run([str(BIN / "lmms-eval"), "--model", "dummy", "--model_args", f"response={response}", "--tasks", tasks,
                          "--batch_size", "1", "--output_path", str(out)], capture_output=True, text=True, env=env, timeout=600)
    files = sorted(out.rglob("*results.json"))
    assert files, run.stdout[-2000:] + run.stderr[-3000:]
    return json.loads(files[-1].read_text())["results"]


def test_lmms_eval_run_reports_official_and_actual_count_accuracy(favor_prepared, tmp_path):
    # The dummy model always answers "Turns left": the correct option for clip (2 - k) % 5 of task k.
    results = run_favor(favor_prepared, tmp_path / "out", "favor_closed", "Turns left")
    total_correct = 0
    for k, task in enumerate(FAVOR_TASKS):
        correct = sum(OPTIONS[(i + k) % 5] == "Turns left" for i in range(3))
        total_correct += correct
        entry = results[f"favor_{task.lower()}"]
        assert entry["acc_official,none"] == round(correct / OFFICIAL_DENOMINATORS[task] * 100, 2)
        # The standard error lmms-eval's mean_stderr gives for the official denominator's 0/100 scores.
        padded = [100.0] * correct + [0.0] * (OFFICIAL_DENOMINATORS[task] - correct)
        assert entry["acc_official_stderr,none"] == pytest.approx(mean_stderr(padded))
        assert entry["acc_actual_counts,none"] == pytest.approx(correct / 3 * 100)
        assert entry["n_scored,none"] == 3
        assert entry["acc_actual_counts_stderr,none"] == pytest.approx(mean_stderr([100.0 * (OPTIONS[(i + k) % 5] == "Turns left")
                                                                                     for i in range(3)]))
    group = results["favor_closed"]
    assert group["acc_actual_counts,none"] == pytest.approx(total_correct / 18 * 100)
    assert isinstance(group["acc_official_stderr,none"], float) and isinstance(group["acc_actual_counts_stderr,none"], float)


def test_letter_variant_is_a_separate_task(favor_prepared, tmp_path):
    results = run_favor(favor_prepared, tmp_path / "out", "favor_closed_letter", "C")
    for k, task in enumerate(FAVOR_TASKS):
        correct = sum((i + k) % 5 == 2 for i in range(3))
        assert results[f"favor_{task.lower()}_letter"]["accuracy,none"] == pytest.approx(correct / 3 * 100)
        assert results[f"favor_{task.lower()}_letter"]["accuracy_stderr,none"] == pytest.approx(
            mean_stderr([100.0 * ((i + k) % 5 == 2) for i in range(3)]))
        assert results[f"favor_{task.lower()}_letter"]["unparseable,none"] == 0


@pytest.mark.parametrize("tasks, protocol", [("favor_closed", "official"), ("favor_closed_letter", "letter")])
def test_random_baseline_draws_from_each_protocols_answers(favor_prepared, tmp_path, tasks, protocol):
    env = {**os.environ, "FINEMOTION_FAVOR_DIR": str(favor_prepared / "prepared")}
    results = evaluate(["--model", "finemotion_random", "--model_args", "seed=1", "--tasks", tasks, "--batch_size", "1"],
                       tmp_path / "out", env)["results"]
    for task in FAVOR_TASKS:
        name = f"favor_{task.lower()}" + ("_letter" if protocol == "letter" else "")
        docs = load_prepared(favor_prepared / "prepared", task)
        samples = [json.loads(line) for line in next((tmp_path / "out").rglob(f"*samples_{name}.jsonl")).read_text().splitlines()]
        correct = []
        for doc, sample in zip(docs, samples, strict=True):
            response = sample["filtered_resps"]
            assert response == random_answer(name, doc, 1)
            assert response in (doc["options"] if protocol == "official" else "ABCDE")
            correct.append(response == doc["answer"] if protocol == "official" else
                           doc["options"]["ABCDE".index(response)] == doc["answer"])
        metric = "acc_actual_counts" if protocol == "official" else "accuracy"
        assert results[name][f"{metric},none"] == pytest.approx(100 * sum(correct) / len(correct))


def test_adapters_show_the_official_frames_and_unanswered_questions_make_acc_official_nan(favor_prepared, tmp_path):
    from judge_server import JudgeServer

    env = {**os.environ, "FINEMOTION_FAVOR_DIR": str(favor_prepared / "prepared")}
    # The question about clip 0 fails for good: the official fixed-denominator accuracy cannot be computed.
    with JudgeServer(answer=lambda messages: OPTIONS[0], fail_if="about clip 0?") as server:
        results = evaluate(["--model", "finemotion_openai", "--model_args",
                            f"model=m,base_url={server.url},cache={tmp_path / 'c.sqlite'},max_retries=0",
                            "--tasks", "favor_as", "--batch_size", "1"], tmp_path / "out", env)["results"]["favor_as"]
        images = [sum(part["type"] == "image_url" for part in body["messages"][0]["content"]) for body in server.bodies]
    samples = [json.loads(line) for line in next((tmp_path / "out").rglob("*samples_favor_as.jsonl")).read_text().splitlines()]
    failed = [s for s in samples if s["model_failures"]["model_failure"]]
    answered = [s for s in samples if not s["model_failures"]["model_failure"]]
    assert len(failed) == 1 and len(answered) == 2 and results["model_failures,none"] == 1
    assert math.isnan(results["acc_official,none"]) and results["n_scored,none"] == len(answered)
    assert results["acc_actual_counts,none"] == pytest.approx(
        100 * sum(favor_judge(OPTIONS[0], s["target"], OPTIONS) for s in answered) / len(answered))
    for sample in answered:  # qwen-vl-utils at 1 fps with 360*420 pixels, as the official inference script
        provenance = sample["finemotion_provenance"]
        assert provenance["protocol"] == "qwen:fps=1.0:max_pixels=151200"
        clip = probe(provenance["video"])
        protocol = SamplingProtocol.parse(provenance["protocol"])
        indices = protocol.indices(clip.num_frames, clip.fps)
        assert provenance["indices"] == indices
        height, width = protocol.frame_size(clip.height, clip.width, len(indices))
        assert provenance["sent_size"] == [width, height]
    assert set(images) == {len(answered[0]["finemotion_provenance"]["indices"])}
