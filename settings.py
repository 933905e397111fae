"""Every setting finemotion-eval reads from the environment, in one table, and the one cache root.

Code reads a variable through :func:`env`, which refuses a name missing from :data:`SETTINGS`, so the
table (rendered in docs/settings.md, checked by a test) is always the whole list.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SETTINGS", "Setting", "cache_dir", "cache_root", "env"]


@dataclass(frozen=True)
class Setting:
    """One environment variable: its default (in words), the module that reads it, what it does."""

    name: str
    default: str
    read_by: str
    meaning: str


SETTINGS: tuple[Setting, ...] = (
    Setting("FINEMOTION_CACHE", "`$XDG_CACHE_HOME/finemotion`, else `~/.cache/finemotion`", "settings",
            "the cache root: judge replies and reports, model answers, FAVOR word lists, the default MA-Synth build, "
            "tracker records (`tracker/`)"),
    Setting("FINEMOTION_CONFIG", "`$XDG_CONFIG_HOME/finemotion/config.json`, else `~/.config/finemotion/config.json`",
            "locations", "the config file where `prepare` records the prepared folders"),
    Setting("FINEMOTION_MABENCH_DIR", "the folder recorded by `finemotion mabench prepare`", "locations",
            "the prepared MA-Bench folder the tasks read"),
    Setting("FINEMOTION_MABENCH_VIDEOS", "the folder given at prepare time", "locations",
            "MA-Bench clip folder; overrides the prepared folder's"),
    Setting("FINEMOTION_FAVOR_DIR", "the folder recorded by `finemotion favor prepare`", "locations",
            "the prepared FAVOR-Bench folder the tasks read"),
    Setting("FINEMOTION_FAVOR_VIDEOS", "the folder given at prepare time", "locations",
            "FAVOR-Bench clip folder; overrides the prepared folder's"),
    Setting("FINEMOTION_MABENCH_SYNTH_DIR", "`<cache root>/ma-synth-v<schema>.<build>-seed0-<clips>`", "synth.dataset",
            "where the `mabench_synth_*` tasks build and read MA-Synth"),
    Setting("FINEMOTION_FAVOR_WORDLISTS", "the verified download in `<cache root>/favor/`", "favor_tasks.wordlists",
            "the official LLM-free word lists (JSON dump or the official .pkl)"),
    Setting("FINEMOTION_SBERT", "`all-distilroberta-v1` (the official default)", "favor_tasks.caption",
            "Sentence-BERT model name or local folder for the LLM-free caption metric"),
    Setting("FINEMOTION_JUDGE_MODEL", "none: judged scores are NaN", "judges.config", "the judge model name"),
    Setting("FINEMOTION_JUDGE_BASE_URL", "the openai package's default endpoint", "judges.config",
            "the judge's OpenAI-compatible base URL"),
    Setting("FINEMOTION_JUDGE_API_KEY", "`OPENAI_API_KEY`", "judges.config", "the judge's API key (never logged)"),
    Setting("FINEMOTION_JUDGE_CONCURRENCY", "8", "judges.config", "judge requests in flight at once"),
    Setting("FINEMOTION_JUDGE_TIMEOUT", "60", "judges.config", "seconds one judge request may take"),
    Setting("FINEMOTION_JUDGE_RETRIES", "5", "judges.config", "retries of a failed judge request after its first attempt"),
    Setting("FINEMOTION_JUDGE_MAX_REQUESTS", "no limit", "judges.config",
            "the most requests one judged task may send, retries and repairs included"),
    Setting("FINEMOTION_JUDGE_CACHE", "`<cache root>/judge_cache.sqlite`", "judges.reports", "the judge reply cache"),
    Setting("FINEMOTION_RESPONSE_CACHE", "`<cache root>/model_responses.sqlite`", "model_adapters.openai_chat",
            "the answers of `finemotion_openai`/`finemotion_blind`, kept as they arrive so a killed run resumes"),
    Setting("FINEMOTION_JUDGE_REPORTS", "`<cache root>/judge_reports/`", "judges.reports",
            "where per-item judge reports are written"),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


def env(name: str) -> str | None:
    """The value of setting ``name`` (None when unset or empty); ``KeyError`` for a name not in the table."""
    if name not in _BY_NAME:
        raise KeyError(f"{name} is not a finemotion setting; add it to finemotion_eval.settings.SETTINGS")
    return os.environ.get(name) or None


def cache_root() -> Path:
    """``$FINEMOTION_CACHE``, else ``$XDG_CACHE_HOME/finemotion``, else ``~/.cache/finemotion``."""
    configured = env("FINEMOTION_CACHE")
    if configured:
        return Path(configured).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "finemotion"


def cache_dir(*parts: str) -> Path:
    """A folder under the cache root, created if needed."""
    folder = cache_root().joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
