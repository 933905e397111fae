"""Judging a batch of predictions: cache first, then the endpoint, one repair try, results never lost."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from judges.cache import ReplyCache, cache_key
from judges.client import ChatClient, JudgeRequestError
from judges.config import JudgeConfig
from judges.parse import ScoreParseError
from judges.rubric import Rubric
from judges.usage import JudgeUsage

__all__ = ["JudgeItem", "JudgeResult", "JudgeRun", "judge_items", "judge_items_async"]

log = logging.getLogger(__name__)

# (scores, error, raw reply): exactly one of scores and error is set.
_Outcome = tuple[dict[str, int] | None, str | None, str | None]


@dataclass(frozen=True)
class JudgeItem:
    """One prediction to score against its ground truth."""

    id: str
    ground_truth: str
    prediction: str


@dataclass(frozen=True)
class JudgeResult:
    """The outcome for one item: ``scores`` or ``error``, never both, never neither."""

    id: str
    scores: dict[str, int] | None
    error: str | None
    reply: str | None  # the judge's raw text, kept for failures too so they can be inspected
    judge_model: str
    prompt_version: str

    @property
    def ok(self) -> bool:
        return self.scores is not None


@dataclass
class JudgeRun:
    """All results of one call, in input order, with what the run cost."""

    rubric: str
    keys: tuple[str, ...]
    judge_model: str
    prompt_version: str
    results: list[JudgeResult]
    usage: JudgeUsage = field(default_factory=JudgeUsage)

    @property
    def failures(self) -> list[JudgeResult]:
        """Items the judge could not score; they are excluded from means, not counted as 0."""
        return [result for result in self.results if not result.ok]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record of the run (it holds no API key: none is ever stored on results)."""
        return {
            "rubric": self.rubric,
            "keys": list(self.keys),
            "judge_model": self.judge_model,
            "prompt_version": self.prompt_version,
            "usage": self.usage.to_dict(),
            "failures": [result.id for result in self.failures],
            "results": [asdict(result) for result in self.results],
        }


def judge_items(
    items: Sequence[JudgeItem],
    rubric: Rubric,
    config: JudgeConfig,
    cache_path: str | Path | None = None,
) -> JudgeRun:
    """Score ``items`` with ``rubric``; blocking. Runs its own event loop (in a thread when one is running)."""
    coroutine_args = (items, rubric, config, cache_path)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(judge_items_async(*coroutine_args))
    # Called from async code (e.g. a notebook): a nested asyncio.run is not allowed in this thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, judge_items_async(*coroutine_args)).result()


async def judge_items_async(
    items: Sequence[JudgeItem],
    rubric: Rubric,
    config: JudgeConfig,
    cache_path: str | Path | None = None,
) -> JudgeRun:
    """Score ``items`` with ``rubric``; each readable reply is cached the moment it arrives."""
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("judge item ids must be unique")
    usage = JudgeUsage(items=len(items))
    keys = [cache_key(config.model, rubric.messages(i.ground_truth, i.prediction), config.sampling()) for i in items]
    # Items with identical requests share one judgement instead of racing for the same answer.
    first_item: dict[str, JudgeItem] = {}
    for key, item in zip(keys, items):
        first_item.setdefault(key, item)
    outcomes: dict[str, _Outcome] = {}
    with ReplyCache(cache_path) as cache:
        for key in first_item:
            cached = _cached_outcome(cache, key, rubric)
            if cached is not None:
                outcomes[key] = cached
        pending = [key for key in first_item if key not in outcomes]
        if pending:
            client = ChatClient(config, usage)  # created only when something must be sent
            try:
                judged = await asyncio.gather(
                    *(_judge_one(rubric, config.model, usage, client, cache, key, first_item[key]) for key in pending)
                )
            finally:
                await client.aclose()
            outcomes.update(zip(pending, judged))
    version = rubric.version
    results = [JudgeResult(item.id, *outcomes[key], config.model, version) for item, key in zip(items, keys)]
    sent_keys = set(pending)
    usage.cached = sum(1 for key in keys if key not in sent_keys)
    usage.failed = sum(1 for result in results if not result.ok)
    log.info("%s (%s)", usage.summary(), rubric.name)
    return JudgeRun(rubric.name, rubric.keys, config.model, version, results, usage)


async def _judge_one(
    rubric: Rubric, model: str, usage: JudgeUsage, client: ChatClient, cache: ReplyCache, key: str, item: JudgeItem
) -> _Outcome:
    """Ask the judge about one item, and once more for bare JSON if the reply is unreadable."""
    messages = rubric.messages(item.ground_truth, item.prediction)
    reply: str | None = None
    try:
        reply = (await client.complete(messages)).text
        try:
            scores = rubric.parse_reply(reply)
        except ScoreParseError:
            usage.repairs += 1
            reply = (await client.complete(rubric.repair_messages(messages, reply))).text
            scores = rubric.parse_reply(reply)
    except ScoreParseError as error:
        return None, f"unreadable judge reply, also after a repair request: {error}", reply
    except JudgeRequestError as error:
        return None, str(error), reply
    cache.put(key, model, reply)
    return scores, None, reply


def _cached_outcome(cache: ReplyCache, key: str, rubric: Rubric) -> _Outcome | None:
    reply = cache.get(key)
    if reply is None:
        return None
    try:
        return rubric.parse_reply(reply), None, reply
    except ScoreParseError:
        return None  # stored under an older, more lenient parser: ask again
