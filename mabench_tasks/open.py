"""MADU and MARE: free-text answers scored by an LLM judge on three 0-5 levels (see ``judges``).

lmms-eval aggregates each metric separately; the judge runs once per task (``judges.corpus``: the first
aggregation asks it, the others reuse the run), all items concurrently, with every reply in the on-disk
cache, so a re-run sends nothing already judged. The tasks load, list and generate without any judge
setting or API key.
"""

from __future__ import annotations

import math
from statistics import fmean

from finemotion_eval.judges import JudgeItem, JudgeRun, task_scores
from finemotion_eval.judges.corpus import judge_once
from finemotion_eval.metrics import strip_reasoning
from finemotion_eval.metrics.accuracy import mac2026_from_terms, mac2026_open_term
from finemotion_eval.model_adapters.failures import failure_reason
from finemotion_eval.notices import notice, survives
from finemotion_eval.prompts import prompt_files, read_prompt

RUBRICS = {"MADU": "mabench_madu", "MARE": "mabench_mare"}


def doc_to_text(doc: dict, lmms_eval_specific_kwargs: dict | None = None) -> str:
    prompt = prompt_files(lmms_eval_specific_kwargs, {"open_prompt": "mabench/open.txt"})["open_prompt"]
    return read_prompt(prompt).format(question=doc["question"])


def process_results(doc: dict, results: list[str]) -> dict[str, dict]:
    output = results[0] if results else ""
    record = {"qid": doc["qid"], "task": doc["task"], "video_name": doc["video_name"], "video": doc["video"],
              "ground_truth": doc["answer"],
              "prediction": strip_reasoning(output), "model_failure": failure_reason(output)}
    return {metric: record for metric in ("L1", "L2", "L3", "open_avg", "n_scored", "model_failures", "judge_failures",
                                          "mac2026_final")}


def judged(records: list[dict]) -> JudgeRun | None:
    """The judge's run over the answered ``records`` (one task); None without reference answers or a judge."""
    if not any(r["ground_truth"] is not None for r in records):
        notice("MA-Bench: no reference answers for these open questions (the official full file has none): "
               "nothing to judge; export the predictions instead.")
        return None
    scorable = [r for r in records if r["ground_truth"] is not None and not r["model_failure"]]
    if not scorable:
        return None  # the model answered none of them: model_failures says so
    task = scorable[0]["task"]
    items = [JudgeItem(r["qid"], r["ground_truth"], r["prediction"]) for r in scorable]
    unconfigured = f"MA-Bench {task}: not judged ({{reason}}); its scores are NaN"
    return judge_once(f"mabench_{task.lower()}", items, RUBRICS[task], unconfigured)


def _level_means(records: list[dict]) -> dict[str, float] | None:
    """The task's mean per level, or None (reported as NaN) when there is nothing the judge scored."""
    run = judged(records)
    if run is None:
        return None
    if len(run.failures) == len(run.results):
        notice(f"the judge scored none of the {len(run.results)} items; see the judge report")
        return None
    return task_scores(run.results, run.keys).means


def _level(records: list[dict], level: str) -> float:
    means = _level_means(records)
    return math.nan if means is None else means[level]


@survives
def level_1(records: list[dict]) -> float:
    return _level(records, "L1")


@survives
def level_2(records: list[dict]) -> float:
    return _level(records, "L2")


@survives
def level_3(records: list[dict]) -> float:
    return _level(records, "L3")


@survives
def level_average(records: list[dict]) -> float:
    """Mean of the task's three levels; the group's mean of this over MADU and MARE is the open AVG."""
    means = _level_means(records)
    return math.nan if means is None else fmean(means.values())


@survives
def judged_count(records: list[dict]) -> int:
    """Items the judge scored: the levels are means over these (0 without a judge or reference answers)."""
    run = judged(records)
    return 0 if run is None else len(run.results) - len(run.failures)


@survives
def judge_failures(records: list[dict]) -> int:
    """Items the judge could not score: reported, never counted as 0."""
    run = judged(records)
    return 0 if run is None else len(run.failures)


@survives
def mac2026_term(records: list[dict]) -> float:
    """This task's term of the MAC 2026 final score (``metrics.accuracy.mac2026_open_term`` of its levels)."""
    means = _level_means(records)
    return math.nan if means is None else mac2026_open_term(means.values())


@survives
def mac2026_final_from_terms(terms: list[float], sizes: list[int], weight_by_size: bool = False) -> float:
    """Group aggregation for ``mabench``: the MAC 2026 final score from the eight tasks' ``mac2026_final`` terms.

    Each closed task's term is its accuracy and each open task's is ``mac2026_term``; with any task
    missing there is no final score (NaN, with a warning).
    """
    try:
        return mac2026_from_terms(terms)
    except ValueError as err:
        notice(str(err))
        return math.nan
