"""Our model adapters against lmms-eval's, called the way lmms-eval calls them: ``generate_until(requests)``.

    python -m bench.bench_model_adapters

1. ``finemotion_openai`` against lmms-eval 0.7.3's own ``openai`` adapter (``OpenAICompatible``), both in
   this process, on the same list of lmms-eval ``Instance`` objects, against the same loopback
   OpenAI-compatible server (tests/judge_server.py, in its own process so that parsing request bodies does
   not compete with the clients for the GIL) answering after 0 ms and after 200 ms. Both send the same 8
   frames of each clip at their decoded size: ours with ``frames=lmms:8`` (lmms-eval's linspace), lmms-eval
   with ``max_frames_num=8``; both with 16 requests in flight. Ours decodes ahead in worker processes and
   sends JPEG (quality 90); lmms-eval decodes each clip with decord and encodes PNG in its dispatch loop.
   Ours writes its response cache to a new file for every run, so nothing is answered from cache. The
   server answers each request with what it received (the number and kind of images, their bytes, the
   prompt), and every answer is checked against its request.
2. ``finemotion_hf`` on a tiny random Qwen2.5-VL built here, on the MA-52 clips with the starter kit's
   frames: the decode-ahead pool (two worker processes) against decoding each clip when it is reached
   (``decode_workers=0``), one torch thread.

Each timing is the median of a few runs after a warm-up, the contenders taking turns.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.bench_video_reader import MA52_CLIPS, _synthetic_clip

REPO = Path(__file__).resolve().parents[1]
REPEATS = 2  # lmms-eval's adapter needs 0.8-1.8 s per request here: each further run costs a minute
LATENCIES = (0.0, 0.2)
CONCURRENCY = 16
NUM_FRAMES = 8
MAX_RETRIES = 3
TIMEOUT_S = 120
MODEL = "loopback-model"
API_KEY_ENV = "FINEMOTION_BENCH_API_KEY"
API_KEY = "sk-bench-not-a-real-key"
TASK = "bench_task"
GEN_KWARGS = {"max_new_tokens": 16}
MA52_PROMPTS = 4  # questions per MA-52 clip
LONG_COPIES, LONG_PROMPTS = 4, 4  # copies of the 30 s clip (distinct paths), questions per copy
LONG_GOP = 250  # x264's default keyframe spacing
HF_PROMPTS = 3  # questions per MA-52 clip for finemotion_hf
HF_MAX_NEW_TOKENS = 4
HF_BATCH_SIZES = (1, 4)


@dataclass(frozen=True)
class Workload:
    name: str
    clips: list[str]  # one per request
    prompts: list[str]  # one per request


@dataclass
class Run:
    """What one adapter did in one timed run."""

    seconds: float
    image_bytes: int  # base64 data URL characters over all requests, as the server received them
    image_types: set[str]


# -- the loopback server, in its own process ---------------------------------------------------------------


def _serve() -> None:
    """``python -c 'from bench.bench_model_adapters import _serve; _serve()' LATENCY``: prints the port, serves."""
    sys.path.insert(0, str(REPO / "tests"))
    from judge_server import JudgeServer, serve_until_interrupted

    class Server(JudgeServer):
        def respond(self, body: dict[str, Any]) -> tuple[int, dict[str, str], str, float]:
            reply = super().respond(body)
            with self._lock:
                self.bodies.clear()  # keep no multi-megabyte bodies: each answer says what its request held
            return reply

    serve_until_interrupted(Server(answer=_what_was_received, latency_s=float(sys.argv[1])))


def _what_was_received(messages: list[dict[str, Any]]) -> str:
    """The model's 'answer': the images and prompt of the request, so that the client can check them."""
    parts = [part for message in messages for part in message.get("content", []) if isinstance(part, dict)]
    urls = [part["image_url"]["url"] for part in parts if part.get("type") == "image_url"]
    return json.dumps({
        "images": len(urls),
        "image_bytes": sum(map(len, urls)),
        "types": sorted({url.split(";", 1)[0].removeprefix("data:") for url in urls}),
        "prompt": next((part["text"] for part in parts if part.get("type") == "text"), None),
    })


def _start_server(latency_s: float) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    server = subprocess.Popen(
        [sys.executable, "-c", "from bench.bench_model_adapters import _serve; _serve()", str(latency_s)],
        stdout=subprocess.PIPE, text=True, cwd=REPO, env=env,
    )
    port = server.stdout.readline().strip()
    if not port.isdigit():
        server.kill()
        raise RuntimeError("the loopback server did not start")
    return server, f"http://127.0.0.1:{port}/v1"


