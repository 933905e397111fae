"""The papers' published results, shipped as data (``report/published/*.json``) with their source and version.

The numbers were transcribed from the MA-Bench paper's main table and FAVOR-Bench's two leaderboard figures;
each file says where from. ``published_rows(benchmark)`` gives them in the report's column names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

# The report's column -> the published file's column, per benchmark.
MABENCH_COLUMNS = {"CMAR": "CMAR", "FMAR": "FMAR", "SAD": "SAD", "MAD": "MAD", "MAS": "MAS", "PPR": "PPR",
                   "AVG": "AVG_closed", "MADU L1": "MADU_L1", "MADU L2": "MADU_L2", "MADU L3": "MADU_L3",
                   "MARE L1": "MARE_L1", "MARE L2": "MARE_L2", "MARE L3": "MARE_L3", "AVG open": "AVG_open"}
FAVOR_COLUMNS = {"AS": "AS", "HAC": "HAC", "SAD": "SAD", "MAD": "MAD", "CM": "CM", "NSM": "NSM", "ALL": "ALL",
                 "GPT-C": "GPT-C", "GPT-D": "GPT-D", "LLM-Free": "LLM-Free"}


@dataclass(frozen=True)
class PublishedRow:
    model: str
    values: dict[str, float | None]  # report column -> value
    input: str | None  # frames the model was given, where the source says
    source: str


@cache
def published_data(name: str) -> dict[str, Any]:
    """The raw data file ``report/published/<name>.json``."""
    return json.loads(files("finemotion_eval.report").joinpath("published", f"{name}.json").read_text(encoding="utf-8"))


def published_rows(benchmark: str) -> list[PublishedRow]:
    """The published rows for ``benchmark`` (MA-Bench or FAVOR-Bench) in the report's columns; [] for others."""
    if benchmark == "MA-Bench":
        data = published_data("mabench")
        source, rows, columns = f"{data['source']} ({data['version']})", data["rows"], MABENCH_COLUMNS
    elif benchmark == "FAVOR-Bench":
        table = published_data("favor")["tables"]["per_task"]
        source, rows, columns = f"{table['source']} ({table['version']})", table["rows"], FAVOR_COLUMNS
    else:
        return []
    return [PublishedRow(r["model"], {ours: r["values"].get(theirs) for ours, theirs in columns.items()}, r.get("input"), source)
            for r in rows]
