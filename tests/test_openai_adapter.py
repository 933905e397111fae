"""finemotion_openai and finemotion_blind in real lmms-eval runs against a loopback OpenAI-compatible server.

The server checks what it is sent (8 JPEG frames at the starter kit's indices), answers deterministically,
fails on a seeded schedule, and counts requests, so resuming and retrying are asserted by what it receives.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest
from judge_server import JudgeServer
from lmms_results import logged
from PIL import Image

from finemotion_eval.synth.dataset import build

TASKS = ("cmar", "fmar", "sad", "mad", "mas", "ppr")


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ma-synth")
    build(out, clips=24, seed=5, size=(96, 112), progress=False)
    return out


def model_reply(messages: list[dict]) -> str:
    """A deterministic 'model': an answer picked by the prompt's hash, in the form the task asks for."""
    text = next(part["text"] for part in messages[0]["content"] if part["type"] == "text")
    pick = hashlib.sha256(text.encode()).digest()[0]
    if "Yes or No" in text or "yes or no" in text.lower():
        return "Yes" if pick % 2 else "No"
    return f"The answer is {'ABCDE'[pick % 5]}."


def images_of(body: dict) -> list[str]:
    return [part["image_url"]["url"] for part in body["messages"][0]["content"] if part["type"] == "image_url"]


