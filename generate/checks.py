"""Checks every generated closed question must pass before it is kept: pure functions, one reason per rejection.

- Yes/No (SAD, MAD, MAS, PPR): the question is read into a descriptor query by the motion baseline's parser
  (``motion_baseline.parser``: MA-Synth's templates first, then free wording) and answered from the clip's
  descriptor; the stated answer must be that one. A question the parser cannot map (a part the descriptor
  does not have, wording it cannot read) or whose fact the descriptor leaves unsettled is rejected: its key
  could not be trusted.
- Choice (CMAR, FMAR): the options are distinct labels of the taxonomy without class codes, the keyed option
  is the clip's label, FMAR offers hard negatives (labels of the same coarse group) where the group has them,
  and no option leaks the answer (:func:`leaked_words`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from finemotion_eval.mabench_tasks.dataset import CHOICE_TASKS, YES_NO_TASKS, split_question, strip_option_code
from finemotion_eval.mabench_tasks.taxonomy import COARSE_LABELS, FINE_TO_COARSE
from finemotion_eval.metrics import DEFAULT_LETTERS
from finemotion_eval.motion_baseline.parser import answer as answer_query
from finemotion_eval.motion_baseline.parser import parse_question
from finemotion_eval.synth.descriptors import ClipDescriptor

#: Why a question was rejected: reason -> what it means (the build report lists both).
REASONS: dict[str, str] = {
    "malformed": "not a question of a known task with a Yes/No or letter answer",
    "unparsed": "the checker cannot map it to the descriptor (unknown part or wording)",
    "unsettled": "the descriptor does not settle its answer",
    "contradicts": "its answer contradicts the descriptor",
    "no_label": "the clip has no label to check a recognition question against",
    "bad_options": "options are not distinct labels of the taxonomy",
    "class_code": "an option carries a class code",
    "wrong_key": "the keyed option is not the clip's label",
    "easy_negatives": "FMAR without hard negatives from the label's coarse group",
    "leak": "the answer shares words with the question that no other option has",
}
#: FMAR asks for at least this many distractors from the label's coarse group (fewer when the group is smaller).
HARD_NEGATIVES = 2
# Words too common to give an answer away.
_FUNCTION_WORDS = frozenset(
    "a an the of in on at to for from with by and or not is are was were be this that these those which what "
    "who whom does do did it its as into onto his her their person video clip".split())
_WORD = re.compile(r"[a-z]+")


def content_words(text: str) -> set[str]:
    """Lower-case words of ``text`` that carry meaning (three letters or more, not function words)."""
    return {w for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in _FUNCTION_WORDS}


def leaked_words(stem: str, options: Sequence[str], answer: int) -> set[str]:
    """Words the question shares with the answer option and with no other option: a reader can match them."""
    others = set().union(*(content_words(o) for i, o in enumerate(options) if i != answer))
    return (content_words(stem) & content_words(options[answer])) - others


def check_yes_no(task: str, question: str, answer: str, d: ClipDescriptor) -> str | None:
    """The reason to reject a Yes/No question, or None when the descriptor gives its stated answer."""
    query = parse_question(question, task)
    if query is None:
        return "unparsed"
    truth = answer_query(query, d)
    if truth is None:
        return "unsettled"
    return None if answer == ("Yes" if truth else "No") else "contradicts"


def check_choice(task: str, question: str, answer: str, fine: str | None) -> str | None:
    """The reason to reject a CMAR/FMAR question (stem plus ``X. option`` lines), or None."""
    if fine is None:
        return "no_label"
    try:
        stem, options = split_question(question)
    except ValueError:
        return "bad_options"
    if any(strip_option_code(o)[1] for o in options):
        return "class_code"
    valid = set(COARSE_LABELS) if task == "CMAR" else {label.lower() for label in FINE_TO_COARSE}
    names = options if task == "CMAR" else [o.lower() for o in options]
    if len(options) < 2 or len(set(names)) != len(names) or not set(names) <= valid:
        return "bad_options"
    letters = DEFAULT_LETTERS[: len(options)]
    truth = FINE_TO_COARSE[fine] if task == "CMAR" else fine.lower()
    if answer not in letters or names[letters.index(answer)] != truth:
        return "wrong_key"
    if task == "FMAR":
        group = [f for f, c in FINE_TO_COARSE.items() if c == FINE_TO_COARSE[fine] and f != fine]
        hard = sum(FINE_TO_COARSE[n] == FINE_TO_COARSE[fine] for n in names if n != truth)
        if hard < min(HARD_NEGATIVES, len(group)):
            return "easy_negatives"
    if leaked_words(stem, options, letters.index(answer)):
        return "leak"
    return None


def check_row(row: Mapping[str, Any], d: ClipDescriptor, fine: str | None) -> str | None:
    """The reason to reject a closed question row (``task``, ``question``, ``answer``), or None to keep it."""
    task, question, answer = row.get("task"), row.get("question"), row.get("answer")
    if not isinstance(question, str) or not question.strip() or not isinstance(answer, str):
        return "malformed"
    if task in YES_NO_TASKS:
        return check_yes_no(task, question, answer, d) if answer in ("Yes", "No") else "malformed"
    if task in CHOICE_TASKS:
        return check_choice(task, question, answer, fine)
    return "malformed"
