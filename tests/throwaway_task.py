"""A one-file lmms-eval task a test writes, to break something on purpose."""

from __future__ import annotations

from pathlib import Path

_TASK = """\
task: {name}
dataset_path: json
dataset_kwargs:
  data_files:
    test: docs.jsonl
test_split: test
output_type: generate_until
doc_to_visual: !function hooks.no_visual
doc_to_text: !function hooks.doc_to_text
doc_to_target: answer
process_results: !function hooks.process_results
generation_kwargs:
  until: []
  temperature: 0
  do_sample: false
metric_list:
  - metric: {metric}
    aggregation: {aggregation}
    higher_is_better: true
"""
_DOCS = '{"qid": "q1", "question": "Yes or no?", "answer": "Yes"}\n{"qid": "q2", "question": "Yes or no?", "answer": "No"}\n'


def write_task(folder: Path, name: str, hooks: str, metric: str = "accuracy", aggregation: str = "mean") -> Path:
    """``folder`` holding task ``name`` (two Yes/No questions) whose hooks module is ``hooks``: it defines
    ``no_visual``, ``doc_to_text`` and ``process_results``, and any aggregation named ``!function hooks.x``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(_TASK.format(name=name, metric=metric, aggregation=aggregation))
    (folder / "hooks.py").write_text(hooks)
    (folder / "docs.jsonl").write_text(_DOCS)
    return folder
