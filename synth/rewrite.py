"""Optional LLM rewriting of question stems through the judges' OpenAI-compatible client.

Off by default: pass ``llm_rewriter(JudgeConfig.from_env(), cache_path)`` as ``rewrite=`` to
``synth.qa.generate_questions``. Every reply is kept in the judges' reply cache, so a rebuild with the
same model and prompt sends nothing and gives the same questions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from finemotion_eval.judges import JudgeConfig, JudgeRequestError, JudgeUsage
from finemotion_eval.judges.runner import ask_cached
from finemotion_eval.prompts import read_prompt


def _rewording(reply: str) -> str:
    """The reply without surrounding space; an empty one is unreadable (``ValueError``), so never cached."""
    text = reply.strip()
    if not text:
        raise ValueError("the reply is empty")
    return text


def llm_rewriter(config: JudgeConfig, cache_path: str | Path, usage: JudgeUsage | None = None) -> Callable[[str], str]:
    """A ``rewrite`` callable: the model's rewording of a question, from the cache when it has one."""
    usage = usage if usage is not None else JudgeUsage()
    template = read_prompt("synth/rewrite.txt")

    def rewrite(question: str) -> str:
        messages = [{"role": "user", "content": template.format(question=question)}]
        [(rewording, error, _reply)] = asyncio.run(ask_cached([messages], _rewording, config, cache_path, usage))
        if rewording is None:
            raise JudgeRequestError(f"the rewriting model gave no rewording of {question!r}: {error}")
        return rewording

    return rewrite
