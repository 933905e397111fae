# lmms-eval imports this file once per YAML that names it (`!function utils.x`), so it only re-exports:
# the work lives in mabench_tasks.closed.

from mabench_tasks.closed import (  # noqa: F401
    accuracy_percent,
    doc_to_target,
    doc_to_text,
    doc_to_visual,
    load_docs,
    process_results,
    unparseable_count,
)


def _docs_of(task):
    # lmms-eval loads the placeholder question_source.jsonl; the real questions replace it here.
    return lambda _placeholder: load_docs(task)


cmar_docs = _docs_of("CMAR")
fmar_docs = _docs_of("FMAR")
sad_docs = _docs_of("SAD")
mad_docs = _docs_of("MAD")
mas_docs = _docs_of("MAS")
ppr_docs = _docs_of("PPR")
