"""The synthetic MA-Bench question generator: exact answers, balance, official layout, determinism."""
from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from finemotion_eval.mabench_tasks.dataset import load_official, split_question
from finemotion_eval.mabench_tasks.taxonomy import COARSE_LABELS, FINE_TO_COARSE
from finemotion_eval.synth.actions import RENDERED_LABELS
from finemotion_eval.synth.descriptors import describe_motion
from finemotion_eval.synth.qa import (
    TASK_COUNTS,
    generate_questions,
    label_line,
    sentence_case,
    verify_question,
)
from finemotion_eval.synth.render import render_clip, simulate
from finemotion_eval.synth.subject import make_subject

N_CLIPS = 42
SEED = 11
YES_NO = ("SAD", "MAD", "MAS", "PPR")


@pytest.fixture(scope="module")
def clips():
    """(label, descriptor) of N_CLIPS clips from keypoints alone (no video), labels cycled."""
    out = []
    for i in range(N_CLIPS):
        label = RENDERED_LABELS[(7 * i) % len(RENDERED_LABELS)]
        _, kp, _, _ = simulate(label, make_subject(300 + i), seed=i, fps=30.0, size=(128, 160), duration=2.0)
        out.append((label, describe_motion(kp, 30.0)))
    return out


@pytest.fixture(scope="module")
def generated(clips):
    return [generate_questions(d, f"synth_{i:04d}", SEED, i, label=label) for i, (label, d) in enumerate(clips)]


def test_twelve_rows_in_official_layout(generated):
    for i, rows in enumerate(generated):
        assert Counter(r["task"] for r in rows) == TASK_COUNTS
        for r in rows:
            assert set(r) == {"video", "task", "qid", "question", "answer"}
            assert r["video"] == f"synth_{i:04d}.mp4"
            assert re.fullmatch(rf"{r['task']}_SYN\d{{4}}", r["qid"])
        qids = {r["qid"] for r in rows}
        assert {f"CMAR_SYN{i:04d}", f"SAD_SYN{2 * i:04d}", f"SAD_SYN{2 * i + 1:04d}", f"PPR_SYN{2 * i + 1:04d}"} <= qids
    all_qids = [r["qid"] for rows in generated for r in rows]
    assert len(all_qids) == len(set(all_qids))


def test_every_answer_rederives_from_the_descriptor(clips, generated):
    for (label, d), rows in zip(clips, generated):
        for r in rows:
            assert verify_question(r, d, label), r


def test_verify_rejects_wrong_answers(clips, generated):
    flip = {"Yes": "No", "No": "Yes"}
    for (label, d), rows in zip(clips[:10], generated[:10]):
        for r in rows:
            if r["task"] in YES_NO:
                assert not verify_question({**r, "answer": flip[r["answer"]]}, d, label)
            elif r["task"] in ("CMAR", "FMAR"):
                other = "B" if r["answer"] == "A" else "A"
                assert not verify_question({**r, "answer": other}, d, label)


def test_yes_no_balance_per_task(generated):
    for task in YES_NO:
        answers = [r["answer"] for rows in generated for r in rows if r["task"] == task]
        assert set(answers) == {"Yes", "No"}
        share = answers.count("Yes") / len(answers)
        assert 0.45 <= share <= 0.55, (task, share)
        firsts = [next(r["answer"] for r in rows if r["task"] == task) for rows in generated]
        assert 0.25 <= firsts.count("Yes") / len(firsts) <= 0.75  # which one comes first is random


