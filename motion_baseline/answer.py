"""What ``finemotion_motion`` answers to one MA-Bench question, given the clip's descriptor: pure functions.

- CMAR/FMAR: the offered option the classifier (``classifier.py``) finds most probable;
- SAD/MAD/MAS/PPR: the question parsed into a descriptor query (``parser.py``) and checked (an MA-Synth
  template fact the descriptor leaves unsettled is read again as free wording); a question the parser cannot
  map, or whose query the descriptor does not settle, gets a seeded guess, and says so;
- MADU/MARE: the description and the reasoning the QA generator writes from a descriptor (``synth.qa``),
  MARE naming the classifier's fine label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from finemotion_eval.mabench_tasks.taxonomy import FINE_TO_COARSE
from finemotion_eval.metrics import DEFAULT_LETTERS
from finemotion_eval.model_adapters.random_choice import YES_NO, seeded_choice
from finemotion_eval.motion_baseline.classifier import MotionClassifier
from finemotion_eval.motion_baseline.parser import TemplateFact, parse_question
from finemotion_eval.motion_baseline.parser import answer as answer_query
from finemotion_eval.synth import qa
from finemotion_eval.synth.descriptors import ClipDescriptor

#: How an answer was reached, as recorded in the sample log.
CLASSIFIER, QUERY, LOOSE_QUERY, DESCRIPTOR = "classifier", "query", "query:free-wording", "descriptor"
UNPARSED, UNSETTLED = "guess:unparsed", "guess:unsettled"


@dataclass(frozen=True)
class MotionAnswer:
    text: str
    how: str  # one of the constants above
    detail: str = ""  # the query, or the classifier's top label


def _best_option(options: Sequence[str], probabilities: dict[str, float]) -> tuple[int, str]:
    """Index of the option with the highest probability (case-insensitive label match; ties: first)."""
    lowered = {label.lower(): p for label, p in probabilities.items()}
    scores = [lowered.get(option.strip().lower(), 0.0) for option in options]
    best = int(np.argmax(scores))
    return best, options[best]


def answer_question(task: str, qid: str, question: str, options: Sequence[str], d: ClipDescriptor,
                    classifier: MotionClassifier, seed: int) -> MotionAnswer:
    """The baseline's answer to one question of MA-Bench task ``task`` (CMAR ... MARE)."""
    if task in ("CMAR", "FMAR"):
        probabilities = classifier.coarse_probabilities(d) if task == "CMAR" else classifier.fine_probabilities(d)
        index, option = _best_option(options, probabilities)
        return MotionAnswer(DEFAULT_LETTERS[index], CLASSIFIER, option)
    if task in ("SAD", "MAD", "MAS", "PPR"):
        query = parse_question(question, task)
        if query is None:
            return MotionAnswer(seeded_choice(YES_NO, seed, qid), UNPARSED)
        truth = answer_query(query, d)
        if truth is not None:
            return MotionAnswer("Yes" if truth else "No", QUERY, repr(query))
        # MA-Synth's template facts are settled only when clear-cut (they were written to have exact answers);
        # read as free wording, the looser rules still beat a coin flip on tracker descriptors.
        loose = parse_question(question, task, templates=False) if isinstance(query, TemplateFact) else None
        truth = None if loose is None else answer_query(loose, d)
        if truth is not None:
            return MotionAnswer("Yes" if truth else "No", LOOSE_QUERY, repr(loose))
        return MotionAnswer(seeded_choice(YES_NO, seed, qid), UNSETTLED, repr(query))
    rng = np.random.default_rng(int.from_bytes(qid.encode()[-8:].rjust(8, b"\0"), "big") ^ seed)
    fine = max(classifier.fine_probabilities(d).items(), key=lambda kv: kv[1])[0]
    if task == "MADU":
        return MotionAnswer(qa.describe(d, rng), DESCRIPTOR)
    if task == "MARE":
        return MotionAnswer(qa.reason(d, fine, rng), DESCRIPTOR, f"{FINE_TO_COARSE[fine]} / {fine}")
    raise ValueError(f"finemotion_motion answers MA-Bench tasks only, not {task!r}")
