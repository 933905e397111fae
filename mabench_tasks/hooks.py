"""The hooks our MA-Bench and MA-Synth task YAMLs name (``!function finemotion_eval.mabench_tasks.hooks.x``).

The YAMLs name them absolutely, so lmms-eval imports this module once, as a package module. The work lives
in ``closed`` and ``open`` (prompts, scoring, aggregation), ``dataset`` (questions and clips) and
``synth.dataset`` (MA-Synth, built on first use into the cache).
"""

from finemotion_eval.judges import check_judge
from finemotion_eval.mabench_tasks.closed import (
    accuracy_percent,
    doc_to_target,
    doc_to_text,
    process_results,
    scored_count,
    unparseable_count,
)
from finemotion_eval.mabench_tasks.dataset import doc_to_visual, load_configured_task
from finemotion_eval.mabench_tasks.open import doc_to_text as open_doc_to_text
from finemotion_eval.mabench_tasks.open import (
    judge_failures,
    judged_count,
    level_1,
    level_2,
    level_3,
    level_average,
    mac2026_final_from_terms,
    mac2026_term,
)
from finemotion_eval.mabench_tasks.open import process_results as open_process_results
from finemotion_eval.model_adapters.failures import failure_count as model_failure_count
from finemotion_eval.prepared import placeholder_docs
from finemotion_eval.synth.dataset import load_task as load_synth_task

__all__ = [
    "accuracy_percent", "doc_to_target", "doc_to_text", "doc_to_visual", "judge_failures", "judged_count", "level_1", "level_2",
    "level_3", "level_average", "mac2026_final_from_terms", "mac2026_term", "model_failure_count", "open_doc_to_text",
    "open_process_results",
    "process_results", "scored_count", "unparseable_count",
    "cmar_docs", "fmar_docs", "sad_docs", "mad_docs", "mas_docs", "ppr_docs", "madu_docs", "mare_docs",
    "synth_cmar_docs", "synth_fmar_docs", "synth_sad_docs", "synth_mad_docs", "synth_mas_docs", "synth_ppr_docs",
    "synth_madu_docs", "synth_mare_docs",
]

cmar_docs = placeholder_docs(load_configured_task, "CMAR")
fmar_docs = placeholder_docs(load_configured_task, "FMAR")
sad_docs = placeholder_docs(load_configured_task, "SAD")
mad_docs = placeholder_docs(load_configured_task, "MAD")
mas_docs = placeholder_docs(load_configured_task, "MAS")
ppr_docs = placeholder_docs(load_configured_task, "PPR")
madu_docs = placeholder_docs(load_configured_task, "MADU", preflight=lambda: check_judge("mabench_madu"))
mare_docs = placeholder_docs(load_configured_task, "MARE", preflight=lambda: check_judge("mabench_mare"))

synth_cmar_docs = placeholder_docs(load_synth_task, "CMAR")
synth_fmar_docs = placeholder_docs(load_synth_task, "FMAR")
synth_sad_docs = placeholder_docs(load_synth_task, "SAD")
synth_mad_docs = placeholder_docs(load_synth_task, "MAD")
synth_mas_docs = placeholder_docs(load_synth_task, "MAS")
synth_ppr_docs = placeholder_docs(load_synth_task, "PPR")
synth_madu_docs = placeholder_docs(load_synth_task, "MADU", preflight=lambda: check_judge("mabench_synth_madu"))
synth_mare_docs = placeholder_docs(load_synth_task, "MARE", preflight=lambda: check_judge("mabench_synth_mare"))