# -- lmms-eval requests ------------------------------------------------------------------------------------


def _doc_to_visual(doc: dict[str, Any]) -> list[str]:
    return [doc["video"]]


def _requests(workload: Workload, gen_kwargs: dict[str, Any] = GEN_KWARGS) -> tuple[list[Any], dict[str, Any]]:
    """lmms-eval ``Instance`` objects for ``workload`` and the ``task_dict`` their arguments point into."""
    from lmms_eval.api.instance import Instance

    docs = [{"video": clip} for clip in workload.clips]
    requests = [
        Instance(request_type="generate_until", arguments=(prompt, dict(gen_kwargs), _doc_to_visual, i, TASK, "test"),
                 idx=0, metadata={"task": TASK, "doc_id": i, "repeats": 1})
        for i, prompt in enumerate(workload.prompts)
    ]
    return requests, {TASK: {"test": docs}}


def _workloads(scratch: Path) -> list[Workload]:
    workloads = []
    if MA52_CLIPS.is_dir():
        clips = [str(p) for p in sorted(MA52_CLIPS.glob("*.mp4"))]
        pairs = [(clip, n) for clip in clips for n in range(MA52_PROMPTS)]
        workloads.append(Workload(f"MA-52, {len(clips)} clips x {MA52_PROMPTS} questions",
                                  [c for c, _ in pairs], [_prompt(c, n) for c, n in pairs]))
    else:
        print(f"MA-52 workload skipped: {MA52_CLIPS} is absent")
    source = _synthetic_clip(LONG_GOP)
    copies = []
    for k in range(LONG_COPIES):
        copy = scratch / f"long_{k}.mp4"
        shutil.copyfile(source, copy)
        copies.append(str(copy))
    pairs = [(clip, n) for clip in copies for n in range(LONG_PROMPTS)]
    workloads.append(Workload(f"30 s 720p (GOP {LONG_GOP}), {LONG_COPIES} copies x {LONG_PROMPTS} questions",
                              [c for c, _ in pairs], [_prompt(c, n) for c, n in pairs]))
    return workloads


def _prompt(clip: str, n: int) -> str:
    return f"Question {n} about {Path(clip).stem}: which body part moves first? Answer with the option's letter."


# -- benchmark 1: finemotion_openai against lmms-eval's openai ---------------------------------------------


def _ours_openai(url: str, workload: Workload) -> Run:
    from finemotion_eval.model_adapters.openai_chat import OpenAIChat

    with tempfile.TemporaryDirectory() as cache_dir:
        cache = Path(cache_dir) / "responses.sqlite"  # a new cache per run: nothing is answered from cache
        model = OpenAIChat(model=MODEL, base_url=url, api_key_env=API_KEY_ENV, frames=f"lmms:{NUM_FRAMES}",
                           concurrency=CONCURRENCY, timeout=TIMEOUT_S, max_retries=MAX_RETRIES, cache=str(cache))
        requests, model.task_dict = _requests(workload)
        start = time.perf_counter()
        outputs = model.generate_until(requests)
        seconds = time.perf_counter() - start
        usage = model.usage
        if usage.cached or usage.failed or usage.sent != len(requests) or not cache.is_file():
            raise RuntimeError(f"finemotion_openai run was not clean: {usage}")
    return _checked("finemotion_openai", seconds, outputs, workload)


def _lmms_openai(url: str, workload: Workload) -> Run:
    from lmms_eval.models.simple.openai import OpenAICompatible

    model = OpenAICompatible(model=MODEL, base_url=url, api_key=API_KEY, max_frames_num=NUM_FRAMES,
                             num_concurrent=CONCURRENCY, timeout=TIMEOUT_S, max_retries=MAX_RETRIES)
    requests, model.task_dict = _requests(workload)
    start = time.perf_counter()
    outputs = model.generate_until(requests)
    seconds = time.perf_counter() - start
    return _checked("lmms-eval openai", seconds, [o.text if hasattr(o, "text") else o for o in outputs], workload)


