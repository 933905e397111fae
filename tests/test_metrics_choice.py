"""Answer extraction: hand-written output formats, MA-Bench sample questions and property tests."""

from __future__ import annotations

import json
import string
import time

import pytest
from conftest import MABENCH_REFERENCE, require
from hypothesis import given, settings
from hypothesis import strategies as st

from finemotion_eval.metrics.choice import (
    DEFAULT_LETTERS,
    extract_choice,
    extract_yes_no,
    strip_reasoning,
)

# CMAR labels in an order where each short label precedes the longer label containing it ...
CMAR = ["Body", "Head", "Upper limb", "Lower limb", "Body-hand", "Head-hand", "Leg-hand"]
# ... and reversed, so a right answer cannot come from option order alone.
CMAR_REVERSED = CMAR[::-1]
FMAR = ["Closing legs", "Turning around", "Spread legs", "Hands touching fingers", "Scratching or touching face"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A", "A"),
        ("(A)", "A"),
        ("A.", "A"),
        ("A)", "A"),
        ("[A]", "A"),
        ("  C \n", "C"),
        ("Answer: A", "A"),
        ("answer:B", "B"),
        ("The answer is A.", "A"),
        ("The correct answer is (D).", "D"),
        ("Final Answer: E", "E"),
        ("答案：A", "A"),
        ("答案是F选项", "F"),
        ("答案：（Ｂ）", "B"),
        ("**A**", "A"),
        ("**A. Body**", "A"),
        ("`G`", "G"),
        ("_D_", "D"),
        ("*C*", "C"),
        ("Option A", "A"),
        ("I choose option C.", "C"),
        ("选项B", "B"),
        ("a", "A"),
        ("(b)", "B"),
        ("g.", "G"),
        ("A. Upper limb", "A"),
        ("C: Upper limb", "C"),
        ("(F) Head-hand", "F"),
        ("B is correct.", "B"),
        ("(E) is the correct answer", "E"),
        ("I'd go with D.", "D"),
        ("After comparing the options, C", "C"),
        ("The movement involves the legs.\n\nD", "D"),
        ("I think the answer is (C) Lower limb because the knee rises.", "C"),
        ("Answer: D\nExplanation: option B is wrong because the head does not move.", "D"),
        ("A. Body: unlikely.\nB. Head: unlikely.\nAnswer: F", "F"),
        ("<think>Maybe B, maybe A.</think>C", "C"),
        ("<think>\nThe hand rises.\n</think>\n\nThe answer is E.", "E"),
        ("The hand touches the face.</think>F", "F"),  # opening tag was in the chat template
    ],
)
def test_letter_formats(text: str, expected: str) -> None:
    assert extract_choice(text, CMAR) == expected


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Upper limb", "Upper limb"),
        ("upper limb", "Upper limb"),
        ("  UPPER   LIMB. ", "Upper limb"),
        ("**Lower limb**", "Lower limb"),
        ("Head", "Head"),
        ("Head-hand", "Head-hand"),
        ("head hand", "Head-hand"),
        ("Head hand.", "Head-hand"),
        ("Body", "Body"),
        ("Body-hand", "Body-hand"),
        ("body_hand", "Body-hand"),
        ("Leg-hand", "Leg-hand"),
        ("The answer is Head-hand because the hand touches the head.", "Head-hand"),
        ("Answer: Body-hand", "Body-hand"),
        ("答案：Upper limb", "Upper limb"),
        ("It belongs to the Body-hand category.", "Body-hand"),
        ("The category is Head.", "Head"),
    ],
)
@pytest.mark.parametrize("options", [CMAR, CMAR_REVERSED], ids=["short-first", "long-first"])
def test_option_text(text: str, label: str, options: list[str]) -> None:
    assert extract_choice(text, options) == DEFAULT_LETTERS[options.index(label)]


@pytest.mark.parametrize("options", [CMAR, CMAR_REVERSED], ids=["short-first", "long-first"])
@pytest.mark.parametrize("label", ["Body-hand", "Head-hand", "Body", "Head"])
def test_letter_with_label_containing_another(options: list[str], label: str) -> None:
    letter = DEFAULT_LETTERS[options.index(label)]
    assert extract_choice(f"{letter}. {label}", options) == letter
    assert extract_choice(f"**{letter}. {label}**", options) == letter


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "<think>",
        "<think>Let me look at the hands.",
        "<think>The answer is B",  # cut off before the closing tag: reasoning, not an answer
        "<think>The answer is B.</think>",
        "A or B",
        "The answer is A or B.",
        "Answer: A, B",
        "Either (C) or (D).",
        "A. Body\nB. Head\nC. Upper limb",
        "A person raises a hand slowly.",
        "It is a difficult case.",
        "a person",
        "I cannot tell from the video.",
        "E.g. the hand rises.",
        "Head or Head-hand, hard to say.",
        "The answer is not clear.",
    ],
)
def test_undetermined(text: str) -> None:
    assert extract_choice(text, CMAR) is None


