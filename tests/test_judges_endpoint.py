"""The judge against a real loopback HTTP server with seeded faults: nothing lost, nothing asked twice."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
import time

from conftest import REPO
from judge_server import HTML_PAGE, JudgeServer, expected_scores

from finemotion_eval.judges import JudgeConfig, JudgeItem, ReplyCache, Rubric, judge_items, task_scores

SECRET = "sk-test-SECRET-0123456789abcdef"
MADU = Rubric.load("mabench_madu")


def _items(n: int, tag: str = "") -> list[JudgeItem]:
    return [JudgeItem(f"q{i}", f"The head turns left then returns {tag}{i}.", f"Head moves {tag}{i}.") for i in range(n)]


def _config(server: JudgeServer, **changes) -> JudgeConfig:
    settings = {"concurrency": 16, "timeout_s": 0.3, "max_retries": 4, "backoff_base_s": 0.01, "backoff_max_s": 0.05}
    settings.update(changes)
    return JudgeConfig(model="loopback-judge", base_url=server.url, api_key=SECRET, **settings)


def _expected(item: JudgeItem, server: JudgeServer) -> dict[str, int]:
    prompt = MADU.messages(item.ground_truth, item.prediction)[0]["content"]
    return expected_scores(prompt, server.keys, server.high)


def test_faults_leave_every_item_scored_or_reported(tmp_path):
    items = _items(200)
    with JudgeServer(fault_rate=0.3, seed=7, hang_s=0.45) as server:
        run = judge_items(items, MADU, _config(server), tmp_path / "cache.sqlite")
        sent_seen_by_server = server.total
    assert [result.id for result in run.results] == [item.id for item in items]
    assert all((result.scores is None) != (result.error is None) for result in run.results)
    for item, result in zip(items, run.results):
        if result.ok:
            assert result.scores == _expected(item, server)
        assert (result.judge_model, result.prompt_version) == ("loopback-judge", MADU.version)
    usage = run.usage
    assert usage.sent == sent_seen_by_server
    assert usage.retried > 0 and usage.repairs > 0  # the schedule did inject faults
    assert usage.failed == len(run.failures) < 10
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert "200 items" in usage.summary()


def test_killed_run_resumes_with_only_the_missing_requests(tmp_path):
    items = _items(200)
    cache = tmp_path / "cache.sqlite"
    items_file = tmp_path / "items.json"
    items_file.write_text(json.dumps([item.__dict__ for item in items]))
    with JudgeServer(latency_s=0.01) as server:
        child = (
            "import json, sys; from finemotion_eval.judges import *\n"
            f"items = [JudgeItem(**d) for d in json.load(open({str(items_file)!r}))]\n"
            f"config = JudgeConfig(model='loopback-judge', base_url={server.url!r}, api_key={SECRET!r}, concurrency=4)\n"
            f"judge_items(items, Rubric.load('mabench_madu'), config, {str(cache)!r})\n"
        )
        process = subprocess.Popen([sys.executable, "-c", child], cwd=REPO)
        try:
            deadline = time.monotonic() + 30
            while server.total < 80 and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            assert process.poll() is None, "the child finished before it could be killed"
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait()
        with ReplyCache(cache) as reopened:
            kept = len(reopened)  # the killed writer left a readable file
        assert 0 < kept < 200
        server.reset_counts()
        resumed = judge_items(items, MADU, _config(server), cache)
        assert server.total == 200 - kept == resumed.usage.sent
        assert max(server.per_prompt.values()) == 1
        assert resumed.usage.cached == kept and not resumed.failures
        server.reset_counts()
        again = judge_items(items, MADU, _config(server), cache)
        assert server.total == 0 and again.usage.sent == 0 and again.usage.cached == 200
    assert [r.scores for r in again.results] == [r.scores for r in resumed.results]


def test_unreadable_reply_is_repaired_once_and_cached(tmp_path):
    items = _items(5)
    with JudgeServer(malformed="first") as server:
        run = judge_items(items, MADU, _config(server), tmp_path / "cache.sqlite")
        assert not run.failures
        assert (run.usage.sent, run.usage.repairs, server.total) == (10, 5, 10)
        assert [r.scores for r in run.results] == [_expected(item, server) for item in items]
        server.reset_counts()
        again = judge_items(items, MADU, _config(server), tmp_path / "cache.sqlite")
        assert server.total == 0 and [r.scores for r in again.results] == [r.scores for r in run.results]


def test_unreadable_twice_is_a_counted_failure_excluded_from_means(tmp_path):
    items = _items(3) + [JudgeItem("bad", "The hand touches the nose. UNREADABLE", "Touches nose.")]
    with JudgeServer(malformed_if="UNREADABLE") as server:
        run = judge_items(items, MADU, _config(server), tmp_path / "cache.sqlite")
        [failure] = run.failures
        assert failure.id == "bad" and failure.scores is None and "unreadable" in failure.error
        assert failure.reply is not None
        assert (run.usage.failed, run.usage.repairs, run.usage.sent) == (1, 1, 5)
        scores = task_scores(run.results, MADU.keys)
        expected = [_expected(item, server) for item in items[:3]]
        assert scores.means == {key: sum(e[key] for e in expected) / 3 for key in MADU.keys}
        assert (scores.scored, scores.failed) == (3, 1)
        server.reset_counts()
        judge_items(items, MADU, _config(server), tmp_path / "cache.sqlite")
        assert server.total == 2  # failures are not cached: only the bad item is asked again


def test_api_key_never_leaves_the_request(tmp_path, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    cache = tmp_path / "cache.sqlite"
    items = _items(40)
    with JudgeServer(fault_rate=0.3, seed=3, hang_s=0.45, malformed_if="7.") as server:
        config = _config(server)
        run = judge_items(items, MADU, config, cache)
        assert server.authorizations == {f"Bearer {SECRET}"}  # the key was used
    assert run.failures  # failure messages are part of what is checked
    results_file = tmp_path / "results.json"
    results_file.write_text(json.dumps(run.to_dict()))
    captured = capsys.readouterr()
    texts = [caplog.text, captured.out, captured.err, repr(config), repr(run), results_file.read_text()]
    assert all(SECRET not in text for text in texts)
    for path in tmp_path.iterdir():
        assert SECRET.encode() not in path.read_bytes(), path.name


def test_request_budget_reports_the_rest_as_failures(tmp_path):
    items = _items(60)
    with JudgeServer() as server:
        run = judge_items(items, MADU, _config(server, max_requests=25), tmp_path / "cache.sqlite")
        assert server.total == run.usage.sent == 25
    assert len(run.results) == 60
    assert len(run.failures) == 35 == run.usage.failed
    assert all("budget" in failure.error for failure in run.failures)


def test_retry_after_is_honoured(tmp_path):
    with JudgeServer(fault_rate=1.0, faults=("429",), retry_after="0.25") as server:
        start = time.monotonic()
        run = judge_items(_items(1), MADU, _config(server, max_retries=1, backoff_max_s=5), None)
        elapsed = time.monotonic() - start
    assert server.total == 2 and run.failures[0].error.endswith("HTTP 429")
    assert elapsed >= 0.25


def test_non_json_success_bodies_are_retried_not_fatal():
    with JudgeServer(fault_rate=0.5, faults=("garbage",), seed=5) as server:
        run = judge_items(_items(30), MADU, _config(server, max_retries=1), None)
    assert len(run.results) == 30 and run.usage.retried > 0
    assert all("unusable response" in failure.error for failure in run.failures)
    assert run.failures and all("<html>upstream glitch</html>" in failure.error for failure in run.failures)


def test_an_html_page_is_reported_with_its_first_bytes_not_as_an_empty_reply():
    with JudgeServer(fault_rate=1.0, faults=("html",)) as server:
        run = judge_items(_items(2), MADU, _config(server, max_retries=1), None)
    assert len(run.failures) == 2
    assert all(failure.error.endswith(f"last: unusable response (not a chat completion: {HTML_PAGE!r})")
               for failure in run.failures)


def test_client_errors_are_not_retried(tmp_path):
    with JudgeServer() as server:
        config = dataclasses.replace(_config(server), base_url=server.url + "/nowhere")
        run = judge_items(_items(3), MADU, config, None)
    assert run.usage.sent == 3 and run.usage.retried == 0
    assert all("HTTP 404" in failure.error for failure in run.failures) and len(run.failures) == 3


def test_concurrency_is_bounded(tmp_path):
    with JudgeServer(latency_s=0.03) as server:
        run = judge_items(_items(24), MADU, _config(server, concurrency=4), None)
        assert server.max_in_flight == 4
    assert not run.failures


def test_favor_rubric_end_to_end(tmp_path):
    favor = Rubric.load("favor_caption")
    items = [JudgeItem(f"v{i}", f"The camera pans left as the man walks {i}.", f"A man walks {i}.") for i in range(6)]
    with JudgeServer(keys=favor.keys, high=10) as server:
        run = judge_items(items, favor, _config(server), None)
    assert not run.failures and all(set(r.scores) == {"correctness", "detailedness"} for r in run.results)
    for item, result in zip(items, run.results):
        prompt = favor.messages(item.ground_truth, item.prediction)[0]["content"]
        assert result.scores == expected_scores(prompt, favor.keys, 10)


def test_judge_items_works_inside_a_running_loop():
    async def caller():
        with JudgeServer() as server:
            return judge_items(_items(3), MADU, _config(server), None)

    assert not asyncio.run(caller()).failures
