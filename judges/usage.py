"""Counters of one judge run: requests sent, retried and answered from cache, failures and tokens."""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["JudgeUsage"]


@dataclass
class JudgeUsage:
    """What a run cost. ``sent`` counts every HTTP request, retries and repair requests included."""

    items: int = 0
    sent: int = 0
    retried: int = 0
    repairs: int = 0
    cached: int = 0
    failed: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def summary(self) -> str:
        """One line for the end of a run's log."""
        return (
            f"judge: {self.items} items, {self.cached} from cache, {self.failed} failed; "
            f"{self.sent} requests sent ({self.retried} retries, {self.repairs} repairs); "
            f"tokens: {self.prompt_tokens} prompt + {self.completion_tokens} completion"
        )

    def to_dict(self) -> dict[str, int]:
        """Plain counters for a results file."""
        return asdict(self)
