"""The seeded uniform guess behind the random baseline, free of any harness import.

One draw per question, keyed by (seed, question id), over the answers the question's task accepts: the
lmms-eval model and ``finemotion mabench random`` give the same answer to the same question.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from finemotion_eval.metrics import DEFAULT_LETTERS

YES_NO = ("Yes", "No")


def offered_answers(task: str, options: Sequence[str]) -> list[str]:
    """What a guess may answer on lmms-eval task ``task`` for a question with ``options``.

    Yes/No without options; FAVOR's official protocol judges the option's text, so the options themselves;
    otherwise (MA-Bench CMAR/FMAR, FAVOR's ``_letter`` tasks) the option letters.
    """
    if not options:
        return list(YES_NO)
    if task.startswith("favor_") and not task.endswith("_letter"):
        return list(options)
    return list(DEFAULT_LETTERS[: len(options)])


def seeded_choice(answers: Sequence[str], seed: int, key: str) -> str:
    """A uniform pick from ``answers`` that depends only on ``seed`` and ``key`` (not on hash seeds)."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return answers[int.from_bytes(digest[:8], "big") % len(answers)]


def random_answer(task: str, doc: Mapping, seed: int) -> str:
    """The baseline's answer to ``doc`` of lmms-eval task ``task``: the same through every route."""
    return seeded_choice(offered_answers(task, doc.get("options") or []), seed, doc["qid"])
