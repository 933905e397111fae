# lmms-eval imports this file once per YAML that names it (`!function utils.x`), so it only re-exports:
# the work lives in favor_tasks.closed.
from favor_tasks.closed import (  # noqa: F401
    accuracy_actual_counts,
    accuracy_official_denominator,
    doc_to_target,
    doc_to_text_letter,
    doc_to_text_official,
    doc_to_visual,
    load_docs,
    process_results_letter,
    process_results_official,
    unparseable_count,
)


def _docs_of(task):
    # lmms-eval loads the placeholder question_source.jsonl; the real questions replace it here.
    return lambda _placeholder: load_docs(task)


as_docs = _docs_of("AS")
hac_docs = _docs_of("HAC")
sad_docs = _docs_of("SAD")
mad_docs = _docs_of("MAD")
cm_docs = _docs_of("CM")
nsm_docs = _docs_of("NSM")
