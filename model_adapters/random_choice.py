"""The seeded uniform guess behind the random baseline, free of any harness import."""

from __future__ import annotations

import hashlib
import re

_OPTION_LINE = re.compile(r"^([A-G])\. ", re.MULTILINE)


def offered_answers(prompt: str) -> list[str]:
    """The letters of the ``X. option`` lines in ``prompt``, or Yes/No when it lists none."""
    return _OPTION_LINE.findall(prompt) or ["Yes", "No"]


def seeded_choice(answers: list[str], seed: int, key: str) -> str:
    """A uniform pick from ``answers`` that depends only on ``seed`` and ``key`` (not on hash seeds)."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return answers[int.from_bytes(digest[:8], "big") % len(answers)]
