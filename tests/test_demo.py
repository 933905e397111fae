"""`make demo`'s script: a failed evaluation is a failed demo (lmms-eval 0.7.3 itself exits 0 after one)."""

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO

BROKEN_TASK = """\
task: finemotion_broken_on_purpose
dataset_path: json
dataset_kwargs:
  data_files:
    test: docs.jsonl
test_split: test
output_type: generate_until
doc_to_visual: !function broken.no_visual
doc_to_text: !function broken.doc_to_text
doc_to_target: answer
process_results: !function broken.process_results
metric_list:
  - metric: accuracy
    aggregation: mean
    higher_is_better: true
"""
BROKEN_HOOKS = """\
def no_visual(doc):
    return []


def doc_to_text(doc, lmms_eval_specific_kwargs=None):
    raise RuntimeError("this task is broken on purpose")


def process_results(doc, results):
    return {"accuracy": 0.0}
"""


def test_demo_exits_non_zero_and_shows_lmms_evals_error_when_the_evaluation_fails(tmp_path):
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    (tasks / "broken.yaml").write_text(BROKEN_TASK)
    (tasks / "broken.py").write_text(BROKEN_HOOKS)
    (tasks / "docs.jsonl").write_text('{"question": "q", "answer": "A"}\n')
    env = {**os.environ, "VENV": str(Path(sys.executable).parent.parent), "DEMO_OUT": str(tmp_path / "demo")}
    run = subprocess.run(["bash", "scripts/demo.sh", "--include_path", str(tasks), "--tasks", "finemotion_broken_on_purpose"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    assert "this task is broken on purpose" in run.stderr
    assert "wrote no results under" in run.stderr
    assert "results and per-sample logs" not in run.stdout
