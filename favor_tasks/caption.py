"""``favor_caption``: the official captioning prompt, then the LLM-free metric and the GPT-assisted scores.

Both are corpus-level: lmms-eval aggregates each metric separately, so each scorer runs once per run
(the first metric computes, the others reuse the result).

- LLM-free (``metrics.favor_caption``, official mode): step 1 turns each caption into a structured
  record, step 2 scores it against the ground-truth record; seven components and the final score, x100.
  Settings: ``FINEMOTION_SBERT`` (model name or path, default the official ``all-distilroberta-v1``),
  ``FINEMOTION_FAVOR_WORDLISTS`` (the official word lists), ``NLTK_DATA``.
- GPT-assisted (``judges``): correctness and detailedness, 0-10, against the ground-truth caption, with
  the ``favor_caption`` rubric. Without ``FINEMOTION_JUDGE_MODEL`` these are NaN, with a warning.
"""

from __future__ import annotations

import math
import sys

from finemotion_eval.favor_tasks.wordlists import load_wordlists
from finemotion_eval.judges import JudgeItem, JudgeRun, task_scores
from finemotion_eval.judges.corpus import check_judge, judge_once
from finemotion_eval.metrics import strip_reasoning
from finemotion_eval.metrics.favor_caption import (
    DEFAULT_SBERT_MODEL,
    CorpusScores,
    check_nltk_resources,
    extract_record,
    load_sbert,
    score_corpus,
)
from finemotion_eval.model_adapters.failures import failure_reason
from finemotion_eval.notices import survives
from finemotion_eval.prompts import prompt_files, read_prompt
from finemotion_eval.settings import env

SBERT_ENV = "FINEMOTION_SBERT"
GT_FIELDS = ("camera_motion", "motion_list", "chronological_motion_list")
_llm_free_runs: dict[tuple, CorpusScores] = {}


def preflight() -> None:
    """Everything the scores need, checked when the task is built: NLTK data, the word lists, the Sentence-BERT
    model (loaded once; scoring reuses it) and the judge."""
    check_nltk_resources()
    load_wordlists()
    load_sbert(env(SBERT_ENV) or DEFAULT_SBERT_MODEL)
    check_judge("favor_caption")


def doc_to_text(doc: dict, lmms_eval_specific_kwargs: dict | None = None) -> str:
    prompt_files(lmms_eval_specific_kwargs, {})  # the official prompt is part of the protocol: no keys
    return read_prompt("favor/caption.txt")


def process_results(doc: dict, results: list[str]) -> dict[str, dict]:
    output = results[0] if results else ""
    record = {"task": "favor_caption", "video_name": doc["video_name"], "prediction": strip_reasoning(output),
              "caption": doc["caption"], "model_failure": failure_reason(output), **{k: doc[k] for k in GT_FIELDS}}
    return {metric: record for metric in (*LLM_FREE_METRICS, "llm_free_n_scored", "llm_free_failures", "model_failures",
                                          *GPT_METRICS, "gpt_n_scored", "gpt_failures")}


def _answered(records: list[dict]) -> list[dict]:
    """The captions to score: a video the model gave no caption for is left out (``model_failures``)."""
    return [r for r in records if not r["model_failure"]]


def _key(records: list[dict]) -> tuple:
    return tuple((r["video_name"], r["prediction"]) for r in records)


def llm_free_scores(records: list[dict]) -> CorpusScores:
    """Step 1 on every answered caption, then step 2 (official mode) over the whole corpus, once per run."""
    records = _answered(records)
    key = _key(records)
    if key not in _llm_free_runs:
        check_nltk_resources()
        wordlists = load_wordlists()
        predictions = {r["video_name"]: extract_record(r["prediction"], wordlists) for r in records}
        ground_truth = {r["video_name"]: {k: r[k] for k in GT_FIELDS} for r in records}
        scores = score_corpus(predictions, ground_truth, mode="official", wordlists=wordlists,
                              sbert=env(SBERT_ENV) or DEFAULT_SBERT_MODEL)
        if scores.failures:
            print(f"finemotion favor_caption: {len(scores.failures)} videos failed LLM-free scoring: "
                  f"{scores.failures[:5]}", file=sys.stderr)
        _llm_free_runs[key] = scores
    return _llm_free_runs[key]


def _llm_free_metric(component: str):
    def aggregate(records: list[dict]) -> float:
        return 100 * llm_free_scores(records).mean[component]

    aggregate.__name__ = f"llm_free_{component}"
    aggregate.__doc__ = f"LLM-free {component.replace('_', ' ')} x100, mean over the scored videos."
    return survives(aggregate)


LLM_FREE_COMPONENTS = ("camera", "subject_precision", "subject_recall", "subject_order",
                       "chrono_precision", "chrono_recall", "chrono_order", "final")
LLM_FREE_METRICS = tuple(f"llm_free_{c}" for c in LLM_FREE_COMPONENTS)
llm_free_aggregations = {f"llm_free_{c}": _llm_free_metric(c) for c in LLM_FREE_COMPONENTS}


@survives
def llm_free_scored_count(records: list[dict]) -> int:
    """Videos the LLM-free metric scored: its means are over these."""
    return len(llm_free_scores(records).per_video)


@survives
def llm_free_failures(records: list[dict]) -> int:
    return len(llm_free_scores(records).failures)


def gpt_run(records: list[dict]) -> JudgeRun | None:
    """The judge's run over the answered captions, or None (with a warning) when no judge is configured."""
    items = [JudgeItem(r["video_name"], r["caption"], r["prediction"]) for r in _answered(records)]
    return judge_once("favor_caption", items, "favor_caption", "favor_caption: no GPT-assisted scores in this run ({reason})")


def _gpt_metric(key: str):
    def aggregate(records: list[dict]) -> float:
        run = gpt_run(records)
        if run is None or len(run.failures) == len(run.results):
            return math.nan
        return task_scores(run.results, run.keys).means[key]

    aggregate.__name__ = f"gpt_{key}"
    aggregate.__doc__ = f"GPT-assisted {key} (0-10), mean over the captions the judge scored."
    return survives(aggregate)


GPT_METRICS = ("gpt_correctness", "gpt_detailedness")
gpt_aggregations = {"gpt_correctness": _gpt_metric("correctness"), "gpt_detailedness": _gpt_metric("detailedness")}


@survives
def gpt_scored_count(records: list[dict]) -> int:
    """Captions the judge scored (0 without a judge): the GPT-assisted means are over these."""
    run = gpt_run(records)
    return 0 if run is None else len(run.results) - len(run.failures)


@survives
def gpt_failures(records: list[dict]) -> int:
    run = gpt_run(records)
    return 0 if run is None else len(run.failures)
