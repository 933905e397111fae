"""The MAC 2026 submission format: read it, score it against answers, and write it from lmms-eval logs.

Format (starter kit): ``{"prompts": [{"task", "system_prompt"}], "answers": [{"qid", "pred_answer"}]}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from finemotion_eval.inputs import InputFileError, read_json, record_field
from finemotion_eval.lmms_run import sample_logs_of_one_run
from finemotion_eval.mabench_tasks.closed import parse_prediction
from finemotion_eval.mabench_tasks.dataset import CLOSED_TASKS, TASKS, MABenchFormatError, canonical_qid
from finemotion_eval.metrics import accuracy, closed_average


def read_predictions(path: str | Path) -> dict[str, str]:
    """qid -> predicted answer, from a submission (``{"answers": [{"qid", "pred_answer"}]}``) or an answered question
    file (``[{"qid", "answer"}]``). Every answer must be a string: nothing is coerced into one."""
    data = read_json(path, "predictions")
    if isinstance(data, dict) and "answers" in data:
        records, field = data["answers"], "pred_answer"
        if not isinstance(records, list):
            raise MABenchFormatError(f"{path}: 'answers' must be a list, got {type(records).__name__}")
    elif isinstance(data, list):
        records, field = data, "answer"
    else:
        raise MABenchFormatError(f"{path}: neither a submission ({{'answers': [...]}}) nor a list of answered questions "
                                 f"(got {type(data).__name__})")
    predictions = {}
    for number, record in enumerate(records):
        qid = canonical_qid(record_field(record, "qid", str, path, f"record {number}"))
        if qid in predictions:
            raise MABenchFormatError(f"{path}: record {number}: question {qid} is answered twice")
        predictions[qid] = record_field(record, field, str, path, f"record {number} ({qid})")
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


#: lmms-eval task name -> MA-Bench task, for the tasks whose answers go into a MAC 2026 submission.
SUBMITTED_TASKS = {f"mabench_{task.lower()}": task for task in TASKS}
#: The metric under which each task's sample log keeps the question's record (every one but `accuracy`).
_RECORD_METRIC = {**{task: "unparseable" for task in CLOSED_TASKS}, "MADU": "judge_failures", "MARE": "judge_failures"}


def _refuse_other_benchmarks(task: str) -> str | None:
    if task not in SUBMITTED_TASKS:
        return (f"samples of {task}, not of an MA-Bench task; only mabench_* runs go into a MAC 2026 submission "
                "(pass that run's files or folder alone)")
    return None


def run_sample_logs(paths: Iterable[str | Path]) -> dict[str, Path]:
    """lmms-eval task -> sample log, for exactly one run of MA-Bench tasks (:func:`lmms_run.sample_logs_of_one_run`).

    Logs of other tasks (MA-Synth, FAVOR-Bench, anything else) are refused, as are several runs: answers
    keyed by question id would mix silently.
    """
    try:
        return sample_logs_of_one_run(paths, refuse=_refuse_other_benchmarks)
    except InputFileError as err:
        raise MABenchFormatError(str(err)) from None


def submission_from_samples(sample_logs: Iterable[str | Path], prompts: Mapping[str, str]) -> dict:
    """A submission from the ``--log_samples`` files of one run (:func:`run_sample_logs`).

    Closed tasks submit the parsed letter or Yes/No; an output we cannot parse is submitted as the model wrote
    it (reasoning stripped), so the challenge server judges it as given. Open tasks submit the answer text.
    """
    answers: dict[str, str] = {}
    for lmms_task, log in run_sample_logs(sample_logs).items():
        task = SUBMITTED_TASKS[lmms_task]
        for number, line in enumerate(log.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            record = json.loads(line).get(_RECORD_METRIC[task])
            if not isinstance(record, dict) or "qid" not in record:
                raise MABenchFormatError(f"{log}: line {number} is not a sample of a finemotion MA-Bench task")
            if record["qid"] in answers:
                raise MABenchFormatError(f"{log}: line {number}: question {record['qid']} appears twice in this run")
            if task in CLOSED_TASKS:
                answers[record["qid"]] = record["prediction"] if record["prediction"] is not None else record["output"]
            else:
                answers[record["qid"]] = record["prediction"]
    tasks = [task for task in TASKS if any(qid.split("_")[0] == task for qid in answers)]
    return {
        "prompts": [{"task": task, "system_prompt": prompts.get(task, "")} for task in tasks],
        "answers": [{"qid": qid, "pred_answer": answers[qid]} for qid in sorted(answers)],
    }
