"""Filters that drop questions a model answers without watching the motion (FAVOR-Bench's blind and single-frame).

They work on rows of the prepared-folder schema, whichever benchmark they come from (MA-Bench, FAVOR-Bench, a
``finemotion build``): ``qid``, ``video`` (the clip's path), ``video_name``, ``task``, ``question`` (the
stem), ``options`` (``[]`` for Yes/No) and ``answer`` (Yes/No, a letter, or the keyed option's text as in
FAVOR-Bench). Each question is asked ``shuffles`` times with its options in a different seeded order (a
Yes/No question has no order to shuffle: its shuffles are one request), worded as our MA-Bench tasks word a
closed question (``prompts/mabench/closed_*.txt``). The ``blind`` filter sends the text alone;
``single-frame`` sends ``frames`` frames sampled uniformly from the clip (1: the middle frame; FAVOR used 5)
before it. A question answered correctly in every shuffle is removed and kept aside with the model's answers
for review.

Requests go through the judges' client and reply cache, so a filter run again asks nothing it has an
answer to. A question whose request failed, or whose clip could not be read, stays in the set, counted as
undecided and named: a filter that could not ask is no evidence either way.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finemotion_eval.judges import JudgeConfig, JudgeUsage
from finemotion_eval.judges.runner import ask_cached
from finemotion_eval.mabench_tasks.dataset import format_question
from finemotion_eval.metrics import DEFAULT_LETTERS
from finemotion_eval.metrics.choice import extract_choice, extract_yes_no
from finemotion_eval.prompts import read_prompt

#: Filter name -> frames it shows (0: none).
FILTERS = {"blind": 0, "single-frame": 1}
DEFAULT_SHUFFLES = 3
JPEG_QUALITY = 90


@dataclass(frozen=True)
class Variant:
    """One way of asking a question: its full text and the answer that is correct in this option order."""

    text: str
    answer: str
    options: tuple[str, ...]  # () for Yes/No


def keyed_option(row: Mapping[str, Any]) -> str:
    """The correct option's text: ``answer`` itself when it is one of the options, else the option it letters."""
    options, answer = list(row["options"]), row["answer"]
    return answer if answer in options else options[DEFAULT_LETTERS.index(answer)]


def is_closed(row: Mapping[str, Any]) -> bool:
    """Whether a row has an answer a filter can check: options, or Yes/No."""
    return bool(row["options"]) or row["answer"] in ("Yes", "No")


def variants(row: Mapping[str, Any], shuffles: int, seed: int) -> list[Variant]:
    """``shuffles`` distinct option orders of a question row (the first is the row's own; fewer when the options
    have fewer orders); Yes/No: the row once."""
    if not row["options"]:
        return [Variant(row["question"], row["answer"], ())]
    options, keyed = list(row["options"]), keyed_option(row)
    rng = random.Random(f"{seed}/{row['qid']}")
    orders = [options]
    while len(orders) < min(shuffles, math.factorial(len(options))):
        order = rng.sample(options, len(options))
        if order not in orders:
            orders.append(order)
    return [Variant(format_question(row["question"], order), DEFAULT_LETTERS[order.index(keyed)], tuple(order))
            for order in orders]


def _prompt(variant: Variant) -> str:
    template = read_prompt("mabench/closed_choice.txt" if variant.options else "mabench/closed_yes_no.txt")
    return template.format(question=variant.text)


def _messages(variant: Variant, frame_urls: Sequence[str]) -> list[dict[str, Any]]:
    if not frame_urls:
        return [{"role": "user", "content": _prompt(variant)}]
    images = [{"type": "image_url", "image_url": {"url": url}} for url in frame_urls]
    return [{"role": "user", "content": [*images, {"type": "text", "text": _prompt(variant)}]}]


def clip_frames(path: str, frames: int) -> list[str]:
    """JPEG data URLs of ``frames`` frames sampled uniformly from the clip at ``path``."""
    from finemotion_eval.model_adapters.frames import jpeg_data_urls
    from finemotion_eval.video_io import SamplingProtocol, read_frames

    return jpeg_data_urls(read_frames(path, SamplingProtocol.parse(f"uniform:{frames}")).frames, JPEG_QUALITY)


@dataclass
class FilterRun:
    """What one filter did: the questions kept, the removed ones with the answers, the undecided, per task."""

    name: str
    model: str
    shuffles: int
    frames: int
    kept: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)  # each row plus "filter_answers"
    undecided: list[dict] = field(default_factory=list)  # each row plus "filter_error"
    usage: JudgeUsage = field(default_factory=JudgeUsage)

    def per_task(self) -> dict[str, dict[str, int]]:
        asked = Counter(r["task"] for r in (*self.kept, *self.removed))
        removed = Counter(r["task"] for r in self.removed)
        undecided = Counter(r["task"] for r in self.undecided)
        return {task: {"asked": asked[task], "removed": removed[task], "undecided": undecided[task]}
                for task in sorted(asked | undecided)}


async def run_filter(
    name: str,
    rows: Sequence[Mapping[str, Any]],
    config: JudgeConfig,
    cache_path: str | Path,
    *,
    shuffles: int = DEFAULT_SHUFFLES,
    frames: int | None = None,
    seed: int = 0,
) -> FilterRun:
    """Ask every closed question of ``rows`` (prepared schema, unique ``qid``) through filter ``name``."""
    if name not in FILTERS:
        raise ValueError(f"unknown filter {name!r}; one of {', '.join(FILTERS)}")
    if shuffles < 1:
        raise ValueError(f"shuffles must be at least 1, got {shuffles}")
    frames = FILTERS[name] if frames is None or not FILTERS[name] else frames
    run = FilterRun(name, config.model, shuffles, frames)
    asked: list[tuple[dict, list[Variant]]] = []
    requests: list[list[dict[str, Any]]] = []
    shown: dict[str, list[str]] = {}  # clip -> its frames, decoded once for all its questions
    for row in map(dict, rows):
        row_variants = variants(row, shuffles, seed)
        try:
            if frames and row["video"] not in shown:
                shown[row["video"]] = clip_frames(row["video"], frames)
            urls = shown[row["video"]] if frames else []
        except Exception as err:  # noqa: BLE001 - an unreadable clip leaves its question undecided, not the run
            run.undecided.append({**row, "filter_error": f"{type(err).__name__}: {err}"})
            run.kept.append(row)
            continue
        asked.append((row, row_variants))
        requests += [_messages(v, urls) for v in row_variants]
    run.usage.items = len(requests)
    outcomes = iter(await ask_cached(requests, str, config, cache_path, run.usage, progress=f"filter {name}"))
    for row, row_variants in asked:
        replies = [next(outcomes) for _ in row_variants]
        errors = [error for _, error, _ in replies if error is not None]
        if errors:
            run.usage.failed += 1
            run.undecided.append({**row, "filter_error": errors[0]})
            run.kept.append(row)
            continue
        answers = [{"options": list(v.options), "correct": v.answer, "reply": reply,
                    "read_as": extract_choice(reply, list(v.options)) if v.options else extract_yes_no(reply)}
                   for v, (reply, _, _) in zip(row_variants, replies)]
        if all(a["read_as"] == a["correct"] for a in answers):
            run.removed.append({**row, "filter_answers": answers})
        else:
            run.kept.append(row)
    return run