def _checked(adapter: str, seconds: float, outputs: list[str], workload: Workload) -> Run:
    """Every request answered, in order, each after the server got its prompt and 8 frames."""
    if len(outputs) != len(workload.prompts):
        raise RuntimeError(f"{adapter}: {len(outputs)} outputs for {len(workload.prompts)} requests")
    image_bytes, types = 0, set()
    for output, prompt in zip(outputs, workload.prompts, strict=True):
        try:
            received = json.loads(output)
        except ValueError:
            raise RuntimeError(f"{adapter}: a request got no answer: {output[:300]}") from None
        if received["prompt"] != prompt or received["images"] != NUM_FRAMES:
            raise RuntimeError(f"{adapter}: the server got {received['images']} images and prompt "
                               f"{received['prompt']!r} for {prompt!r}; expected {NUM_FRAMES} images")
        image_bytes += received["image_bytes"]
        types.update(received["types"])
    return Run(seconds, image_bytes, types)


def _check_same_frames(workloads: list[Workload]) -> None:
    """The premise of the comparison: ``lmms:8`` gives exactly the pixels lmms-eval's adapter sends, per clip."""
    import io

    import numpy as np
    from lmms_eval.models.simple.openai import OpenAICompatible
    from PIL import Image

    from finemotion_eval.prepared import file_sha256
    from finemotion_eval.video_io import SamplingProtocol, read_frames

    theirs_model = OpenAICompatible(model=MODEL, base_url="http://127.0.0.1:9/v1", api_key=API_KEY,
                                    max_frames_num=NUM_FRAMES)  # never connects: only its encode_video is used
    protocol = SamplingProtocol.parse(f"lmms:{NUM_FRAMES}")
    distinct = {}
    for workload in workloads:
        for clip in workload.clips:
            distinct.setdefault(file_sha256(Path(clip)), clip)
    for clip in distinct.values():
        pngs = theirs_model.encode_video(clip, NUM_FRAMES)
        theirs = np.stack([np.asarray(Image.open(io.BytesIO(base64.b64decode(png)))) for png in pngs])
        ours = read_frames(clip, protocol).frames
        if not np.array_equal(theirs, ours):
            raise RuntimeError(f"{clip}: lmms:{NUM_FRAMES} and lmms-eval's openai adapter decode different frames")
    print(f"frames checked: on each of the {len(distinct)} distinct clips, ours (lmms:{NUM_FRAMES}) decodes exactly"
          f" the {NUM_FRAMES} frames lmms-eval's adapter sends (pixel for pixel)", flush=True)


def _openai_benchmark(workloads: list[Workload]) -> None:
    _check_same_frames(workloads)
    contenders: dict[str, Callable[[str, Workload], Run]] = {"ours": _ours_openai, "lmms-eval": _lmms_openai}
    servers = {latency: _start_server(latency) for latency in LATENCIES}
    rows = []
    try:
        for workload in workloads:
            # Warm-up (imports, the decoders' fork server, the page cache): ours on one question per clip,
            # which reads every file; lmms-eval on one question.
            url = servers[LATENCIES[0]][1]
            first = {clip: i for i, clip in reversed(list(enumerate(workload.clips)))}
            _ours_openai(url, _subset(workload, sorted(first.values())))
            _lmms_openai(url, _subset(workload, [0]))
            for latency in LATENCIES:
                url = servers[latency][1]
                runs: dict[str, list[Run]] = {label: [] for label in contenders}
                for _ in range(REPEATS):
                    for label, contender in contenders.items():
                        runs[label].append(contender(url, workload))
                rows.append((workload, latency, runs))
                seconds = {k: ", ".join(f"{r.seconds:.2f}" for r in runs[k]) for k in contenders}
                print(f"  {workload.name}, {latency * 1000:.0f} ms: ours {seconds['ours']} s,"
                      f" lmms-eval {seconds['lmms-eval']} s per run", flush=True)
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait()
    header = ("workload", "latency", "requests", "ours req/s", "lmms-eval req/s", "ours/lmms-eval",
              "ours KB/request", "lmms-eval KB/request")
    cells = []
    for workload, latency, runs in rows:
        count = len(workload.prompts)
        ours, theirs = (statistics.median(r.seconds for r in runs[k]) for k in contenders)
        kb = {k: runs[k][0].image_bytes / count / 1000 for k in contenders}
        cells.append((workload.name, f"{latency * 1000:.0f} ms", str(count), f"{count / ours:.2f}",
                      f"{count / theirs:.2f}", f"{theirs / ours:.2f}x", f"{kb['ours']:.0f}", f"{kb['lmms-eval']:.0f}"))
    _print_table(header, cells)
    sent = {k: sorted({t for _, _, runs in rows for r in runs[k] for t in r.image_types}) for k in contenders}
    print(f"images sent: ours {', '.join(sent['ours'])}; lmms-eval {', '.join(sent['lmms-eval'])}"
          " (KB/request: base64 data URL characters of the 8 frames, as the server received them)")


