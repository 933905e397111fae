"""One judge run per task and run: lmms-eval aggregates each metric separately, and all of them share it.

The judge is built only here, at aggregation time, so tasks load, list and generate without any judge
setting or API key; without a judge model the run is None and the task's judged scores are NaN.
"""

from __future__ import annotations

from collections.abc import Sequence

from finemotion_eval.judges.client import check_reachable
from finemotion_eval.judges.config import JudgeConfig
from finemotion_eval.judges.reports import default_cache_path, write_report
from finemotion_eval.judges.rubric import Rubric
from finemotion_eval.judges.runner import JudgeItem, JudgeRun, judge_items
from finemotion_eval.notices import notice
from finemotion_eval.settings import env

__all__ = ["check_judge", "configured_judge", "judge_once"]

_runs: dict[tuple, JudgeRun | None] = {}


def configured_judge() -> JudgeConfig | None:
    """The judge the environment sets up, or None when no judge model is set. Any other setting that is set but
    wrong (a limit that is not a number) is an error, never a silent "not judged"."""
    if env("FINEMOTION_JUDGE_MODEL") is None:
        return None
    return JudgeConfig.from_env()


def check_judge(name: str) -> None:
    """Before generation: a configured judge must be usable (a key or a base URL, a base URL that answers);
    without a judge model, say now, where it shows, that ``name``'s judged scores will be NaN."""
    config = configured_judge()
    if config is None:
        notice(f"{name}: no judge configured (FINEMOTION_JUDGE_MODEL is not set); its judged scores will be NaN "
               "(docs/judges.md)")
        return
    if not config.api_key and not config.base_url:
        raise ValueError(f"{name}: the judge model {config.model!r} is set but there is no API key "
                         "(FINEMOTION_JUDGE_API_KEY or OPENAI_API_KEY) and no FINEMOTION_JUDGE_BASE_URL: set one")
    if config.base_url:
        check_reachable(config.base_url, config.timeout_s, f"{name}: the judge (FINEMOTION_JUDGE_BASE_URL)")


def judge_once(name: str, items: Sequence[JudgeItem], rubric_name: str, unconfigured: str) -> JudgeRun | None:
    """The run of the built-in rubric ``rubric_name`` over ``items``, reported as ``name`` (``judges.reports``).

    Memoised by content, so the task's other metrics reuse the run instead of judging again. Without a
    configured judge: None, and the warning ``unconfigured`` with ``{reason}`` filled in.
    """
    key = (name, rubric_name, tuple(items))
    if key not in _runs:
        judge = configured_judge()
        if judge is None:  # the scores are NaN, the rest of the run is kept
            notice(unconfigured.format(reason="FINEMOTION_JUDGE_MODEL is not set; see docs/judges.md"))
            _runs[key] = None
        else:
            run = judge_items(items, Rubric.load(rubric_name), judge, default_cache_path())
            write_report(name, run)
            _runs[key] = run
    return _runs[key]