def test_choice_options_and_letter_spread(clips, generated):
    letters = {"CMAR": Counter(), "FMAR": Counter()}
    hard = []
    for (label, _), rows in zip(clips, generated):
        by_task = {r["task"]: r for r in rows}
        stem, options = split_question(by_task["CMAR"]["question"])
        assert sorted(options) == sorted(COARSE_LABELS) and len(options) == 7
        assert not any(c.lower() in stem.lower() for c in COARSE_LABELS)
        assert options["ABCDEFG".index(by_task["CMAR"]["answer"])] == FINE_TO_COARSE[label]
        stem, options = split_question(by_task["FMAR"]["question"])
        assert len(options) == 5 and len(set(options)) == 5 and sentence_case(label) in options
        assert all(o == sentence_case(o.lower()) and o.lower() in FINE_TO_COARSE for o in options)
        assert not any(o.lower() in stem.lower() for o in options)
        assert not any(re.search(r"-\s*[A-G]\d+$", o) for o in options)
        assert options["ABCDE".index(by_task["FMAR"]["answer"])] == sentence_case(label)
        hard.append(sum(FINE_TO_COARSE[o.lower()] == FINE_TO_COARSE[label] for o in options) - 1)
        for task, counter in letters.items():
            counter[by_task[task]["answer"]] += 1
    assert set(letters["CMAR"]) == set("ABCDEFG") and min(letters["CMAR"].values()) >= N_CLIPS // 7 - 1
    assert set(letters["FMAR"]) == set("ABCDE") and min(letters["FMAR"].values()) >= N_CLIPS // 5 - 1
    assert sum(hard) / len(hard) >= 1.5  # hard negatives from the GT's coarse group are preferred


def test_open_references(clips, generated):
    for (label, _), rows in zip(clips, generated):
        by_task = {r["task"]: r for r in rows}
        assert 30 <= len(by_task["MADU"]["answer"].split()) <= 160
        mare = by_task["MARE"]["answer"]
        assert mare.endswith(f"[Body part (coarse-grained)] {FINE_TO_COARSE[label]} | "
                             f"[Micro-action (fine-grained)] {sentence_case(label)}")
        assert mare.endswith(label_line(label)) and "therefore" in mare
        assert label not in by_task["MADU"]["answer"].lower()


def test_rows_load_as_official_file(tmp_path, generated):
    path = tmp_path / "synth_qa.json"
    flat = [r for rows in generated for r in rows]
    path.write_text(json.dumps(flat, indent=1))
    rows, report = load_official(path)
    assert report.rows == 12 * N_CLIPS and report.stripped_option_codes == 0
    assert report.answers_attached == 12 * N_CLIPS
    assert report.per_task == {t: n * N_CLIPS for t, n in TASK_COUNTS.items()}
    fmar = next(r for r in rows if r["task"] == "FMAR")
    assert len(fmar["options"]) == 5 and "\n" not in fmar["question"]


def test_deterministic_for_a_seed(clips, generated):
    label, d = clips[3]
    assert generate_questions(d, "synth_0003", SEED, 3, label=label) == generated[3]
    assert generate_questions(d.to_dict(), "synth_0003", SEED, 3, label=label) == generated[3]
    assert generate_questions(d, "synth_0003", SEED + 1, 3, label=label) != generated[3]


def test_rewrite_hook_applies_to_stems_only(clips):
    label, d = clips[0]
    rows = generate_questions(d, "x", SEED, 0, label=label, rewrite=lambda s: "REWRITTEN " + s)
    plain = generate_questions(d, "x", SEED, 0, label=label)
    for r, p in zip(rows, plain):
        assert r["question"].startswith("REWRITTEN ") and r["answer"] == p["answer"]
        if r["task"] in ("CMAR", "FMAR"):
            assert split_question(r["question"])[1] == split_question(p["question"])[1]


def test_rendered_clip_truth(tmp_path):
    truth = render_clip("touching nose", make_subject(5), seed=5, out_path=tmp_path / "c.mp4",
                        size=(128, 160), duration=2.0)
    rows = generate_questions(truth, "c", 0, 7)
    assert len(rows) == 12 and all(verify_question(r, truth) for r in rows)
    assert all(verify_question(r, truth.to_dict()) for r in rows)


def test_llm_rewriting_goes_through_the_judge_client_and_its_cache(tmp_path):
    from judge_server import JudgeServer

    from finemotion_eval.judges import JudgeConfig, JudgeUsage
    from finemotion_eval.synth.rewrite import llm_rewriter

    questions = ["Does the head move downward in the early phase?", "Does the Right Hand approach the Head?"]
    with JudgeServer() as server:
        config = JudgeConfig(model="loopback", base_url=server.url, api_key="sk-test")
        usage = JudgeUsage()
        rewrite = llm_rewriter(config, tmp_path / "cache.sqlite", usage)
        first = [rewrite(q) for q in questions]
        again = [llm_rewriter(config, tmp_path / "cache.sqlite")(q) for q in questions]
        assert server.total == 2 and first == again and all(first)
        assert usage.sent == 2
