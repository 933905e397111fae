"""Judging a batch of predictions: cache first, then the endpoint, one repair try, results never lost."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tqdm.asyncio import tqdm_asyncio

from finemotion_eval.judges.cache import ReplyCache, cache_key
from finemotion_eval.judges.client import ChatClient, JudgeRequestError
from finemotion_eval.judges.config import JudgeConfig
from finemotion_eval.judges.rubric import Rubric
from finemotion_eval.judges.usage import JudgeUsage

__all__ = ["JudgeItem", "JudgeResult", "JudgeRun", "ask_cached", "judge_items", "judge_items_async"]

log = logging.getLogger(__name__)

T = TypeVar("T")
Messages = list[dict[str, str]]
# (what the reply reads as, error, raw reply): exactly one of the first two is set.
_Outcome = tuple[T | None, str | None, str | None]


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
    requests = [rubric.messages(item.ground_truth, item.prediction) for item in items]
    outcomes = await ask_cached(requests, rubric.parse_reply, config, cache_path, usage, repair=rubric.repair_messages,
                                progress=f"judging ({rubric.name})")
    version = rubric.version
    results = [JudgeResult(item.id, *outcome, config.model, version) for item, outcome in zip(items, outcomes)]
    usage.failed = sum(1 for result in results if not result.ok)
    log.info("%s (%s)", usage.summary(), rubric.name)
    return JudgeRun(rubric.name, rubric.keys, config.model, version, results, usage)


async def ask_cached(
    requests: Sequence[Messages],
    read: Callable[[str], T],
    config: JudgeConfig,
    cache_path: str | Path | None,
    usage: JudgeUsage,
    repair: Callable[[Messages, str], Messages] | None = None,
    progress: str | None = None,
) -> list[_Outcome[T]]:
    """The endpoint's reply to each request, in order, as ``read`` reads it; from the reply cache when it can be.

    ``read`` raises ``ValueError`` on an unreadable reply. A cached reply it rejects was stored under an older,
    more lenient reader and is asked again. The rest are sent concurrently, an unreadable reply gets one
    ``repair`` request when given, and each readable reply is cached the moment it arrives. ``usage.cached``
    counts the requests answered from the cache. ``progress`` names a progress bar of the requests sent (stderr).
    """
    keys = [cache_key(config.model, messages, config.sampling()) for messages in requests]
    # Identical requests share one reply instead of racing for the same answer.
    unique = dict(zip(keys, requests))
    outcomes: dict[str, _Outcome[T]] = {}
    with ReplyCache(cache_path) as cache:
        for key in unique:
            cached = _cached_outcome(cache, key, read)
            if cached is not None:
                outcomes[key] = cached
        pending = [key for key in unique if key not in outcomes]
        if pending:
            client = ChatClient(config, usage)  # created only when something must be sent
            try:
                asked = await tqdm_asyncio.gather(
                    *(_ask_one(client, cache, config.model, usage, key, unique[key], read, repair) for key in pending),
                    desc=progress, unit="request", disable=progress is None, mininterval=1.0,
                )
            finally:
                await client.aclose()
            outcomes.update(zip(pending, asked))
    sent = set(pending)
    usage.cached += sum(1 for key in keys if key not in sent)
    return [outcomes[key] for key in keys]


async def _ask_one(
    client: ChatClient,
    cache: ReplyCache,
    model: str,
    usage: JudgeUsage,
    key: str,
    messages: Messages,
    read: Callable[[str], T],
    repair: Callable[[Messages, str], Messages] | None,
) -> _Outcome[T]:
    """Send one request, and once more (``repair``) if the reply is unreadable; cache a readable reply."""
    reply: str | None = None
    try:
        reply = (await client.complete(messages)).text
        try:
            value = read(reply)
        except ValueError:
            if repair is None:
                raise
            usage.repairs += 1
            reply = (await client.complete(repair(messages, reply))).text
            value = read(reply)
    except ValueError as error:  # ChatClient.complete raises only JudgeRequestError: this is ``read``'s
        also = ", also after a repair request" if repair is not None else ""
        return None, f"unreadable judge reply{also}: {error}", reply
    except JudgeRequestError as error:
        return None, str(error), reply
    cache.put(key, model, reply)
    return value, None, reply


def _cached_outcome(cache: ReplyCache, key: str, read: Callable[[str], T]) -> _Outcome[T] | None:
    reply = cache.get(key)
    if reply is None:
        return None
    try:
        return read(reply), None, reply
    except ValueError:
        return None  # stored under an older, more lenient reader: ask again
