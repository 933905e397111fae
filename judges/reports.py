"""Where judge runs keep their cache and per-item reports, shared by every task that judges."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from finemotion_eval.judges.runner import JudgeRun
from finemotion_eval.settings import cache_dir, env

JUDGE_CACHE_ENV = "FINEMOTION_JUDGE_CACHE"
JUDGE_REPORTS_ENV = "FINEMOTION_JUDGE_REPORTS"


_WRITTEN: list[dict[str, str]] = []  # the reports this process wrote, for the run's results file


def written_reports() -> list[dict[str, str]]:
    """``{"name", "path", "judge_model", "prompt_version"}`` of every report this process wrote, in order."""
    return list(_WRITTEN)


def default_cache_path() -> Path:
    """``$FINEMOTION_JUDGE_CACHE`` or ``<cache root>/judge_cache.sqlite`` (its folder created)."""
    configured = env(JUDGE_CACHE_ENV)
    path = Path(configured) if configured else cache_dir() / "judge_cache.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_report(name: str, run: JudgeRun) -> Path:
    """Keep every score with its judge model and prompt version; print usage, failures and the path."""
    configured = env(JUDGE_REPORTS_ENV)
    folder = Path(configured) if configured else cache_dir("judge_reports")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}_{time.strftime('%Y%m%d-%H%M%S')}_{run.prompt_version}.json"
    path.write_text(json.dumps(run.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
    _WRITTEN.append({"name": name, "path": str(path.resolve()), "judge_model": run.judge_model,
                     "prompt_version": run.prompt_version})
    failures = f"; {len(run.failures)} judge failures (excluded from the means, listed in the report)" if run.failures else ""
    print(f"finemotion judge, {name}: {run.usage.summary()}{failures}; per-item scores: {path}", file=sys.stderr)
    return path
