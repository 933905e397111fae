"""Reading integer scores out of a judge's reply, forgiving the usual ways judges stray from pure JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["ScoreParseError", "parse_scores"]

_FENCE = re.compile(r"```[A-Za-z]*\s*\n?(.*?)```", re.DOTALL)
# Judges that nest a score under its key mostly use one of these names.
_NESTED_SCORE_NAMES = ("score", "value", "rating")


class ScoreParseError(ValueError):
    """The reply holds no JSON object with every expected key as an integer in range."""


def parse_scores(text: str, keys: Sequence[str], low: int, high: int) -> dict[str, int]:
    """The scores for ``keys`` from the first JSON object in ``text`` that has all of them in ``[low, high]``.

    Accepted: code fences, text around the object, integers written as strings ("4") or as whole floats
    (4.0), and a score nested as ``{"L1": {"score": 4}}``; keys match case-insensitively. Anything else
    (missing key, fraction, out of range, booleans) is an error, never a guess.
    """
    last_error = "no JSON object in the reply"
    for candidate in _json_objects(text):
        try:
            return _scores_from(candidate, keys, low, high)
        except ScoreParseError as error:
            last_error = str(error)
    raise ScoreParseError(last_error)


def _json_objects(text: str):
    """Every JSON object in ``text``: fenced blocks first, then objects found by scanning for ``{``."""
    decoder = json.JSONDecoder()
    sources = [match.group(1) for match in _FENCE.finditer(text)] + [text]
    for source in sources:
        start = source.find("{")
        while start != -1:
            try:
                value, _ = decoder.raw_decode(source, start)
            except json.JSONDecodeError:
                value = None
            if isinstance(value, dict):
                yield value
            start = source.find("{", start + 1)


def _scores_from(obj: Mapping[str, Any], keys: Sequence[str], low: int, high: int) -> dict[str, int]:
    by_name = {str(name).strip().lower(): value for name, value in obj.items()}
    scores: dict[str, int] = {}
    for key in keys:
        if key.lower() not in by_name:
            raise ScoreParseError(f"missing key {key!r}")
        score = _as_int(by_name[key.lower()])
        if score is None:
            raise ScoreParseError(f"{key!r} is not an integer: {by_name[key.lower()]!r}")
        if not low <= score <= high:
            raise ScoreParseError(f"{key!r} = {score} is outside [{low}, {high}]")
        scores[key] = score
    return scores


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):  # bool is an int subclass, and True is no score
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        return int(text) if re.fullmatch(r"[+-]?\d+", text) else None
    if isinstance(value, Mapping):
        for name in _NESTED_SCORE_NAMES:
            if name in value:
                return _as_int(value[name])
    return None
