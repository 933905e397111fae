"""``finemotion_openai``: any OpenAI-compatible chat endpoint (OpenAI, vLLM serve, sglang, llama.cpp server).

Frames come from our reader through the decode-ahead pool and go out as JPEG data URLs (``mode=frames``), or
the clip goes out whole as one ``video_url`` for servers that decode video themselves (``mode=video_url``),
or nothing but the question goes out (``mode=text_only``: the blind baseline, ``finemotion_blind``).
Requests run concurrently through the judges' client (bounded concurrency, backoff honouring Retry-After,
timeouts, a request budget). Every answer is written to a response cache as it arrives, so a run that is
killed and started again sends only the requests that had no answer. A request that fails for good is
answered with a failure marker (``model_adapters.failures``): never cached, never scored, counted per task.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from lmms_eval.api.instance import Instance
from lmms_eval.api.model import lmms
from tqdm import tqdm

from finemotion_eval.judges.cache import ReplyCache, content_key
from finemotion_eval.judges.client import ChatClient, JudgeRequestError, check_reachable
from finemotion_eval.judges.config import JudgeConfig
from finemotion_eval.judges.usage import JudgeUsage
from finemotion_eval.model_adapters import provenance
from finemotion_eval.model_adapters.failures import failed_output, failure_reason
from finemotion_eval.model_adapters.frames import decode_ahead, frame_provenance, jpeg_data_urls, resized, video_data_url
from finemotion_eval.model_adapters.questions import Question, questions_of, sampling_of
from finemotion_eval.prepared import file_sha256
from finemotion_eval.settings import cache_dir, env
from finemotion_eval.video_io import SampledFrames, SamplingProtocol

__all__ = ["BlindChat", "OpenAIChat", "default_response_cache"]

Mode = Literal["frames", "video_url", "text_only"]
_MODES = ("frames", "video_url", "text_only")
_DONE = object()


def default_response_cache() -> Path:
    """``$FINEMOTION_RESPONSE_CACHE``, else ``<cache root>/model_responses.sqlite``."""
    configured = env("FINEMOTION_RESPONSE_CACHE")
    path = Path(configured) if configured else cache_dir() / "model_responses.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


class OpenAIChat(lmms):
    """``--model finemotion_openai --model_args model=NAME,base_url=URL[,frames=SPEC,mode=...,...]``.

    model_args: ``model`` (required), ``base_url`` (default: the openai package's, api.openai.com),
    ``api_key_env`` (the variable holding the key, default ``OPENAI_API_KEY``; the key is never logged or
    stored), ``frames`` (a sampling spec; default: each task's own, the starter kit's for MA-Bench),
    ``mode`` (frames | video_url | text_only), ``jpeg_quality`` (default 90), ``concurrency`` (16),
    ``timeout`` (seconds per request, 120), ``max_retries`` (5), ``max_requests`` (a budget for the run),
    ``cache`` (a response cache file, or ``off``; default ``$FINEMOTION_RESPONSE_CACHE``),
    ``decode_workers`` (decoding processes; default: every core).
    """

    adapter = "finemotion_openai"

    def __init__(
        self,
        model: str = "",
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        frames: str | None = None,
        mode: Mode = "frames",
        jpeg_quality: int = 90,
        concurrency: int = 16,
        timeout: float = 120.0,
        max_retries: int = 5,
        max_requests: int | None = None,
        cache: str | None = None,
        decode_workers: int | None = None,
        **_harness_args: Any,  # batch_size, device: lmms-eval passes them to every model
    ) -> None:
        super().__init__()
        if not model:
            raise ValueError(f"{self.adapter}: pass the served model's name: --model_args model=NAME,base_url=URL")
        if mode not in _MODES:
            raise ValueError(f"{self.adapter}: mode={mode!r}; expected one of {', '.join(_MODES)}")
        if not 1 <= int(jpeg_quality) <= 100:
            raise ValueError(f"{self.adapter}: jpeg_quality={jpeg_quality} is outside 1..100")
        self.model, self.base_url, self.mode = str(model), base_url or None, mode
        self.frames = SamplingProtocol.parse(str(frames)) if frames else None
        self.jpeg_quality = int(jpeg_quality)
        self.decode_workers = int(decode_workers) if decode_workers else None
        self.config = JudgeConfig(
            model=self.model,
            base_url=self.base_url,
            api_key=os.environ.get(api_key_env, ""),
            concurrency=int(concurrency),
            timeout_s=float(timeout),
            max_retries=int(max_retries),
            max_requests=None if max_requests in (None, "") else int(max_requests),
        )
        if not self.config.api_key and self.base_url is None:
            raise ValueError(f"{self.adapter}: no API key in ${api_key_env} and no base_url: set one")
        # Before any generation: an endpoint that is not there fails the run now, not after the decoding.
        if self.base_url:
            check_reachable(self.base_url, self.config.timeout_s, f"{self.adapter}: the model endpoint")
        self.cache_path = None if str(cache).lower() == "off" else Path(cache) if cache else default_response_cache()
        self.usage = JudgeUsage()  # of the last generate_until call

    # -- lmms-eval interface -------------------------------------------------------------------------------

    def generate_until(self, requests: list[Instance]) -> list[str]:
        questions = questions_of(requests, self.task_dict, self.frames)
        self.usage = JudgeUsage()
        with ReplyCache(self.cache_path) as cache:
            outputs = asyncio.run(self._answer_all(questions, cache))
        self._report(questions, outputs)
        return outputs

    def loglikelihood(self, requests: list[Instance]) -> list[tuple[float, bool]]:
        raise NotImplementedError(f"{self.adapter} only answers generation tasks")

    def generate_until_multi_round(self, requests: list[Instance]) -> list[str]:
        raise NotImplementedError(f"{self.adapter} only answers single-turn generation tasks")

    # -- one run -------------------------------------------------------------------------------------------

    def _key(self, question: Question, video_sha256: str | None) -> str:
        """The response cache key: everything that decides what the model is shown and asked."""
        return content_key({
            "adapter": self.adapter, "model": self.model, "mode": self.mode, "prompt": question.prompt,
            "sampling": sampling_of(question.gen_kwargs), "video_sha256": video_sha256,
            "frames": None if self.mode != "frames" else str(question.protocol),
            "jpeg_quality": self.jpeg_quality if self.mode == "frames" else None,
        })

    async def _answer_all(self, questions: list[Question], cache: ReplyCache) -> list[str]:
        outputs: list[str | None] = [None] * len(questions)
        keys: dict[int, str] = {}
        to_ask: list[int] = []
        clip_hashes: dict[str, str] = {}  # a clip asked several questions is hashed once
        for i, question in enumerate(questions):
            if question.error is None and len(question.videos) > 1:
                question = questions[i] = _failed(question, f"{len(question.videos)} clips; one per question is supported")
            if question.error is not None:
                outputs[i] = failed_output(question.error)
                continue
            video_hash = None
            if question.videos and self.mode != "text_only":
                try:
                    video_hash = clip_hashes.get(question.videos[0]) or file_sha256(Path(question.videos[0]))
                except OSError as err:
                    outputs[i] = failed_output(f"{type(err).__name__}: {err}")
                    continue
                clip_hashes[question.videos[0]] = video_hash
            keys[i] = self._key(question, video_hash)
            cached = cache.get(keys[i])
            if cached is not None:
                entry = json.loads(cached)
                outputs[i] = entry["text"]
                provenance.record(question.task, question.doc_id, {**entry["provenance"], "from_cache": True})
                self.usage.cached += 1
            else:
                to_ask.append(i)
        self.usage.items += len(questions)
        if to_ask:
            client = ChatClient(self.config, self.usage)
            try:
                await self._ask_all(questions, to_ask, keys, outputs, client, cache)
            finally:
                await client.aclose()
        return [output if output is not None else failed_output("no answer was produced") for output in outputs]

    def _visuals(self, questions: list[Question], to_ask: list[int]) -> Iterator[tuple[int, SampledFrames | Exception | None]]:
        """Each question to ask with its decoded clip (``frames`` mode), or with None when there is nothing to decode."""
        to_decode = [i for i in to_ask if self.mode == "frames" and questions[i].videos]
        undecoded = set(to_ask) - set(to_decode)
        yield from ((i, None) for i in to_ask if i in undecoded)
        yield from decode_ahead([(i, questions[i].videos[0], questions[i].protocol) for i in to_decode], self.decode_workers)

    async def _ask_all(self, questions: list[Question], to_ask: list[int], keys: dict[int, str],
                       outputs: list[str | None], client: ChatClient, cache: ReplyCache) -> None:
        loop = asyncio.get_running_loop()
        # Decoded clips wait here for a request slot; the bound keeps decoded frames from piling up in memory.
        ready: asyncio.Queue = asyncio.Queue(maxsize=2 * self.config.concurrency)
        progress = tqdm(total=len(to_ask), desc=self.adapter, disable=len(to_ask) < 20, file=sys.stderr)

        def produce() -> None:  # in a thread: the decoding pool's iterator blocks
            try:
                for item in self._visuals(questions, to_ask):
                    asyncio.run_coroutine_threadsafe(ready.put(item), loop).result()
            finally:
                asyncio.run_coroutine_threadsafe(ready.put(_DONE), loop).result()

        producer = threading.Thread(target=produce, name="finemotion-decode", daemon=True)
        producer.start()
        slots = asyncio.Semaphore(2 * self.config.concurrency)
        tasks = []

        async def ask(i: int, clip: SampledFrames | Exception | None) -> None:
            try:
                outputs[i] = await self._ask_one(questions[i], clip, keys[i], client, cache)
            finally:
                slots.release()
                progress.update()

        while (item := await ready.get()) is not _DONE:
            await slots.acquire()
            tasks.append(asyncio.create_task(ask(*item)))
        await asyncio.gather(*tasks)
        await asyncio.to_thread(producer.join)
        progress.close()

    async def _ask_one(self, question: Question, clip, key: str, client: ChatClient, cache: ReplyCache) -> str:
        try:
            if isinstance(clip, Exception):
                raise clip
            content, record = await self._content(question, clip)
        except Exception as err:  # noqa: BLE001 - a clip that cannot be read or encoded fails its question only
            return failed_output(f"{type(err).__name__}: {err}")
        try:
            completion = await client.complete([{"role": "user", "content": content}], sampling_of(question.gen_kwargs))
        except JudgeRequestError as err:
            self.usage.failed += 1
            return failed_output(str(err))
        cache.put(key, self.model, json.dumps({"text": completion.text, "provenance": record}, ensure_ascii=False))
        provenance.record(question.task, question.doc_id, record)
        return completion.text

    async def _content(self, question: Question, clip: SampledFrames | None) -> tuple[list[dict[str, Any]], dict]:
        """The user message's parts (frames or video first, then the prompt) and the provenance of what they show."""
        record: dict[str, Any] = {"adapter": self.adapter, "model": self.model, "mode": self.mode,
                                  "prompt_sha256": provenance.prompt_sha256(question.prompt)}
        content: list[dict[str, Any]] = []
        if clip is not None:
            size = question.protocol.frame_size(clip.info.height, clip.info.width, len(clip.indices))
            urls = await asyncio.to_thread(lambda: jpeg_data_urls(resized(clip.frames, size), self.jpeg_quality))
            content += [{"type": "image_url", "image_url": {"url": url}} for url in urls]
            record.update(frame_provenance(clip, question.protocol, size), encoding=f"jpeg:{self.jpeg_quality}")
        elif self.mode == "video_url" and question.videos:
            url = await asyncio.to_thread(video_data_url, question.videos[0])
            content.append({"type": "video_url", "video_url": {"url": url}})
            record.update(video=question.videos[0], protocol="decoded by the server", encoding="video file")
        content.append({"type": "text", "text": question.prompt})
        return content, record

    def _report(self, questions: list[Question], outputs: list[str]) -> None:
        """One line on stderr: how many answers came from where, and which questions got none."""
        failed = [(q, failure_reason(o)) for q, o in zip(questions, outputs) if failure_reason(o) is not None]
        line = (f"finemotion: {self.adapter} ({self.model}): {len(questions)} requests, {self.usage.cached} answered "
                f"from the response cache, {self.usage.sent} sent ({self.usage.retried} retries), {len(failed)} failed")
        if failed:
            per_task = Counter(q.task for q, _ in failed)
            first = failed[0]
            line += (f" ({', '.join(f'{t}: {n}' for t, n in sorted(per_task.items()))}; first: {first[0].name}: {first[1]})."
                     " Failed requests are not cached and not scored; run again to retry only them")
        print(line, file=sys.stderr, flush=True)


class BlindChat(OpenAIChat):
    """``finemotion_blind``: the same endpoint answering from the question alone, no frames (the text-only control)."""

    adapter = "finemotion_blind"

    def __init__(self, **model_args: Any) -> None:
        if model_args.setdefault("mode", "text_only") != "text_only":
            raise ValueError(f"{self.adapter} sends no frames; use finemotion_openai for mode={model_args['mode']}")
        super().__init__(**model_args)


def _failed(question: Question, reason: str) -> Question:
    return dataclasses.replace(question, error=reason)