def _subset(workload: Workload, indices: list[int]) -> Workload:
    return Workload(workload.name, [workload.clips[i] for i in indices], [workload.prompts[i] for i in indices])


# -- benchmark 2: finemotion_hf with and without the decode-ahead pool -------------------------------------


def _hf_benchmark(scratch: Path) -> None:
    if not MA52_CLIPS.is_dir():
        print(f"finemotion_hf benchmark skipped: {MA52_CLIPS} is absent")
        return
    import torch

    sys.path.insert(0, str(REPO / "tests"))
    from tiny_qwen_vl import build_tiny_qwen_vl

    from finemotion_eval.model_adapters.failures import failure_reason
    from finemotion_eval.model_adapters.hf_qwen import HFQwenVL

    torch.set_num_threads(1)  # with another process on the second core, two threads collapse
    model_dir = build_tiny_qwen_vl("qwen2_5_vl", scratch / "tiny_qwen2_5_vl")
    clips = [str(p) for p in sorted(MA52_CLIPS.glob("*.mp4"))]
    pairs = [(clip, n) for clip in clips for n in range(HF_PROMPTS)]
    workload = Workload("", [c for c, _ in pairs], [_prompt(c, n) for c, n in pairs])
    gen_kwargs = {"max_new_tokens": HF_MAX_NEW_TOKENS}
    print(f"finemotion_hf: tiny random Qwen2.5-VL, {len(pairs)} requests ({len(clips)} MA-52 clips x {HF_PROMPTS}"
          f" questions), starter kit's 8 frames, max_new_tokens={HF_MAX_NEW_TOKENS}, 1 torch thread", flush=True)
    pools = {"decode-ahead pool (2 workers)": None, "no pool (decode_workers=0)": 0}
    models = {(bs, label): HFQwenVL(pretrained=str(model_dir), batch_size=bs, device="cpu", decode_workers=workers)
              for bs in HF_BATCH_SIZES for label, workers in pools.items()}

    def run(model: HFQwenVL, indices: list[int]) -> float:
        requests, model.task_dict = _requests(_subset(workload, indices), gen_kwargs)
        start = time.perf_counter()
        outputs = model.generate_until(requests)
        seconds = time.perf_counter() - start
        failed = [o for o in outputs if failure_reason(o) is not None]
        if len(outputs) != len(requests) or failed:
            raise RuntimeError(f"finemotion_hf run was not clean: {len(failed)} failed, first: {failed[:1]}")
        return seconds

    everything = list(range(len(pairs)))
    for model in models.values():  # warm-up: the fork server, the page cache, torch's first calls
        run(model, list(range(min(4, len(pairs)))))
    times: dict[tuple[int, str], list[float]] = {key: [] for key in models}
    for _ in range(REPEATS):
        for key, model in models.items():
            times[key].append(run(model, everything))
    header = ("batch size", "decoding", "requests/s", "vs no pool")
    cells = []
    for bs in HF_BATCH_SIZES:
        baseline = statistics.median(times[(bs, "no pool (decode_workers=0)")])
        for label in pools:
            seconds = statistics.median(times[(bs, label)])
            cells.append((str(bs), label, f"{len(pairs) / seconds:.2f}", f"{baseline / seconds:.2f}x"))
    _print_table(header, cells)


# -- output ------------------------------------------------------------------------------------------------


def _print_table(header: tuple[str, ...], cells: list[tuple[str, ...]]) -> None:
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *cells]:
        print("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths))))


def main() -> None:
    """Run both benchmarks and print their tables."""
    os.environ[API_KEY_ENV] = API_KEY
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    print(f"model adapter benchmark: {os.cpu_count()} CPUs, median of {REPEATS} runs after a warm-up,"
          f" concurrency {CONCURRENCY}, {NUM_FRAMES} frames per request")
    with tempfile.TemporaryDirectory(prefix="bench_adapters_") as scratch:
        _openai_benchmark(_workloads(Path(scratch)))
        _hf_benchmark(Path(scratch))
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
