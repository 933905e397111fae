"""The hooks our task YAMLs name (`!function finemotion_eval.<package>.hooks.x`), in one place.

The YAMLs name them absolutely, so lmms-eval imports this module once, as a normal package module; the
work lives in favor_tasks.closed and favor_tasks.caption.
"""
from finemotion_eval.favor_tasks import caption
from finemotion_eval.favor_tasks.closed import (  # noqa: F401
    accuracy_official_denominator,
    doc_to_target,
    doc_to_text_letter,
    doc_to_text_official,
    official_denominator_stderr,
    process_results_letter,
    process_results_official,
    scored_count,
    unparseable_count,
)
from finemotion_eval.favor_tasks.dataset import CAPTION_CONFIG, doc_to_visual, load_configured_task  # noqa: F401
from finemotion_eval.model_adapters.failures import failure_count as model_failure_count  # noqa: F401
from finemotion_eval.prepared import placeholder_docs

as_docs = placeholder_docs(load_configured_task, "AS")
hac_docs = placeholder_docs(load_configured_task, "HAC")
sad_docs = placeholder_docs(load_configured_task, "SAD")
mad_docs = placeholder_docs(load_configured_task, "MAD")
cm_docs = placeholder_docs(load_configured_task, "CM")
nsm_docs = placeholder_docs(load_configured_task, "NSM")

caption_docs = placeholder_docs(load_configured_task, CAPTION_CONFIG, preflight=caption.preflight)
caption_doc_to_text = caption.doc_to_text
caption_process_results = caption.process_results
llm_free_camera = caption.llm_free_aggregations["llm_free_camera"]
llm_free_subject_precision = caption.llm_free_aggregations["llm_free_subject_precision"]
llm_free_subject_recall = caption.llm_free_aggregations["llm_free_subject_recall"]
llm_free_subject_order = caption.llm_free_aggregations["llm_free_subject_order"]
llm_free_chrono_precision = caption.llm_free_aggregations["llm_free_chrono_precision"]
llm_free_chrono_recall = caption.llm_free_aggregations["llm_free_chrono_recall"]
llm_free_chrono_order = caption.llm_free_aggregations["llm_free_chrono_order"]
llm_free_final = caption.llm_free_aggregations["llm_free_final"]
llm_free_n_scored = caption.llm_free_scored_count
llm_free_failures = caption.llm_free_failures
gpt_correctness = caption.gpt_aggregations["gpt_correctness"]
gpt_detailedness = caption.gpt_aggregations["gpt_detailedness"]
gpt_n_scored = caption.gpt_scored_count
gpt_failures = caption.gpt_failures
