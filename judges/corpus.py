"""One judge run per task and run: lmms-eval aggregates each metric separately, and all of them share it.

The judge is built only here, at aggregation time, so tasks load, list and generate without any judge
setting or API key; without a judge model the run is None and the task's judged scores are NaN.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from finemotion_eval.judges.config import JudgeConfig
from finemotion_eval.judges.reports import default_cache_path, write_report
from finemotion_eval.judges.rubric import Rubric
from finemotion_eval.judges.runner import JudgeItem, JudgeRun, judge_items

__all__ = ["judge_once"]

_runs: dict[tuple, JudgeRun | None] = {}


def judge_once(name: str, items: Sequence[JudgeItem], rubric_name: str, unconfigured: str) -> JudgeRun | None:
    """The run of the built-in rubric ``rubric_name`` over ``items``, reported as ``name`` (``judges.reports``).

    Memoised by content, so the task's other metrics reuse the run instead of judging again. Without a
    configured judge: None, and the warning ``unconfigured`` with ``{reason}`` filled in.
    """
    key = (name, rubric_name, tuple(items))
    if key not in _runs:
        try:
            judge = JudgeConfig.from_env()
        except ValueError as err:  # no judge configured: the scores are NaN, the rest of the run is kept
            warnings.warn(unconfigured.format(reason=f"{err}; see docs/judges.md"), stacklevel=2)
            _runs[key] = None
        else:
            run = judge_items(items, Rubric.load(rubric_name), judge, default_cache_path())
            write_report(name, run)
            _runs[key] = run
    return _runs[key]
