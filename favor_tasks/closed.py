"""The six FAVOR-Bench close-ended tasks as lmms-eval hooks.

Two protocols, never mixed: ``official`` (the official prompt and substring judge; accuracy over the fixed
official denominators, and over actual counts as VLMEvalKit does) and ``letter`` (options labelled A-E,
the letter extracted from the output).
"""

from __future__ import annotations

import math

from finemotion_eval.metrics import DEFAULT_LETTERS, extract_choice, strip_reasoning
from finemotion_eval.metrics.favor_mcqa import favor_judge, official_task_accuracy, official_task_stderr
from finemotion_eval.model_adapters.failures import failure_reason
from finemotion_eval.notices import notice, survives
from finemotion_eval.prompts import prompt_files, read_prompt

LETTERS = DEFAULT_LETTERS[:5]  # FAVOR questions have five options


def doc_to_text_official(doc: dict, lmms_eval_specific_kwargs: dict | None = None) -> str:
    prompt_files(lmms_eval_specific_kwargs, {})  # the official prompt is part of the protocol: no keys
    # str(list) on purpose: the official prompt shows the options as a Python list repr.
    return read_prompt("favor/mcqa_official.txt").format(question=doc["question"], options=str(list(doc["options"])))


def doc_to_text_letter(doc: dict, lmms_eval_specific_kwargs: dict | None = None) -> str:
    prompt_files(lmms_eval_specific_kwargs, {})
    options = "\n".join(f"{letter}. {option}" for letter, option in zip(LETTERS, doc["options"]))
    return read_prompt("favor/mcqa_letter.txt").format(question=doc["question"], options=options)


def doc_to_target(doc: dict) -> str:
    return doc["answer"]


def _record(doc: dict, output: str, correct: bool, prediction: str | None, failure: str | None) -> dict:
    return {"qid": doc["qid"], "task": doc["task"], "video_name": doc["video_name"], "video": doc["video"],
            "correct": correct, "prediction": prediction, "output": output, "model_failure": failure}


def process_results_official(doc: dict, results: list[str]) -> dict:
    output = results[0] if results else ""
    failure = failure_reason(output)
    record = _record(doc, output, not failure and favor_judge(output, doc["answer"], doc["options"]), None, failure)
    # acc_official's standard error is a metric of its own named `acc_official_stderr`, lmms-eval's key for the
    # standard error of `acc_official`: it must come after acc_official, whose own (N/A) value it overwrites.
    scores = {"acc_official": record, "acc_official_stderr": record, "n_scored": record, "model_failures": record}
    if not failure:  # a question the model never answered is left out, not scored wrong
        scores["acc_actual_counts"] = _percent(record["correct"])
    return scores


def process_results_letter(doc: dict, results: list[str]) -> dict:
    output = results[0] if results else ""
    failure = failure_reason(output)
    prediction = None if failure else extract_choice(output, doc["options"], LETTERS[: len(doc["options"])])
    answer_letter = LETTERS[list(doc["options"]).index(doc["answer"])]
    record = _record(doc, strip_reasoning(output), prediction == answer_letter, prediction, failure)
    scores = {"n_scored": record, "unparseable": record, "model_failures": record}
    if not failure:
        scores["accuracy"] = _percent(record["correct"])
    return scores


def _percent(correct: bool) -> float:
    """A per-question 0/100 for lmms-eval's ``mean``: the accuracy in %, with lmms-eval's standard error."""
    return 100.0 if correct else 0.0


def _task_of(records: list[dict]) -> str:
    tasks = {r["task"] for r in records}
    if len(tasks) != 1:
        raise ValueError(f"official FAVOR accuracy is per task; got records of {sorted(tasks)}")
    return tasks.pop()


def _unanswered(records: list[dict]) -> bool:
    """Whether the model left questions unanswered: a fixed-denominator accuracy would count them as wrong."""
    return any(r["model_failure"] for r in records)


@survives
def accuracy_official_denominator(records: list[dict]) -> float:
    """Official: correct answers over the task's fixed denominator, x100, rounded to 2 decimals.

    NaN when the model left questions unanswered (``model_failures``): the official number needs them all;
    ``acc_actual_counts`` is then the accuracy over the answered ones.
    """
    if _unanswered(records):
        notice(f"{_task_of(records)}: acc_official is NaN because the model left questions unanswered "
               "(see model_failures); acc_actual_counts covers the answered ones. Run again to retry them.")
        return math.nan
    return official_task_accuracy(_task_of(records), sum(r["correct"] for r in records))


@survives
def official_denominator_stderr(records: list[dict]) -> float:
    """The standard error of :func:`accuracy_official_denominator` (NaN with it)."""
    if _unanswered(records):
        return math.nan
    return official_task_stderr(_task_of(records), sum(r["correct"] for r in records))


@survives
def scored_count(records: list[dict]) -> int:
    """Questions scored: every answered one (each FAVOR question has its answer)."""
    return sum(not r["model_failure"] for r in records)


@survives
def unparseable_count(records: list[dict]) -> int:
    return sum(r["prediction"] is None and not r["model_failure"] for r in records)
