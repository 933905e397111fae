"""Judge reply parsing, rubric files and judge configuration: no network."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO
from hypothesis import given
from hypothesis import strategies as st

from finemotion_eval.judges import BUILTIN_RUBRICS, JudgeConfig, Rubric, ScoreParseError, parse_scores

KEYS = ("L1", "L2", "L3")


@pytest.mark.parametrize(
    "reply",
    [
        '{"L1": 4, "L2": 3, "L3": 0}',
        '```json\n{"L1": 4, "L2": 3, "L3": 0}\n```',
        'Sure. Scores: {"L1": 4, "L2": 3, "L3": 0, "reason": "close"} Hope this helps.',
        '{"L1": "4", "L2": " 3 ", "L3": 0.0}',
        '{"l1": {"score": 4}, "L2": {"score": "3"}, "L3": {"value": 0}}',
        'first {broken json} then {"L1": 4, "L2": 3, "L3": 0}',
        '{"L1": 9} and then {"L1": 4, "L2": 3, "L3": 0}',
    ],
)
def test_accepts_common_deviations(reply):
    assert parse_scores(reply, KEYS, 0, 5) == {"L1": 4, "L2": 3, "L3": 0}


@pytest.mark.parametrize(
    "reply",
    [
        "",
        "L1: 4, L2: 3, L3: 0",
        '{"L1": 4, "L2": 3}',
        '{"L1": 6, "L2": 3, "L3": 0}',
        '{"L1": -1, "L2": 3, "L3": 0}',
        '{"L1": 3.5, "L2": 3, "L3": 0}',
        '{"L1": true, "L2": 3, "L3": 0}',
        '{"L1": "four", "L2": 3, "L3": 0}',
        '{"L1": null, "L2": 3, "L3": 0}',
        '[4, 3, 0]',
    ],
)
def test_rejects_missing_or_out_of_range(reply):
    with pytest.raises(ScoreParseError):
        parse_scores(reply, KEYS, 0, 5)


@given(
    scores=st.fixed_dictionaries({key: st.integers(0, 10) for key in ("correctness", "detailedness")}),
    before=st.text(alphabet=st.characters(blacklist_characters="{}`"), max_size=30),
    after=st.text(alphabet=st.characters(blacklist_characters="{}`"), max_size=30),
    fenced=st.booleans(),
)
def test_valid_scores_survive_any_wrapping(scores, before, after, fenced):
    body = json.dumps(scores)
    reply = f"{before}\n```json\n{body}\n```\n{after}" if fenced else f"{before}{body}{after}"
    assert parse_scores(reply, ("correctness", "detailedness"), 0, 10) == scores


@pytest.mark.parametrize("name", sorted(BUILTIN_RUBRICS))
def test_builtin_rubrics_load_and_fill(name):
    rubric = Rubric.load(name)
    [message] = rubric.messages("GT {prediction} text", "PRED text")
    # One-pass filling: the placeholder inside the ground truth is not replaced again.
    assert "GT {prediction} text" in message["content"] and "PRED text" in message["content"]
    assert "{ground_truth}" not in message["content"]
    assert len(rubric.version) == 12


def test_builtin_scales():
    assert (Rubric.load("mabench_madu").keys, Rubric.load("mabench_madu").high) == (KEYS, 5)
    assert (Rubric.load("mabench_mare").keys, Rubric.load("mabench_mare").low) == (KEYS, 0)
    favor = Rubric.load("favor_caption")
    assert (favor.keys, favor.low, favor.high) == (("correctness", "detailedness"), 0, 10)


def test_user_rubric_file(tmp_path):
    path = tmp_path / "my_rubric.txt"
    path.write_text('# a note\nkeys: accuracy, style\nrange: 1-7\n---\nGT: {ground_truth}\nP: {prediction}\n{"accuracy": 1}\n')
    rubric = Rubric.load(path)
    assert (rubric.name, rubric.keys, rubric.low, rubric.high) == ("my_rubric", ("accuracy", "style"), 1, 7)
    assert rubric.messages("a", "b")[0]["content"] == 'GT: a\nP: b\n{"accuracy": 1}'
    assert rubric.version != Rubric.parse("other", path.read_text().replace("1-7", "0-7")).version


@pytest.mark.parametrize(
    "text",
    [
        "GT {ground_truth} P {prediction}",  # no header
        "keys: a\n---\nGT {ground_truth} P {prediction}",  # no range
        "keys: a\nrange: 0-5\n---\nGT {ground_truth} only",  # no prediction placeholder
        "keys: a\nrange: 5-5\n---\n{ground_truth} {prediction}",  # empty range
    ],
)
def test_bad_rubric_files_are_rejected(text):
    with pytest.raises(ValueError):
        Rubric.parse("bad", text)


def test_config_from_env(monkeypatch):
    monkeypatch.setenv("FINEMOTION_JUDGE_MODEL", "judge-x")
    monkeypatch.setenv("FINEMOTION_JUDGE_BASE_URL", "http://127.0.0.1:1/v1")
    monkeypatch.delenv("FINEMOTION_JUDGE_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fallback-secret")
    config = JudgeConfig.from_env(concurrency=3)
    assert (config.model, config.base_url, config.api_key, config.concurrency) == (
        "judge-x", "http://127.0.0.1:1/v1", "sk-fallback-secret", 3)
    assert config.temperature == 0.0
    assert "sk-fallback-secret" not in repr(config) and "sk-fallback-secret" not in str(config)
    monkeypatch.setenv("FINEMOTION_JUDGE_API_KEY", "sk-own")
    assert JudgeConfig.from_env().api_key == "sk-own"
    assert JudgeConfig.from_env(model="other").model == "other"


def test_config_needs_a_model(monkeypatch):
    monkeypatch.delenv("FINEMOTION_JUDGE_MODEL", raising=False)
    with pytest.raises(ValueError, match="FINEMOTION_JUDGE_MODEL"):
        JudgeConfig.from_env()
    with pytest.raises(TypeError):
        JudgeConfig.from_env(model="m", concurency=2)


def test_import_needs_no_openai_and_no_key():
    code = "import sys, judges; assert 'openai' not in sys.modules, 'openai imported eagerly'"
    env = {"PATH": "/usr/bin:/bin"}  # no API keys at all
    subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, check=True)


def test_judge_limits_come_from_the_environment(monkeypatch):
    from finemotion_eval.judges import JudgeConfig

    for name, value in {"FINEMOTION_JUDGE_MODEL": "m", "FINEMOTION_JUDGE_CONCURRENCY": "3", "FINEMOTION_JUDGE_TIMEOUT": "2.5",
                        "FINEMOTION_JUDGE_RETRIES": "0", "FINEMOTION_JUDGE_MAX_REQUESTS": "40"}.items():
        monkeypatch.setenv(name, value)
    config = JudgeConfig.from_env()
    assert (config.concurrency, config.timeout_s, config.max_retries, config.max_requests) == (3, 2.5, 0, 40)
    monkeypatch.setenv("FINEMOTION_JUDGE_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="FINEMOTION_JUDGE_TIMEOUT='soon' is not a number"):
        JudgeConfig.from_env()
