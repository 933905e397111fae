"""The six closed-ended MA-Bench tasks as lmms-eval hooks: docs, prompt, visual, scoring, aggregation."""

from __future__ import annotations

import math

from finemotion_eval.mabench_tasks.dataset import CHOICE_TASKS, format_question
from finemotion_eval.metrics import accuracy, extract_choice, extract_yes_no, strip_reasoning
from finemotion_eval.model_adapters.failures import failure_reason
from finemotion_eval.notices import notice, survives
from finemotion_eval.prompts import prompt_files, read_prompt

DEFAULT_PROMPTS = {"choice_prompt": "mabench/closed_choice.txt", "yes_no_prompt": "mabench/closed_yes_no.txt"}


def doc_to_text(doc: dict, lmms_eval_specific_kwargs: dict | None = None) -> str:
    prompts = prompt_files(lmms_eval_specific_kwargs, DEFAULT_PROMPTS)
    template = read_prompt(prompts["choice_prompt" if doc["task"] in CHOICE_TASKS else "yes_no_prompt"])
    return template.format(question=format_question(doc["question"], doc["options"]))


def doc_to_target(doc: dict) -> str:
    return doc["answer"] or ""


def parse_prediction(doc: dict, output: str) -> str | None:
    """The letter or Yes/No a model output names, or None when it names none unambiguously."""
    if doc["task"] in CHOICE_TASKS:
        return extract_choice(output, doc["options"])
    return extract_yes_no(output)


def process_results(doc: dict, results: list[str]) -> dict:
    output = results[0] if results else ""
    failure = failure_reason(output)
    record = {
        "qid": doc["qid"],
        "task": doc["task"],
        "video_name": doc["video_name"],
        "video": doc["video"],
        "prediction": None if failure else parse_prediction(doc, output),
        "output": strip_reasoning(output),
        "answer": doc["answer"],
        "model_failure": failure,
    }
    scores: dict = {"n_scored": record, "unparseable": record, "model_failures": record, "mac2026_final": record}
    # A question the model never answered has no score at all: it is left out of the accuracy, and counted.
    if doc["answer"] is not None and not failure:
        # A per-question 0/100 under lmms-eval's `mean`: the accuracy in %, with lmms-eval's standard error.
        # A question without an answer has no score at all (not 0): it is left out of the accuracy.
        scores["accuracy"] = 100.0 if record["prediction"] == doc["answer"] else 0.0
    return scores


@survives
def accuracy_percent(records: list[dict]) -> float:
    """Accuracy in % over answered questions with a known answer; an unparseable prediction counts as wrong."""
    scored = [r for r in records if r["answer"] is not None and not r["model_failure"]]
    return accuracy([r["prediction"] == r["answer"] for r in scored]) if scored else math.nan


@survives
def scored_count(records: list[dict]) -> int:
    """How many answered questions have an answer to score against; says why on stderr when none has."""
    scored = sum(r["answer"] is not None and not r["model_failure"] for r in records)
    if not any(r["answer"] is not None for r in records):
        notice(f"{records[0]['task'] if records else 'MA-Bench'}: none of the {len(records)} questions has an answer (the "
               "official full file ships none), so there is no accuracy. Export the predictions with "
               "`finemotion mabench export` for the challenge server.")
    return scored


@survives
def unparseable_count(records: list[dict]) -> int:
    """How many answers named no option, reported per task next to the accuracy."""
    return sum(r["prediction"] is None and not r["model_failure"] for r in records)
