"""Optional LLM rewriting of question stems through the judges' OpenAI-compatible client.

Off by default: pass ``llm_rewriter(JudgeConfig.from_env(), cache_path)`` as ``rewrite=`` to
``synth.qa.generate_questions``. Every reply is kept in the judges' reply cache, so a rebuild with the
same model and prompt sends nothing and gives the same questions.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Callable

from judges import JudgeConfig, JudgeUsage, ReplyCache, cache_key
from judges.client import ChatClient
from prompts import read_prompt


def llm_rewriter(config: JudgeConfig, cache_path: str | Path, usage: JudgeUsage | None = None) -> Callable[[str], str]:
    """A ``rewrite`` callable: the model's rewording of a question, from the cache when it has one."""
    usage = usage if usage is not None else JudgeUsage()
    template = read_prompt("synth/rewrite.txt")

    async def ask(messages: list[dict]) -> str:
        client = ChatClient(config, usage)
        try:
            return (await client.complete(messages)).text.strip()
        finally:
            await client.aclose()

    def rewrite(question: str) -> str:
        messages = [{"role": "user", "content": template.format(question=question)}]
        key = cache_key(config.model, messages, config.sampling())
        with ReplyCache(cache_path) as cache:
            cached = cache.get(key)
            if cached is not None:
                usage.cached += 1
                return cached
            reply = asyncio.run(ask(messages))
            if not reply:
                raise ValueError(f"the rewriting model returned nothing for {question!r}")
            cache.put(key, config.model, reply)
            return reply

    return rewrite
