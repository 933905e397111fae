"""The MAC 2026 submission format: read it, score it against answers, and write it from lmms-eval logs.

Format (starter kit): ``{"prompts": [{"task", "system_prompt"}], "answers": [{"qid", "pred_answer"}]}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from finemotion_eval.mabench_tasks.closed import parse_prediction
from finemotion_eval.mabench_tasks.dataset import CLOSED_TASKS, MABenchFormatError, canonical_qid
from finemotion_eval.metrics import accuracy, closed_average


def read_predictions(path: str | Path) -> dict[str, str]:
    """qid -> predicted answer, from a submission file or from an answered question file."""
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "answers" in data:
        pairs = ((a.get("qid"), a.get("pred_answer")) for a in data["answers"])
    elif isinstance(data, list):
        pairs = ((a.get("qid"), a.get("answer")) for a in data)
    else:
        raise MABenchFormatError(f"{path}: neither a submission ({{'answers': [...]}}) nor a list of answered questions")
    predictions = {}
    for qid, answer in pairs:
        if not isinstance(qid, str) or answer is None:
            raise MABenchFormatError(f"{path}: every answer needs a 'qid' string and an answer, got {qid!r}: {answer!r}")
        predictions[canonical_qid(qid)] = str(answer)
    return predictions


@dataclass
class ClosedScore:
    """Per-task accuracy (%) with the counts behind it."""

    accuracy: dict[str, float] = field(default_factory=dict)
    questions: dict[str, int] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)  # no prediction for a question: counted wrong
    unparseable: dict[str, int] = field(default_factory=dict)  # prediction names no option: counted wrong

    @property
    def average(self) -> float | None:
        """Closed AVG, the plain mean of the six tasks; None unless all six were scored."""
        return closed_average(self.accuracy) if set(CLOSED_TASKS) <= set(self.accuracy) else None


def score_closed(predictions: Mapping[str, str], rows: Iterable[Mapping]) -> ClosedScore:
    """Score predictions against answered question rows (schema of ``mabench_tasks.dataset``)."""
    score = ClosedScore()
    by_task: dict[str, list[bool]] = {}
    for row in rows:
        task = row["task"]
        if task not in CLOSED_TASKS or row["answer"] is None:
            continue
        raw = predictions.get(row["qid"])
        parsed = None if raw is None else parse_prediction(row, raw)
        score.missing[task] = score.missing.get(task, 0) + (raw is None)
        score.unparseable[task] = score.unparseable.get(task, 0) + (raw is not None and parsed is None)
        by_task.setdefault(task, []).append(parsed == row["answer"])
    for task in CLOSED_TASKS:
        if task in by_task:
            score.accuracy[task] = accuracy(by_task[task])
            score.questions[task] = len(by_task[task])
    return score


def submission_from_samples(sample_files: Iterable[str | Path], prompts: Mapping[str, str]) -> dict:
    """A submission from lmms-eval ``--log_samples`` files of our tasks.

    The parsed letter or Yes/No is submitted; an unparseable output is submitted as the model wrote it
    (reasoning stripped), so the challenge server judges it as given.
    """
    answers: dict[str, str] = {}
    for sample_file in sample_files:
        for line in Path(sample_file).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            # Every closed-task metric but `accuracy` (a 0/100 number) logs the question's whole record.
            record = json.loads(line).get("unparseable")
            if not isinstance(record, dict) or "qid" not in record:
                raise MABenchFormatError(f"{sample_file}: not a sample log of a finemotion MA-Bench task")
            answers[record["qid"]] = record["prediction"] if record["prediction"] is not None else record["output"]
    if not answers:
        raise MABenchFormatError("no MA-Bench samples found in the given files")
    tasks = sorted({qid.split("_")[0] for qid in answers})
    return {
        "prompts": [{"task": task, "system_prompt": prompts.get(task, "")} for task in tasks],
        "answers": [{"qid": qid, "pred_answer": answers[qid]} for qid in sorted(answers)],
    }
