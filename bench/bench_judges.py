"""The judge client against lmms-eval's own judge path, on a loopback server with 200 ms per reply.

    python -m bench.bench_judges

Both send the same MA-Bench MADU prompts to the same OpenAI-compatible server (tests/judge_server.py,
in its own process so that it does not compete with the client for the GIL). Ideal throughput is
concurrency / latency. lmms-eval is measured two ways: ``async_openai``'s ``evaluate_batch`` with
``max_concurrent`` set to the same concurrency, and the synchronous ``openai`` provider called once
per item, which is how lmms-eval tasks call their judge from ``process_results``. Each of our
measurements uses a fresh cache file, so nothing is answered from cache.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openai  # noqa: F401 (imported up front, as lmms-eval is: a one-time cost, not throughput)

from finemotion_eval.judges import JudgeConfig, JudgeItem, Rubric, judge_items

REPO = Path(__file__).resolve().parents[1]
LATENCY_S = 0.2
WORKLOADS = ((1, 32), (8, 64), (32, 256))  # (concurrency, items): at least a few rounds per worker
MODEL = "loopback-judge"
API_KEY = "sk-bench-not-a-real-key"


def _items(count: int, tag: str) -> list[JudgeItem]:
    return [
        JudgeItem(f"{tag}{i}", f"The head tilts to the left and returns ({tag} {i}).", f"Head tilts left ({tag} {i}).")
        for i in range(count)
    ]


def _ours(url: str, rubric: Rubric, concurrency: int, items: list[JudgeItem]) -> float:
    config = JudgeConfig(model=MODEL, base_url=url, api_key=API_KEY, concurrency=concurrency, timeout_s=10)
    with tempfile.TemporaryDirectory() as cache_dir:
        start = time.perf_counter()
        run = judge_items(items, rubric, config, Path(cache_dir) / "cache.sqlite")
        elapsed = time.perf_counter() - start
    if run.failures or run.usage.sent != len(items):
        raise RuntimeError(f"benchmark run was not clean: {run.usage.summary()}")
    return len(items) / elapsed


def _lmms_async(url: str, rubric: Rubric, concurrency: int, items: list[JudgeItem]) -> float:
    from lmms_eval.llm_judge import Request, ServerConfig
    from lmms_eval.llm_judge.providers import AsyncOpenAIProvider

    config = ServerConfig(model_name=MODEL, temperature=0.0, max_tokens=512, max_concurrent=concurrency)
    provider = AsyncOpenAIProvider(config=config)
    requests = [Request(messages=rubric.messages(i.ground_truth, i.prediction), config=config) for i in items]

    async def batch() -> list:
        try:
            return await provider.evaluate_batch(requests)
        finally:
            await provider.async_client.close()  # else its connections are closed after the loop is gone

    start = time.perf_counter()
    responses = asyncio.run(batch())
    elapsed = time.perf_counter() - start
    if len(responses) != len(items):
        raise RuntimeError("lmms-eval returned fewer responses than requests")
    return len(items) / elapsed


def _lmms_task_path(url: str, rubric: Rubric, items: list[JudgeItem]) -> float:
    from lmms_eval.llm_judge import Request, ServerConfig, get_server

    config = ServerConfig(model_name=MODEL, temperature=0.0, max_tokens=512)
    server = get_server(server_name="openai", config=config)
    start = time.perf_counter()
    for item in items:
        server.evaluate(Request(messages=rubric.messages(item.ground_truth, item.prediction), config=config))
    return len(items) / (time.perf_counter() - start)


def main() -> None:
    """Print items/s for ours and lmms-eval at each concurrency."""
    server = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "judge_server.py"), "--latency", str(LATENCY_S)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = server.stdout.readline().strip()
        url = f"http://127.0.0.1:{port}/v1"
        # lmms-eval's providers read their endpoint from the environment.
        os.environ.update({"OPENAI_API_URL": url, "OPENAI_API_KEY": API_KEY})
        rubric = Rubric.load("mabench_madu")
        print(f"judge throughput, loopback server, {LATENCY_S * 1000:.0f} ms per reply, MADU prompts")
        header = ("concurrency", "items", "ours items/s", "ideal", "ours/ideal", "lmms-eval items/s", "ours/lmms-eval")
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for concurrency, count in WORKLOADS:
            ours = _ours(url, rubric, concurrency, _items(count, f"ours-c{concurrency}-"))
            theirs = _lmms_async(url, rubric, concurrency, _items(count, f"lmms-c{concurrency}-"))
            ideal = concurrency / LATENCY_S
            row = (concurrency, count, f"{ours:.1f}", f"{ideal:.1f}", f"{ours / ideal:.2f}", f"{theirs:.1f}", f"{ours / theirs:.2f}")
            print("| " + " | ".join(map(str, row)) + " |")
        sequential = _lmms_task_path(url, rubric, _items(WORKLOADS[0][1], "lmms-task-"))
        print(f"lmms-eval as its tasks call it (sync 'openai' provider, one item at a time): {sequential:.1f} items/s")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
