"""``finemotion filter`` on a FAVOR-Bench-style prepared folder, against scripted loopback models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from judge_server import JudgeServer
from test_favor_closed import prepare_favor_fixture, release

from finemotion_eval.favor_tasks.dataset import FAVOR_TASKS, load_prepared
from finemotion_eval.mabench_tasks.dataset import split_question

BIN = Path(sys.executable).parent


def scripted(messages: list[dict]) -> str:
    """Knows the answers about clip 0 from the text alone and about clip 1 once it sees two frames; else no answer."""
    content = messages[0]["content"]
    images = sum(part["type"] == "image_url" for part in content) if isinstance(content, list) else 0
    text = content[-1]["text"] if isinstance(content, list) else content
    stem, options = split_question(text.rsplit("\n", 1)[0])
    known_clip = {0: "clip 0?", 2: "clip 1?"}.get(images)
    if known_clip is None or not stem.endswith(known_clip):
        return "I cannot tell."
    clip, task = int(known_clip[5]), stem.split()[1]
    keyed = release(["clip0", "clip1"], True)[clip]["questions"][FAVOR_TASKS.index(task)]["correct_answer"]
    return f"The answer is {'ABCDE'[options.index(keyed)]}."


def test_filters_remove_exactly_what_the_model_knows_and_a_rerun_asks_nothing(tmp_path):
    favor = prepare_favor_fixture(tmp_path)
    out = tmp_path / "filtered"
    with JudgeServer(answer=scripted) as server:
        command = [str(BIN / "finemotion"), "filter", str(favor), "--out", str(out), "--llm",
                   f"base_url={server.url},model=scripted", "--filters", "blind,single-frame", "--frames", "2"]
        done = subprocess.run(command, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        sent = server.total
        # 18 questions x 3 option orders blind, then the 12 left x 3 with frames.
        assert sent == 18 * 3 + 12 * 3
        again = subprocess.run(command, capture_output=True, text=True)
        assert again.returncode == 0 and server.total == sent  # every answer came from the cache
    report = json.loads((out / "filter_report.json").read_text())
    assert {task: c["removed"] for task, c in report["filters"]["blind"]["per_task"].items()} == dict.fromkeys(FAVOR_TASKS, 1)
    removed = {name: [json.loads(line) for line in (out / "filters" / f"{name}_removed.jsonl").read_text().splitlines()]
               for name in ("blind", "single-frame")}
    assert {r["video_name"] for r in removed["blind"]} == {"clip0"} and len(removed["blind"]) == 6
    assert {r["video_name"] for r in removed["single-frame"]} == {"clip1"} and len(removed["single-frame"]) == 6
    assert all(a["read_as"] == a["correct"] for r in removed["blind"] for a in r["filter_answers"])
    for task in FAVOR_TASKS:
        assert load_prepared(out, task)["video_name"] == ["clip2"]
    assert len(load_prepared(out, "CAPTION")) == 3  # caption rows pass through
    assert report["kept"] == 6 and "filtered" in json.loads((out / "finemotion_manifest.json").read_text())
