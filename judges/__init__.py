"""LLM judges for open-ended answers (MA-Bench MADU/MARE, FAVOR GPT-assisted scores).

    run = judge_items(items, Rubric.load("mabench_madu"), JudgeConfig.from_env(), cache_path)
    task_scores(run.results, run.keys).means   # {"L1": ..., "L2": ..., "L3": ...}

Importing this package sends nothing and needs no API key; the endpoint is contacted by ``judge_items``.
"""

from judges.aggregate import TaskScores, mabench_final_score, mabench_open_average, mabench_open_levels, task_scores
from judges.cache import ReplyCache, cache_key
from judges.client import JudgeRequestError, RequestBudgetExhausted
from judges.config import JudgeConfig
from judges.parse import ScoreParseError, parse_scores
from judges.rubric import BUILTIN_RUBRICS, Rubric
from judges.runner import JudgeItem, JudgeResult, JudgeRun, judge_items, judge_items_async
from judges.usage import JudgeUsage

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
    "judge_items",
    "judge_items_async",
    "mabench_final_score",
    "mabench_open_average",
    "mabench_open_levels",
    "parse_scores",
    "task_scores",
]
