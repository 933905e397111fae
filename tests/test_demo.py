"""`make demo`'s script: a failed evaluation is a failed demo (lmms-eval 0.7.3 itself exits 0 after one)."""

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO
from throwaway_task import write_task

BROKEN_HOOKS = """\
def no_visual(doc):
    return []


def doc_to_text(doc, lmms_eval_specific_kwargs=None):
    raise RuntimeError("this task is broken on purpose")


def process_results(doc, results):
    return {"accuracy": 0.0}
"""


def test_demo_exits_non_zero_and_shows_lmms_evals_error_when_the_evaluation_fails(tmp_path):
    tasks = write_task(tmp_path / "tasks", "finemotion_broken_on_purpose", BROKEN_HOOKS)
    env = {**os.environ, "VENV": str(Path(sys.executable).parent.parent), "DEMO_OUT": str(tmp_path / "demo")}
    run = subprocess.run(["bash", "scripts/demo.sh", "--include_path", str(tasks), "--tasks", "finemotion_broken_on_purpose"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    assert "this task is broken on purpose" in run.stderr
    assert "wrote no results under" in run.stderr
    assert "results and per-sample logs" not in run.stdout
