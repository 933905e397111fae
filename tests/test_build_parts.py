"""The build's pure parts: checks, balance, cross-subject splits, clip labels, the --llm spec."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from finemotion_eval.generate.balance import balance_letters, balance_yes_no
from finemotion_eval.generate.checks import check_choice, check_row, leaked_words
from finemotion_eval.generate.filters import variants
from finemotion_eval.generate.labels import ClipInfo, read_clip_info
from finemotion_eval.generate.splits import class_counts, cross_subject_split
from finemotion_eval.inputs import InputFileError
from finemotion_eval.judges import JudgeConfig
from finemotion_eval.mabench_tasks.dataset import format_question, split_question
from finemotion_eval.mabench_tasks.taxonomy import COARSE_LABELS, FINE_TO_COARSE
from finemotion_eval.synth import qa
from finemotion_eval.synth.actions import RENDERED_LABELS
from finemotion_eval.synth.render import render_clip
from finemotion_eval.synth.subject import make_subject


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """A rendered clip's truth and its template questions."""
    truth = render_clip("shaking head", make_subject(7), seed=7, out_path=tmp_path_factory.mktemp("clip") / "c.mp4")
    return truth, qa.generate_questions(truth, "c", seed=0, index=0)


def test_template_questions_pass_the_checks_and_flipped_answers_do_not(clip):
    truth, rows = clip
    for row in rows:
        if row["task"] in ("MADU", "MARE"):
            continue
        assert check_row(row, truth.descriptor, truth.label) is None, row
        if row["task"] in ("SAD", "MAD", "MAS", "PPR"):
            flipped = {**row, "answer": "No" if row["answer"] == "Yes" else "Yes"}
            assert check_row(flipped, truth.descriptor, truth.label) == "contradicts"


def test_yes_no_questions_the_checker_cannot_map_or_answer_are_rejected(clip):
    truth, _ = clip
    d = truth.descriptor
    assert check_row({"task": "SAD", "question": "Does the tail move leftward in the middle phase?", "answer": "Yes"},
                     d, truth.label) == "unparsed"
    assert check_row({"task": "SAD", "question": "Does the head move?", "answer": "Maybe"}, d, truth.label) == "malformed"
    assert check_row({"task": "XYZ", "question": "Does the head move?", "answer": "Yes"}, d, truth.label) == "malformed"


def test_choice_checks_name_each_fault(clip):
    truth, rows = clip
    fmar = next(r for r in rows if r["task"] == "FMAR")
    stem, options = split_question(fmar["question"])
    keyed = "ABCDE".index(fmar["answer"])
    wrong = "ABCDE"[(keyed + 1) % 5]
    assert check_choice("FMAR", fmar["question"], wrong, truth.label) == "wrong_key"
    assert check_choice("FMAR", fmar["question"], fmar["answer"], None) == "no_label"
    coded = format_question(stem, [o + " - A12" if i == 0 else o for i, o in enumerate(options)])
    assert check_choice("FMAR", coded, fmar["answer"], truth.label) == "class_code"
    assert check_choice("FMAR", format_question(stem, [*options[:4], options[0]]), fmar["answer"], truth.label) == "bad_options"
    # Only labels of other coarse groups beside the answer: no hard negatives.
    easy = [o for o in (qa.sentence_case(f) for f, c in FINE_TO_COARSE.items() if c != FINE_TO_COARSE[truth.label])][:4]
    question = format_question(stem, [qa.sentence_case(truth.label), *easy])
    assert check_choice("FMAR", question, "A", truth.label) == "easy_negatives"
    # The stem names the answer's own words.
    leaky = format_question(f"Is the person {truth.label.split()[0]} something?", options)
    assert check_choice("FMAR", leaky, fmar["answer"], truth.label) == "leak"
    cmar = next(r for r in rows if r["task"] == "CMAR")
    assert check_choice("CMAR", cmar["question"], cmar["answer"], truth.label) is None


def test_leaked_words_are_the_ones_only_the_answer_shares_with_the_question():
    options = ["Touching nose", "Touching ears", "Rubbing eyes"]
    assert leaked_words("Which action touches the nose?", options, 0) == {"nose"}
    assert leaked_words("Which action is it?", options, 0) == set()
    assert leaked_words("Which touching action is it?", options, 0) == set()  # another option has "touching" too


def test_letters_are_spread_evenly_and_each_row_keeps_its_keyed_option():
    rows = []
    for i in range(70):
        options = list(COARSE_LABELS)
        rows.append({"id": str(i), "task": "CMAR", "question": format_question("Which?", options), "answer": "A"})
    balanced = balance_letters(rows, seed=1)
    assert Counter(r["answer"] for r in balanced) == Counter({letter: 10 for letter in "ABCDEFG"})
    for row in balanced:
        _, options = split_question(row["question"])
        assert options["ABCDEFG".index(row["answer"])] == COARSE_LABELS[0]
        assert sorted(options) == sorted(COARSE_LABELS)
    assert balance_letters(rows, seed=1) == balanced


