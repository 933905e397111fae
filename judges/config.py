"""Where the judge lives and how hard to push it: ``JudgeConfig``, from arguments or the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any

from finemotion_eval.settings import env

__all__ = ["JudgeConfig"]

_ENV_BASE_URL = "FINEMOTION_JUDGE_BASE_URL"
_ENV_MODEL = "FINEMOTION_JUDGE_MODEL"
_ENV_API_KEY = "FINEMOTION_JUDGE_API_KEY"
_ENV_FALLBACK_KEY = "OPENAI_API_KEY"
#: How hard to push the judge, settable for lmms-eval runs: setting -> (field, type).
_ENV_LIMITS = {
    "FINEMOTION_JUDGE_CONCURRENCY": ("concurrency", int),
    "FINEMOTION_JUDGE_TIMEOUT": ("timeout_s", float),
    "FINEMOTION_JUDGE_RETRIES": ("max_retries", int),
    "FINEMOTION_JUDGE_MAX_REQUESTS": ("max_requests", int),
}


@dataclass(frozen=True)
class JudgeConfig:
    """Settings of one judge endpoint; ``api_key`` is kept out of ``repr`` and out of every output."""

    model: str
    base_url: str | None = None  # None: the openai package's default (api.openai.com)
    api_key: str = field(default="", repr=False)
    concurrency: int = 8
    timeout_s: float = 60.0
    max_retries: int = 5  # retries of one request after its first attempt
    max_requests: int | None = None  # budget for the whole run, retries and repairs included
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    temperature: float = 0.0
    max_tokens: int = 512

    def __post_init__(self) -> None:
        if not self.model:
            raise ValueError(f"no judge model: pass model= or set {_ENV_MODEL}")
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {self.concurrency}")
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
        if self.max_requests is not None and self.max_requests < 0:
            raise ValueError(f"max_requests must be >= 0 or None, got {self.max_requests}")
        if self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {self.timeout_s}")

    @classmethod
    def from_env(cls, **overrides: Any) -> JudgeConfig:
        """Endpoint, model and key from ``FINEMOTION_JUDGE_*`` (key falls back to ``OPENAI_API_KEY``); overrides win."""
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown JudgeConfig fields: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {
            "model": env(_ENV_MODEL) or "",
            "base_url": env(_ENV_BASE_URL),
            "api_key": env(_ENV_API_KEY) or os.environ.get(_ENV_FALLBACK_KEY, ""),
        }
        for name, (field_name, kind) in _ENV_LIMITS.items():
            text = env(name)
            if text is not None:
                try:
                    values[field_name] = kind(text)
                except ValueError:
                    raise ValueError(f"{name}={text!r} is not a number ({kind.__name__})") from None
        values.update(overrides)
        return cls(**values)

    @classmethod
    def from_spec(cls, spec: str) -> JudgeConfig:
        """From a command-line spec ``base_url=URL,model=NAME[,api_key_env=VAR,concurrency=N,...]``.

        Unset fields come from the environment as in :meth:`from_env`; ``api_key_env`` names the variable that
        holds the key (the key itself never appears on a command line).
        """
        types = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, value = item.partition("=")
            if not sep or (key not in types and key != "api_key_env") or key == "api_key":
                settable = ", ".join(sorted({*types, "api_key_env"} - {"api_key"}))
                raise ValueError(f"{item!r} in {spec!r}: expected key=value with a key among {settable}")
            if key == "api_key_env":
                values["api_key"] = os.environ.get(value, "")
                continue
            kind = {"int": int, "float": float, "int | None": int}.get(str(types[key]), str)
            try:
                values[key] = kind(value)
            except ValueError:
                raise ValueError(f"{key}={value!r} in {spec!r} is not a number ({kind.__name__})") from None
        return cls.from_env(**values)

    def sampling(self) -> dict[str, Any]:
        """The sampling parameters sent with every request; they are part of the cache key."""
        return {"temperature": self.temperature, "max_tokens": self.max_tokens}
