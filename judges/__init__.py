"""LLM judges for open-ended answers (MA-Bench MADU/MARE, FAVOR GPT-assisted scores).

    run = judge_items(items, Rubric.load("mabench_madu"), JudgeConfig.from_env(), cache_path)
    task_scores(run.results, run.keys).means   # {"L1": ..., "L2": ..., "L3": ...}

Importing this package sends nothing and needs no API key; the endpoint is contacted by ``judge_items``.
"""

from finemotion_eval.judges.aggregate import TaskScores, task_scores
from finemotion_eval.judges.cache import ReplyCache, cache_key
from finemotion_eval.judges.client import JudgeRequestError, RequestBudgetExhausted
from finemotion_eval.judges.config import JudgeConfig
from finemotion_eval.judges.corpus import check_judge
from finemotion_eval.judges.parse import ScoreParseError, parse_scores
from finemotion_eval.judges.rubric import BUILTIN_RUBRICS, Rubric
from finemotion_eval.judges.runner import JudgeItem, JudgeResult, JudgeRun, judge_items, judge_items_async
from finemotion_eval.judges.usage import JudgeUsage

__all__ = [
    "BUILTIN_RUBRICS",
    "JudgeConfig",
    "JudgeItem",
    "JudgeRequestError",
    "JudgeResult",
    "JudgeRun",
    "JudgeUsage",
    "ReplyCache",
    "RequestBudgetExhausted",
    "Rubric",
    "ScoreParseError",
    "TaskScores",
    "cache_key",
    "check_judge",
    "judge_items",
    "judge_items_async",
    "parse_scores",
    "task_scores",
]
