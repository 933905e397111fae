"""What each answered sample was shown: frames, sizes, decoder and prompt, keyed by (task, doc id).

Adapters record one entry per answered request (from their response cache too, so a resumed run still has
the record of the request that produced a cached answer). The lmms-eval plugin writes the entries into the
sample log, under ``finemotion_provenance``; the response cache keeps them with each answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["Provenance", "clear", "lookup", "merge", "prompt_sha256", "record", "records"]

#: One JSON-ready dict per (task, doc id) answered in this process.
Provenance = dict[str, Any]

_RECORDS: dict[tuple[str, int], Provenance] = {}


def prompt_sha256(prompt: str) -> str:
    """The hash recorded for a prompt's text (the text itself is in the sample log's ``input``)."""
    return hashlib.sha256(prompt.encode("utf-8", "surrogatepass")).hexdigest()


def record(task: str, doc_id: int, provenance: Mapping[str, Any]) -> None:
    """Keep the provenance of ``task``'s sample ``doc_id`` (a later record of the same sample replaces it)."""
    _RECORDS[(task, int(doc_id))] = dict(provenance)


def records() -> list[tuple[str, int, Provenance]]:
    """Every record of this process, for gathering across data-parallel ranks."""
    return [(task, doc_id, entry) for (task, doc_id), entry in _RECORDS.items()]


def merge(entries: Iterable[tuple[str, int, Provenance]]) -> None:
    """Add records gathered from other ranks."""
    for task, doc_id, entry in entries:
        record(task, doc_id, entry)


def lookup(task: str, doc_id: int) -> Provenance | None:
    """The provenance of one sample, or None when no adapter of ours answered it."""
    return _RECORDS.get((task, int(doc_id)))


def clear() -> None:
    """Forget every record (between runs in one process)."""
    _RECORDS.clear()