@pytest.mark.parametrize("text", ["F", "Answer: G", "(F)", "F. Head-hand", "H"])
def test_letter_outside_options(text: str) -> None:
    assert extract_choice(text, FMAR) is None


def test_fmar_labels() -> None:
    assert extract_choice("Scratching or touching face", FMAR) == "E"
    assert extract_choice("The person is scratching or touching face.", FMAR) == "E"
    assert extract_choice("spread legs", FMAR) == "C"
    assert extract_choice("D. Hands touching fingers", FMAR) == "D"


def test_custom_letters() -> None:
    assert extract_choice("B", ["Yes", "No"], letters="AB") == "B"
    assert extract_choice("X", ["Yes", "No"], letters="XY") == "X"
    assert extract_choice("No", ["Yes", "No"], letters="XY") == "Y"
    assert extract_choice("A", ["Yes", "No"], letters="XY") is None


@pytest.mark.parametrize(
    ("options", "letters"), [(["a"] * 8, None), (["a", "b"], "A"), (["a", "b"], "AA"), (["a"], "a")]
)
def test_bad_arguments_raise(options: list[str], letters: str | None) -> None:
    with pytest.raises(ValueError):
        extract_choice("A", options, letters)


def test_no_options() -> None:
    assert extract_choice("A", []) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes", "Yes"),
        ("yes", "Yes"),
        ("YES!", "Yes"),
        ("No", "No"),
        ("no", "No"),
        ("No.", "No"),
        ("(a) Yes", "Yes"),
        ("(b) No", "No"),
        ("b. no", "No"),
        ("**Yes**", "Yes"),
        ("`No`", "No"),
        ("Yes, the hand moves up.", "Yes"),
        ("No, the right hand stays still.", "No"),
        ("No movement of the head is visible.", "No"),
        ("Answer: no", "No"),
        ("**Answer:** Yes", "Yes"),
        ("The answer is yes.", "Yes"),
        ("Final answer: NO", "No"),
        ("Looking at the late phase, yes.", "Yes"),
        ("The hand moves left first. So, no.", "No"),
        ("True", "Yes"),
        ("False.", "No"),
        ("是", "Yes"),
        ("是的", "Yes"),
        ("是的，右手向上移动。", "Yes"),
        ("对", "Yes"),
        ("否", "No"),
        ("不是", "No"),
        ("不对。", "No"),
        ("不", "No"),
        ("没有", "No"),
        ("答案：是", "Yes"),
        ("答案是否", "No"),
        ("<think>Probably not.</think>Yes", "Yes"),
        ("<think>\nthe hand rises\n</think>\n\nNo.", "No"),
        ("Yes. On reflection, the final answer: no", "No"),
    ],
)
def test_yes_no_formats(text: str, expected: str) -> None:
    assert extract_yes_no(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "<think>",
        "<think>Yes, it moves.</think>",
        "Yes or No",
        "yes/no",
        "The answer is yes or no.",
        "是或否",
        "I cannot tell.",
        "not",
        "Not sure.",
        "know",
        "nothing",
        "Nothing moves.",
        "yesterday",
        "Yesterday the hand moved.",
        "There is no movement.",
        "The hand does not move.",
        "(a)",
        "是否",
        "答案是否定的",
        "Notably, the arm rises.",
    ],
)
def test_yes_no_undetermined(text: str) -> None:
    assert extract_yes_no(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>reasoning</think>\n  Answer: B ", "Answer: B"),
        ("<THINK>x</THINK>B", "B"),
        ("<think>unterminated B", ""),
        ("<think>", ""),
        ("plain answer", "plain answer"),
        ("reasoning</think>B", "B"),
        ("B <think>later</think>", "B <think>later</think>"),
    ],
)
def test_strip_reasoning(text: str, expected: str) -> None:
    assert strip_reasoning(text) == expected


def _sample_rows(task: str) -> list[dict]:
    sample = require(MABENCH_REFERENCE / "mabench_data_sample_100.json")
    return [row for row in json.loads(sample.read_text(encoding="utf-8")) if row["task"] == task]


@pytest.mark.parametrize("task", ["CMAR", "FMAR"])
def test_official_sample_questions(task: str) -> None:
    """Every answer form for every official sample question maps back to the ground-truth letter."""
    for row in _sample_rows(task):
        lines = row["question"].split("\n")[1:]
        letters = "".join(line[0] for line in lines)
        options = [line[3:] for line in lines]
        gold = row["answer"]
        label = options[letters.index(gold)]
        for text in (gold, f"({gold})", f"{gold}. {label}", f"Answer: {gold}"):
            assert extract_choice(text, options, letters) == gold, (row["qid"], text)
        # The options of a few FMAR questions repeat the ground-truth label (SPEC 1.3, the stripped
        # " - B2" code suffix), so the label text alone cannot tell which letter is meant.
        by_text = gold if options.count(label) == 1 else None
        for text in (label, f"The answer is {label}."):
            assert extract_choice(text, options, letters) == by_text, (row["qid"], text)


