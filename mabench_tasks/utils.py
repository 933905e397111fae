# lmms-eval imports this file once per YAML that names it (`!function utils.x`), so it only re-exports:
# the work lives in mabench_tasks.closed, mabench_tasks.open, mabench_tasks.dataset and synth.dataset.
from finemotion.prepared import placeholder_docs
from mabench_tasks.closed import accuracy_percent, doc_to_target, doc_to_text, process_results, unparseable_count  # noqa: F401
from mabench_tasks.dataset import doc_to_visual, load_configured_task
from mabench_tasks.open import doc_to_text as open_doc_to_text  # noqa: F401
from mabench_tasks.open import judge_failures, level_1, level_2, level_3, level_average, mac2026_final_from_terms, mac2026_term  # noqa: F401
from mabench_tasks.open import process_results as open_process_results  # noqa: F401
from synth.dataset import load_task as load_synth_task


cmar_docs = placeholder_docs(load_configured_task, "CMAR")
fmar_docs = placeholder_docs(load_configured_task, "FMAR")
sad_docs = placeholder_docs(load_configured_task, "SAD")
mad_docs = placeholder_docs(load_configured_task, "MAD")
mas_docs = placeholder_docs(load_configured_task, "MAS")
ppr_docs = placeholder_docs(load_configured_task, "PPR")
madu_docs = placeholder_docs(load_configured_task, "MADU")
mare_docs = placeholder_docs(load_configured_task, "MARE")

# MA-Synth, built on first use into the cache (synth.dataset.ensure_built).
synth_cmar_docs = placeholder_docs(load_synth_task, "CMAR")
synth_fmar_docs = placeholder_docs(load_synth_task, "FMAR")
synth_sad_docs = placeholder_docs(load_synth_task, "SAD")
synth_mad_docs = placeholder_docs(load_synth_task, "MAD")
synth_mas_docs = placeholder_docs(load_synth_task, "MAS")
synth_ppr_docs = placeholder_docs(load_synth_task, "PPR")
synth_madu_docs = placeholder_docs(load_synth_task, "MADU")
synth_mare_docs = placeholder_docs(load_synth_task, "MARE")