def test_yes_no_sides_are_made_equal_per_task():
    rows = [{"id": f"{t}{i}", "task": t, "answer": "Yes" if i < n else "No"}
            for t, n in (("SAD", 7), ("MAS", 2)) for i in range(10)]
    kept, dropped = balance_yes_no(rows, seed=0)
    for task in ("SAD", "MAS"):
        sides = Counter(r["answer"] for r in kept if r["task"] == task)
        assert sides["Yes"] == sides["No"]
    assert len(dropped) == (7 - 3) + (8 - 2)
    assert {r["id"] for r in kept} | {r["id"] for r in dropped} == {r["id"] for r in rows}


def test_choice_variants_shuffle_the_options_and_move_the_key_with_them():
    row = {"qid": "c/FMAR/0", "task": "FMAR", "question": "Which?", "options": ["a", "b", "c", "d", "e"], "answer": "C"}
    shown = variants(row, shuffles=4, seed=0)
    assert len(shown) == 4 and shown[0].text == format_question("Which?", row["options"])
    assert len({v.options for v in shown}) == 4
    for variant in shown:
        assert variant.options["ABCDE".index(variant.answer)] == "c"
    # FAVOR-Bench keys the option's text, not its letter.
    assert [v.options["ABCDE".index(v.answer)] for v in variants({**row, "answer": "c"}, 4, 0)] == ["c"] * 4
    yes_no = variants({"qid": "x", "task": "SAD", "question": "Q?", "options": [], "answer": "No"}, shuffles=4, seed=0)
    assert [(v.text, v.answer) for v in yes_no] == [("Q?", "No")]


def test_cross_subject_split_shares_no_subject_and_balances_classes():
    labels = {f"c{i}": RENDERED_LABELS[i % 5] for i in range(100)}
    subjects = {f"c{i}": f"s{i // 5}" for i in range(100)}  # 20 subjects, 5 clips each, one of every label
    split = cross_subject_split(subjects, labels, test_share=0.2, seed=3)
    test_subjects = {subjects[c] for c, s in split.items() if s == "test"}
    train_subjects = {subjects[c] for c, s in split.items() if s == "train"}
    assert not test_subjects & train_subjects
    counts = class_counts(split, labels)
    assert sum(counts["test"].values()) == 20
    assert set(counts["test"].values()) == {4}  # every label at exactly its 20% share
    assert cross_subject_split(subjects, labels, test_share=0.2, seed=3) == split
    assert set(cross_subject_split({"a": "s", "b": "s"}, {}, 0.2).values()) == {"test"}  # one subject: nothing to split


def test_clip_labels_from_json_csv_and_synth_truth(tmp_path, clip):
    (tmp_path / "labels.json").write_text(json.dumps({"a.mp4": {"label": "Shaking head", "subject": 3}, "b": {}}))
    assert read_clip_info(tmp_path / "labels.json") == {"a": ClipInfo("shaking head", "3"), "b": ClipInfo()}
    (tmp_path / "labels.csv").write_text("video,label,subject\na.mp4,shaking head,s1\nb.mp4,,\n")
    assert read_clip_info(tmp_path / "labels.csv") == {"a": ClipInfo("shaking head", "s1"), "b": ClipInfo()}
    (tmp_path / "bad.csv").write_text("video,label,subject\na.mp4,juggling,s1\n")
    with pytest.raises(InputFileError, match=r"bad.csv: line 2: field 'label': 'juggling'"):
        read_clip_info(tmp_path / "bad.csv")
    truth_dir = tmp_path / "truth"
    truth_dir.mkdir()
    (truth_dir / "c.json").write_text(json.dumps(clip[0].to_dict()))
    assert read_clip_info(truth_dir) == {"c": ClipInfo("shaking head", "7")}


def test_llm_spec(monkeypatch):
    monkeypatch.setenv("MY_KEY", "secret")
    config = JudgeConfig.from_spec("base_url=http://127.0.0.1:1/v1,model=m,api_key_env=MY_KEY,concurrency=2,max_tokens=900")
    assert (config.base_url, config.model, config.api_key, config.concurrency, config.max_tokens) == (
        "http://127.0.0.1:1/v1", "m", "secret", 2, 900)
    assert "secret" not in repr(config)
    with pytest.raises(ValueError, match="api_key"):
        JudgeConfig.from_spec("model=m,api_key=secret")
    with pytest.raises(ValueError, match="not a number"):
        JudgeConfig.from_spec("model=m,concurrency=many")
