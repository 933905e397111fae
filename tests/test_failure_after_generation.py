"""A scoring failure after generation ends the run with NaN, says why, and keeps the sample log."""

import json
import math
import subprocess
import sys

from throwaway_task import write_task

from finemotion_eval.notices import survives

HOOKS = """\
from finemotion_eval.notices import survives


def no_visual(doc):
    return []


def doc_to_text(doc, lmms_eval_specific_kwargs=None):
    return doc["question"]


def process_results(doc, results):
    return {"score": {"qid": doc["qid"], "output": results[0]}}


@survives
def failing_mean(records):
    raise RuntimeError("the scorer's resource vanished")
"""


def test_survives_turns_an_exception_into_nan_and_a_message(capsys):
    @survives
    def broken(records):
        raise KeyError("level")

    assert math.isnan(broken([1, 2]))
    assert capsys.readouterr().err.startswith("finemotion: ERROR: broken failed after generation (KeyError: 'level')")


def test_the_run_ends_with_nan_and_its_sample_log(tmp_path):
    tasks = write_task(tmp_path / "tasks", "finemotion_scoring_fails", HOOKS, metric="score",
                       aggregation="!function hooks.failing_mean")
    run = subprocess.run([sys.executable, "-m", "lmms_eval", "--model", "finemotion_random", "--tasks", "finemotion_scoring_fails",
                          "--include_path", str(tasks), "--output_path", str(tmp_path / "out"), "--log_samples"],
                         capture_output=True, text=True, timeout=600)
    (results_file,) = (tmp_path / "out").rglob("*results.json")
    assert math.isnan(json.loads(results_file.read_text())["results"]["finemotion_scoring_fails"]["score,none"])
    (samples,) = (tmp_path / "out").rglob("*samples_finemotion_scoring_fails.jsonl")
    assert [json.loads(line)["score"]["qid"] for line in samples.read_text().splitlines()] == ["q1", "q2"]
    assert "finemotion: ERROR: failing_mean failed after generation (RuntimeError: the scorer's resource vanished)" in run.stderr
