"""Persistent cache of judge replies, so a re-run or a resumed run never asks the same question twice.

Why SQLite and not append-only JSONL: every write is one committed transaction, and in WAL mode a
process killed mid-write loses at most that transaction while the file stays readable; a JSONL file
killed mid-line needs a reader that skips torn lines and a writer that never interleaves lines from
concurrent runs. SQLite also looks a key up without loading the whole file, lets two runs share one
cache file safely, and ships with Python. ``synchronous=NORMAL`` skips the fsync per commit: that
can lose the last few replies on power loss (they are simply asked again), never on a process kill.

What is cached: the raw text of a judge reply that parsed into valid scores, keyed by the sha256 of
(model name, the full first-request messages, the sampling parameters). Caching text, not scores,
means a parser change needs no new requests. When a reply only became readable after the repair
request, the repaired text is stored under the original key, so the next run needs neither request.
The base URL is not part of the key, so the same model behind another address or port reuses
answers; the API key is never stored. Failed or unreadable replies are never cached.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["ReplyCache", "cache_key", "content_key"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS replies (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    reply TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def content_key(payload: Mapping[str, Any]) -> str:
    """sha256 of ``payload`` in a canonical JSON form: equal content, equal key, whatever the key order."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def cache_key(model: str, messages: Sequence[Mapping[str, Any]], sampling: Mapping[str, Any]) -> str:
    """The key of a judge request: its model, full messages and sampling parameters."""
    return content_key({"model": model, "messages": list(messages), "sampling": dict(sampling)})


class ReplyCache:
    """A SQLite file of judge replies; ``path=None`` keeps them in memory for this process only."""

    def __init__(self, path: str | Path | None) -> None:
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Autocommit (isolation_level=None): each INSERT is its own transaction, committed at once.
        self._db = sqlite3.connect(":memory:" if path is None else str(path), isolation_level=None, timeout=30.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)

    def get(self, key: str) -> str | None:
        """The cached reply for ``key``, or None."""
        row = self._db.execute("SELECT reply FROM replies WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def put(self, key: str, model: str, reply: str) -> None:
        """Store a readable reply (replacing any older one for the same key)."""
        self._db.execute(
            "INSERT OR REPLACE INTO replies (key, model, reply, created) VALUES (?, ?, ?, ?)",
            (key, model, reply, time.time()),
        )

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM replies").fetchone()[0]

    def close(self) -> None:
        """Close the file; the cache is unusable afterwards."""
        self._db.close()

    def __enter__(self) -> ReplyCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