def starter_kit_jpegs(path: Path, quality: int = 90) -> list[str]:
    """The data URLs the starter kit's frames of ``path`` make, decoded here with PyAV directly."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
        fps = float(stream.average_rate)
    # MAC 2026 starter kit: step = max(1, min(round(fps / 3), frames // 8)), first 8 of range(0, frames, step).
    step = max(1, min(round(fps / 3), len(frames) // 8))
    urls = []
    for index in list(range(0, len(frames), step))[:8]:
        buffer = io.BytesIO()
        Image.fromarray(frames[index]).save(buffer, format="JPEG", quality=quality)
        urls.append("data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode())
    return urls


def run(args: list[str], synth: Path, out: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "FINEMOTION_MABENCH_SYNTH_DIR": str(synth), "OPENAI_API_KEY": "sk-test-not-logged"}
    return subprocess.run([sys.executable, "-m", "lmms_eval", *args, "--batch_size", "1", "--output_path", str(out),
                           "--log_samples"], capture_output=True, text=True, env=env, timeout=timeout)


def model_args(server: JudgeServer, cache: Path, **extra: object) -> str:
    return ",".join(f"{k}={v}" for k, v in {"model": "m", "base_url": server.url, "cache": cache, **extra}.items())


def results_of(out: Path) -> dict:
    (path,) = sorted(out.rglob("*results.json"))
    return json.loads(path.read_text())["results"]


def test_frames_at_starter_kit_indices_provenance_and_scores(synth, tmp_path):
    with JudgeServer(answer=model_reply) as server:
        done = run(["--model", "finemotion_openai", "--model_args", model_args(server, tmp_path / "c.sqlite"),
                    "--tasks", "mabench_synth_closed"], synth, tmp_path / "out")
        bodies = list(server.bodies)
    assert done.returncode == 0 and "sk-test-not-logged" not in done.stdout + done.stderr, done.stderr[-3000:]
    results = results_of(tmp_path / "out")
    expected = {}
    for video in sorted((synth / "videos").glob("*.mp4")):
        expected[tuple(starter_kit_jpegs(video))] = video
    n_questions = 0
    for task in TASKS:
        name = f"mabench_synth_{task}"
        records = logged(tmp_path / "out", name, "unparseable")
        n_questions += len(records)
        # The library's own scoring of what was logged equals the reported accuracy; nothing failed.
        correct = [r["prediction"] == r["answer"] for r in records]
        assert results[name]["accuracy,none"] == pytest.approx(100 * sum(correct) / len(correct))
        assert results[name]["model_failures,none"] == 0 and results[name]["n_scored,none"] == len(records)
        for line in next((tmp_path / "out").rglob(f"*samples_{name}.jsonl")).read_text().splitlines():
            sample = json.loads(line)
            provenance = sample["finemotion_provenance"]
            assert provenance["protocol"] == "starter_kit:8:3.0" and len(provenance["indices"]) == 8
            assert provenance["sent_size"] == provenance["decoded_size"] == [96, 112]  # width, height
            assert provenance["decoder"] and provenance["mode"] == "frames" and provenance["encoding"] == "jpeg:90"
            assert provenance["prompt_sha256"] == hashlib.sha256(sample["input"].encode()).hexdigest()
    assert len(bodies) == n_questions
    for body in bodies:
        urls = tuple(images_of(body))
        assert len(urls) == 8 and urls in expected  # the exact JPEGs of the starter kit's 8 frames of one clip


def test_killed_run_resumes_with_only_the_missing_requests(synth, tmp_path):
    cache = tmp_path / "c.sqlite"
    with JudgeServer(answer=model_reply, latency_s=0.15) as server:
        args = ["--model", "finemotion_openai", "--model_args", model_args(server, cache, concurrency=2),
                "--tasks", "mabench_synth_closed"]
        env = {**os.environ, "FINEMOTION_MABENCH_SYNTH_DIR": str(synth)}
        first = subprocess.Popen([sys.executable, "-m", "lmms_eval", *args, "--batch_size", "1", "--output_path",
                                  str(tmp_path / "killed")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 300
        while server.total < 12 and time.time() < deadline and first.poll() is None:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert not list((tmp_path / "killed").rglob("*results.json"))  # it died before any result
        with sqlite3.connect(cache) as db:
            answered_before = {row[0] for row in db.execute("SELECT key FROM replies")}
        first_bodies = list(server.bodies)
        server.reset_counts()
        second = run(args, synth, tmp_path / "out")
        second_bodies = list(server.bodies)
    assert second.returncode == 0, second.stderr[-3000:]
    total = sum(len(logged(tmp_path / "out", f"mabench_synth_{t}", "unparseable")) for t in TASKS)
    # Killed after the server had received 12 requests, at most 2 (the concurrency) still waiting for their reply.
    assert 12 - 2 <= len(answered_before) < total
    # Only the requests without a cached answer went out again: none of the answered ones.
    assert len(second_bodies) == total - len(answered_before)
    resent = {json.dumps(b["messages"], sort_keys=True) for b in second_bodies}
    assert len(resent) == len(second_bodies)
    assert len(first_bodies) >= len(answered_before)
    assert f"{len(answered_before)} answered from the response cache, {total - len(answered_before)} sent" in second.stderr


def test_failed_requests_are_counted_not_scored_and_retried_on_the_next_run(synth, tmp_path):
    cache = tmp_path / "c.sqlite"
    with JudgeServer(answer=model_reply, fault_rate=0.2, faults=("500",), seed=3) as server:
        first = run(["--model", "finemotion_openai", "--model_args", model_args(server, cache, max_retries=0),
                     "--tasks", "mabench_synth_closed"], synth, tmp_path / "first")
        server.reset_counts()
        second = run(["--model", "finemotion_openai", "--model_args", model_args(server, cache),
                      "--tasks", "mabench_synth_closed"], synth, tmp_path / "second")
        resent = {json.dumps(b["messages"], sort_keys=True) for b in server.bodies}
    assert first.returncode == 0 and second.returncode == 0, first.stderr[-2000:] + second.stderr[-2000:]
    before, after = results_of(tmp_path / "first"), results_of(tmp_path / "second")
    failures = {t: before[f"mabench_synth_{t}"]["model_failures,none"] for t in TASKS}
    assert sum(failures.values()) > 0
    for task in TASKS:
        name = f"mabench_synth_{task}"
        records = logged(tmp_path / "first", name, "unparseable")
        answered = [r for r in records if not r["model_failure"]]
        assert len(records) - len(answered) == failures[task]
        assert all(r["prediction"] is None for r in records if r["model_failure"])
        # Failed questions are left out of the accuracy: it is the accuracy over the answered ones.
        if answered:
            expected = 100 * sum(r["prediction"] == r["answer"] for r in answered) / len(answered)
            assert before[name]["accuracy,none"] == pytest.approx(expected)
        assert before[name]["n_scored,none"] == len(answered)
        assert after[name]["model_failures,none"] == 0
        assert after[name]["n_scored,none"] == len(records)
    assert re.search(r"\d+ of \d+ questions got no answer from the model", first.stderr)
    assert f"{sum(failures.values())} failed" in first.stderr
    # The re-run asked the failed questions only (retrying now, so every one got its answer): 0 lost.
    assert len(resent) == sum(failures.values())
    assert ", 0 failed" in second.stderr


def test_blind_baseline_sends_no_frames_and_an_unreachable_endpoint_stops_before_generation(synth, tmp_path):
    with JudgeServer(answer=model_reply) as server:
        done = run(["--model", "finemotion_blind", "--model_args", model_args(server, tmp_path / "c.sqlite"),
                    "--tasks", "mabench_synth_cmar"], synth, tmp_path / "out")
        bodies = list(server.bodies)
    assert done.returncode == 0, done.stderr[-3000:]
    assert bodies and all(not images_of(b) for b in bodies)
    for line in next((tmp_path / "out").rglob("*samples_mabench_synth_cmar.jsonl")).read_text().splitlines():
        provenance = json.loads(line)["finemotion_provenance"]
        assert provenance["mode"] == "text_only" and "indices" not in provenance
    dead = run(["--model", "finemotion_openai", "--model_args", "model=m,base_url=http://127.0.0.1:9/v1",
                "--tasks", "mabench_synth_cmar"], synth, tmp_path / "dead")
    output = dead.stdout + dead.stderr
    assert "the model endpoint at http://127.0.0.1:9/v1 does not answer" in output
    assert "Running generate_until requests" not in output


def test_a_clip_that_breaks_after_prepare_fails_its_question_not_the_run(tmp_path):
    broken = tmp_path / "synth"  # a build of its own: the questions name their clips by absolute path
    build(broken, clips=24, seed=5, size=(96, 112), progress=False)
    first_question = json.loads((broken / "questions_test.json").read_text())[0]
    victim = broken / "videos" / first_question["video"]
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 3])  # cut off after its header
    with JudgeServer(answer=model_reply) as server:
        done = run(["--model", "finemotion_openai", "--model_args", model_args(server, tmp_path / "c.sqlite"),
                    "--tasks", "mabench_synth_cmar"], broken, tmp_path / "out")
    assert done.returncode == 0, done.stderr[-3000:]
    records = logged(tmp_path / "out", "mabench_synth_cmar", "unparseable")
    failed = [r for r in records if r["model_failure"]]
    assert len(failed) == 1 and "VideoDecodeError" in failed[0]["model_failure"]
    assert results_of(tmp_path / "out")["mabench_synth_cmar"]["n_scored,none"] == len(records) - 1
    assert "1 of" in done.stderr and "got no answer from the model" in done.stderr


def test_frames_are_sent_at_the_protocol_size(tmp_path):
    from finemotion_eval.model_adapters.frames import jpeg_data_urls, resized

    frames = np.random.default_rng(0).integers(0, 256, (2, 30, 40, 3), dtype=np.uint8)
    small = resized(frames, (14, 28))
    assert small.shape == (2, 14, 28, 3) and resized(frames, (30, 40)) is frames
    (url,) = jpeg_data_urls(small[:1], 90)
    assert Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).size == (28, 14)


def test_video_url_mode_sends_the_clip_itself(synth, tmp_path):
    with JudgeServer(answer=model_reply) as server:
        done = run(["--model", "finemotion_openai", "--model_args", model_args(server, tmp_path / "c.sqlite", mode="video_url"),
                    "--tasks", "mabench_synth_cmar"], synth, tmp_path / "out")
        bodies = list(server.bodies)
    assert done.returncode == 0, done.stderr[-3000:]
    samples = [json.loads(line) for line in next((tmp_path / "out").rglob("*samples_mabench_synth_cmar.jsonl")).open()]
    sent = set()
    for body in bodies:
        (video,) = [part["video_url"]["url"] for part in body["messages"][0]["content"] if part["type"] == "video_url"]
        assert not images_of(body) and video.startswith("data:video/mp4;base64,")
        sent.add(base64.b64decode(video.split(",", 1)[1]))
    for sample in samples:
        provenance = sample["finemotion_provenance"]
        assert provenance["mode"] == "video_url" and provenance["protocol"] == "decoded by the server"
        assert Path(provenance["video"]).read_bytes() in sent
