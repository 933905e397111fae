"""Messages for the user, on stderr: lmms-eval 0.7.3 silences Python warnings, so ``warnings.warn`` from a
task hook would never show. Aggregations run once per metric, so each message is said once per process."""

from __future__ import annotations

import sys

__all__ = ["notice"]

_said: set[str] = set()


def notice(message: str) -> None:
    """Print ``finemotion: <message>`` to stderr, unless this process already said it."""
    if message not in _said:
        _said.add(message)
        print(f"finemotion: {message}", file=sys.stderr, flush=True)