@pytest.mark.parametrize("task", ["SAD", "MAD", "MAS", "PPR"])
def test_official_sample_yes_no(task: str) -> None:
    for row in _sample_rows(task):
        gold = row["answer"]
        for text in (gold, gold.upper(), f"{gold}.", f"Answer: {gold.lower()}"):
            assert extract_yes_no(text) == gold, (row["qid"], text)


MA52_PHRASES = [
    "Shaking body", "Sitting straightly", "Shrugging", "Turning around", "Rising up", "Bowing head",
    "Head up", "Tilting head", "Turning head", "Nodding", "Shaking head", "Scratching arms", "Playing objects",
    "Putting hands together", "Rubbing hands", "Pointing oneself", "Clenching fist", "Stretching arms",
    "Retracting arms", "Waving", "Spreading hands", "Hands touching fingers", "Other finger movements",
    "Illustrative gestures", "Shaking legs", "Curling legs", "Spread legs", "Closing legs", "Crossing legs",
    "Stretching feet", "Retracting feet", "Tiptoe", "Scratching or touching neck", "Arms akimbo",
    "Crossing arms", "Touching nose", "Covering mouth", "Patting legs", "Touching legs", "Scratching feet",
    *CMAR,
]
label_options = st.lists(st.sampled_from(MA52_PHRASES), min_size=1, max_size=7, unique=True)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_choice_never_raises_on_any_text(text: str) -> None:
    assert extract_choice(text, CMAR) in {None, *DEFAULT_LETTERS}


@settings(max_examples=300, deadline=None)
@given(st.text(), st.lists(st.text(), max_size=7))
def test_choice_never_raises_on_any_options(text: str, options: list[str]) -> None:
    assert extract_choice(text, options) in {None, *DEFAULT_LETTERS[: len(options)]}


@settings(max_examples=200, deadline=None)
@given(st.text(), st.permutations(string.ascii_uppercase), st.lists(st.text(max_size=20), min_size=1, max_size=7))
def test_choice_with_custom_letters(text: str, alphabet: list[str], options: list[str]) -> None:
    letters = "".join(alphabet[: len(options)])
    assert extract_choice(text, options, letters) in {None, *letters}


@settings(max_examples=300, deadline=None)
@given(label_options, st.data())
def test_choice_reads_back_each_option(options: list[str], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(options) - 1))
    letter = DEFAULT_LETTERS[index]
    label = options[index]
    assert extract_choice(letter, options) == letter
    assert extract_choice(f"{letter}. {label}", options) == letter
    assert extract_choice(f"The answer is ({letter}) {label.lower()}.", options) == letter
    assert extract_choice(label.upper(), options) == letter


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=7), st.data())
def test_bare_letter_reads_back_for_any_options(options: list[str], data: st.DataObject) -> None:
    letter = DEFAULT_LETTERS[data.draw(st.integers(0, len(options) - 1))]
    assert extract_choice(letter, options) == letter


@settings(max_examples=200, deadline=None)
@given(label_options.filter(lambda o: len(o) >= 2), st.data(), st.sampled_from(["{} or {}", "{}/{}", "{} and {}"]))
def test_two_letters_are_ambiguous(options: list[str], data: st.DataObject, template: str) -> None:
    valid = st.sampled_from(DEFAULT_LETTERS[: len(options)])
    first, second = data.draw(st.lists(valid, min_size=2, max_size=2, unique=True))
    assert extract_choice(template.format(first, second), options) is None
    assert extract_choice("The answer is " + template.format(first, second), options) is None


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_yes_no_never_raises(text: str) -> None:
    assert extract_yes_no(text) in {None, "Yes", "No"}


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([("yes", "Yes"), ("no", "No"), ("true", "Yes"), ("false", "No")]),
    st.sampled_from([str.lower, str.upper, str.capitalize]),
    st.sampled_from(["", ".", "!", ",", " ", "**"]),
)
def test_yes_no_word_forms(word: tuple[str, str], case, suffix: str) -> None:
    text, expected = word
    assert extract_yes_no(case(text) + suffix) == expected
    assert extract_yes_no(f"<think>{text}?</think>{case(text)}{suffix}") == expected


@pytest.mark.parametrize(
    "text",
    [
        "answer" + " " * 100_000 + "x",
        "answer " * 50_000,
        "option " * 50_000,
        "(" * 200_000,
        "\n" * 200_000 + "A",
        "A or " * 50_000,
        "head hand " * 50_000,
        "!" * 100_000 + "a" + "!" * 100_000 + "b",
        "yes or " * 50_000,
        "。" * 200_000,
        "<think>" * 50_000,
    ],
    ids=lambda text: repr(text[:12]),
)
def test_linear_time_on_adversarial_input(text: str) -> None:
    start = time.perf_counter()
    extract_choice(text, CMAR)
    extract_yes_no(text)
    assert time.perf_counter() - start < 2.0
