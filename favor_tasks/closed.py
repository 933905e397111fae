"""The six FAVOR-Bench close-ended tasks as lmms-eval hooks.

Two protocols, never mixed: ``official`` (the official prompt and substring judge; accuracy over the fixed
official denominators, and over actual counts as VLMEvalKit does) and ``letter`` (options labelled A-E,
the letter extracted from the output).
"""

from __future__ import annotations

from metrics import accuracy, extract_choice, strip_reasoning
from metrics.favor_mcqa import favor_judge, official_task_accuracy
from prompts import read_prompt

LETTERS = "ABCDE"


def doc_to_text_official(doc: dict, lmms_eval_specific_kwargs: dict | None = None) -> str:
    # str(list) on purpose: the official prompt shows the options as a Python list repr.
    return read_prompt("favor/mcqa_official.txt").format(question=doc["question"], options=str(list(doc["options"])))


def doc_to_text_letter(doc: dict, lmms_eval_specific_kwargs: dict | None = None) -> str:
    options = "\n".join(f"{letter}. {option}" for letter, option in zip(LETTERS, doc["options"]))
    return read_prompt("favor/mcqa_letter.txt").format(question=doc["question"], options=options)


def doc_to_target(doc: dict) -> str:
    return doc["answer"]


def _record(doc: dict, output: str, correct: bool, prediction: str | None) -> dict:
    return {"qid": doc["qid"], "task": doc["task"], "correct": correct, "prediction": prediction, "output": output}


def process_results_official(doc: dict, results: list[str]) -> dict[str, dict]:
    output = results[0] if results else ""
    record = _record(doc, output, favor_judge(output, doc["answer"], doc["options"]), None)
    return {"acc_official": record, "acc_actual_counts": record}


def process_results_letter(doc: dict, results: list[str]) -> dict[str, dict]:
    output = results[0] if results else ""
    prediction = extract_choice(output, doc["options"], LETTERS[: len(doc["options"])])
    answer_letter = LETTERS[list(doc["options"]).index(doc["answer"])]
    record = _record(doc, strip_reasoning(output), prediction == answer_letter, prediction)
    return {"accuracy": record, "unparseable": record}


def accuracy_official_denominator(records: list[dict]) -> float:
    """Official: correct answers over the task's fixed denominator, x100, rounded to 2 decimals."""
    tasks = {r["task"] for r in records}
    if len(tasks) != 1:
        raise ValueError(f"official FAVOR accuracy is per task; got records of {sorted(tasks)}")
    return official_task_accuracy(tasks.pop(), sum(r["correct"] for r in records))


def accuracy_actual_counts(records: list[dict]) -> float:
    """VLMEvalKit's variant: correct answers over the questions actually evaluated, x100."""
    return accuracy([r["correct"] for r in records])


def unparseable_count(records: list[dict]) -> int:
    return sum(r["prediction"] is None for r in records)
