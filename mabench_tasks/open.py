"""MADU and MARE: free-text answers scored by an LLM judge on three 0-5 levels (see ``judges``).

lmms-eval aggregates each metric separately; the judge runs once per task (the first aggregation asks
it, the others reuse the run), all items concurrently, with every reply in the on-disk cache, so a
re-run sends nothing already judged. The judge is built only here, at aggregation time: the tasks
load, list and generate without any judge setting or API key.
"""

from __future__ import annotations

import math
import warnings

from judges import JudgeConfig, JudgeItem, JudgeRun, Rubric, judge_items, task_scores
from judges.reports import default_cache_path, write_report
from metrics import strip_reasoning
from prompts import read_prompt

RUBRICS = {"MADU": "mabench_madu", "MARE": "mabench_mare"}
_runs: dict[tuple, JudgeRun | None] = {}


def doc_to_text(doc: dict, lmms_eval_specific_kwargs: dict | None = None) -> str:
    prompt = (lmms_eval_specific_kwargs or {}).get("open_prompt") or "mabench/open.txt"
    return read_prompt(prompt).format(question=doc["question"])


def process_results(doc: dict, results: list[str]) -> dict[str, dict]:
    record = {"qid": doc["qid"], "task": doc["task"], "ground_truth": doc["answer"],
              "prediction": strip_reasoning(results[0] if results else "")}
    return {metric: record for metric in ("L1", "L2", "L3", "open_avg", "judge_failures", "mac2026_final")}


def judged(records: list[dict]) -> JudgeRun | None:
    """The judge's run over ``records`` (one task); None without reference answers or a configured judge."""
    scorable = [r for r in records if r["ground_truth"] is not None]
    if not scorable:
        warnings.warn("MA-Bench: no reference answers for these open questions (the official full file has "
                      "none): nothing to judge; export the predictions instead.", stacklevel=2)
        return None
    key = tuple((r["qid"], r["prediction"]) for r in scorable)
    if key not in _runs:
        task = scorable[0]["task"]
        try:
            judge = JudgeConfig.from_env()
        except ValueError as err:  # no judge configured: NaN scores, the rest of the run is kept
            warnings.warn(f"MA-Bench {task}: not judged ({err}; see docs/judges.md); its scores are NaN", stacklevel=2)
            _runs[key] = None
            return None
        items = [JudgeItem(r["qid"], r["ground_truth"], r["prediction"]) for r in scorable]
        run = judge_items(items, Rubric.load(RUBRICS[task]), judge, default_cache_path())
        write_report(f"mabench_{task.lower()}", run)
        _runs[key] = run
    return _runs[key]


def _level_means(records: list[dict]) -> dict[str, float] | None:
    """The task's mean per level, or None (reported as NaN) when there is nothing the judge scored."""
    run = judged(records)
    if run is None:
        return None
    if len(run.failures) == len(run.results):
        warnings.warn(f"the judge scored none of the {len(run.results)} items; see the judge report", stacklevel=2)
        return None
    return task_scores(run.results, run.keys).means


def _level(records: list[dict], level: str) -> float:
    means = _level_means(records)
    return math.nan if means is None else means[level]


def level_1(records: list[dict]) -> float:
    return _level(records, "L1")


def level_2(records: list[dict]) -> float:
    return _level(records, "L2")


def level_3(records: list[dict]) -> float:
    return _level(records, "L3")


def level_average(records: list[dict]) -> float:
    """Mean of the task's three levels; the group's mean of this over MADU and MARE is the open AVG."""
    means = _level_means(records)
    return math.nan if means is None else sum(means.values()) / 3


def judge_failures(records: list[dict]) -> int:
    """Items the judge could not score: reported, never counted as 0."""
    run = judged(records)
    return 0 if run is None else len(run.failures)


def mac2026_term(records: list[dict]) -> float:
    """This task's part of the MAC 2026 final score: 20 x the sum of its three level scores."""
    return 20 * 3 * level_average(records)


def mac2026_final_from_terms(terms: list[float], sizes: list[int], weight_by_size: bool = False) -> float:
    """Group aggregation for ``mabench``: ``(6 closed accuracies + 20 x 6 open levels) / 12``.

    Each closed task contributes its accuracy and each open task 20 x the sum of its levels, so the
    final score is the sum of the eight terms over 12. With any task missing there is no final score.
    """
    if len(terms) != 8:
        warnings.warn(f"the MAC 2026 final score needs all eight MA-Bench tasks; got {len(terms)}", stacklevel=2)
        return math.nan
    return sum(terms) / 12
