# lmms-eval imports this file once per YAML that names it (`!function utils.x`), so it only re-exports:
# the work lives in mabench_tasks.closed, mabench_tasks.open, mabench_tasks.dataset and synth.dataset.
from mabench_tasks.closed import accuracy_percent, doc_to_target, doc_to_text, process_results, unparseable_count  # noqa: F401
from mabench_tasks.dataset import doc_to_visual, load_configured_task
from mabench_tasks.open import doc_to_text as open_doc_to_text  # noqa: F401
from mabench_tasks.open import judge_failures, level_1, level_2, level_3, level_average, mac2026_final_from_terms, mac2026_term  # noqa: F401
from mabench_tasks.open import process_results as open_process_results  # noqa: F401
from synth.dataset import load_task as load_synth_task


def _docs_of(task, load=load_configured_task):
    # lmms-eval loads the placeholder question_source.jsonl; the real questions replace it here.
    return lambda _placeholder: load(task)


cmar_docs = _docs_of("CMAR")
fmar_docs = _docs_of("FMAR")
sad_docs = _docs_of("SAD")
mad_docs = _docs_of("MAD")
mas_docs = _docs_of("MAS")
ppr_docs = _docs_of("PPR")
madu_docs = _docs_of("MADU")
mare_docs = _docs_of("MARE")

# MA-Synth, built on first use into the cache (synth.dataset.ensure_built).
synth_cmar_docs = _docs_of("CMAR", load_synth_task)
synth_fmar_docs = _docs_of("FMAR", load_synth_task)
synth_sad_docs = _docs_of("SAD", load_synth_task)
synth_mad_docs = _docs_of("MAD", load_synth_task)
synth_mas_docs = _docs_of("MAS", load_synth_task)
synth_ppr_docs = _docs_of("PPR", load_synth_task)
synth_madu_docs = _docs_of("MADU", load_synth_task)
synth_mare_docs = _docs_of("MARE", load_synth_task)
