"""``finemotion filter``: the blind and single-frame filters on any prepared folder (MA-Bench, FAVOR-Bench, a build).

Reads the folder's question files as they are, runs each filter in turn on the closed questions still in, and
writes a new prepared folder without the removed questions (every other row, open and caption rows included,
unchanged; the source manifest carried over with the filters' settings and counts added), the removed
questions with the model's answers in ``filters/<name>_removed.jsonl``, and ``filter_report.json``/``.md``.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from finemotion_eval import prepared
from finemotion_eval.generate.filters import DEFAULT_SHUFFLES, FilterRun, is_closed, run_filter
from finemotion_eval.inputs import InputFileError
from finemotion_eval.judges import JudgeConfig

REPORT_JSON = "filter_report.json"
REPORT_MARKDOWN = "filter_report.md"
_DATA_FILE = re.compile(r"^(?P<config>[a-z_]+)-[0-9a-f]{16}\.jsonl$")


def read_folder(folder: Path) -> tuple[dict[str, list[dict]], list[str], dict]:
    """(config -> rows, the configs joined in the default ``all`` config, the manifest) of a prepared folder."""
    files = sorted((folder / "data").glob("*.jsonl"))
    if not files or not (folder / prepared.MANIFEST).is_file():
        raise InputFileError(f"{folder}: not a prepared folder (no data/*.jsonl or {prepared.MANIFEST}); "
                             "make one with `finemotion mabench prepare`, `finemotion favor prepare` or `finemotion build`")
    rows: dict[str, list[dict]] = {}
    for path in files:
        match = _DATA_FILE.match(path.name)
        if match is None:
            raise InputFileError(f"{path}: not a prepared question file name (<config>-<hash>.jsonl)")
        rows[match["config"]] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    readme = (folder / "README.md").read_text(encoding="utf-8")
    default = readme.split("- config_name: all", 1)[1].split("- config_name:", 1)[0] if "- config_name: all" in readme else ""
    combined = [m["config"] for m in re.finditer(r"data/(?P<config>[a-z_]+)-[0-9a-f]{16}\.jsonl", default)]
    manifest = json.loads((folder / prepared.MANIFEST).read_text(encoding="utf-8"))
    return rows, combined, manifest


def filter_prepared(folder: str | Path, out: str | Path, names: Sequence[str], config: JudgeConfig, *,
                    cache_path: str | Path | None = None, shuffles: int = DEFAULT_SHUFFLES, frames: int | None = None,
                    seed: int = 0) -> dict[str, Any]:
    """Run filters ``names`` in turn on the closed questions of prepared ``folder``; write the result to ``out``."""
    source, out = Path(folder), Path(out)
    if source.resolve() == out.resolve():
        raise ValueError(f"--out must differ from the folder filtered ({source}): its files are read, not replaced")
    rows, combined, manifest = read_folder(source)
    out.mkdir(parents=True, exist_ok=True)
    cache_path = cache_path or out / "llm_cache.sqlite"
    candidates = [r for config_rows in rows.values() for r in config_rows if "options" in r and is_closed(r)]
    removed: set[str] = set()
    report: dict[str, Any] = {"source": str(source), "questions": len(candidates), "filters": {}}
    for name in names:
        run: FilterRun = asyncio.run(run_filter(name, [r for r in candidates if r["qid"] not in removed], config, cache_path,
                                                shuffles=shuffles, frames=frames, seed=seed))
        removed |= {r["qid"] for r in run.removed}
        path = out / "filters" / f"{name}_removed.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in run.removed), encoding="utf-8")
        report["filters"][name] = {"model": run.model, "shuffles": run.shuffles, "frames": run.frames,
                                   "requests_sent": run.usage.sent, "from_cache": run.usage.cached,
                                   "per_task": run.per_task(),
                                   "undecided": [{"qid": r["qid"], "why": r["filter_error"]} for r in run.undecided]}
    report["kept"] = len(candidates) - len(removed)
    task_of = {config: config_rows[0]["task"] for config, config_rows in rows.items() if config_rows}
    prepared.write_prepared(
        [r for config_rows in rows.values() for r in config_rows if r["qid"] not in removed], out, list(task_of.values()),
        {**manifest, "filtered": report}, f"Filtered copy of {source} (finemotion filter: {', '.join(names)}); "
        f"see {REPORT_MARKDOWN}.", combined=[task_of[c] for c in combined if c in task_of] or None,
        unusable=manifest.get("unusable_videos"))
    (out / REPORT_JSON).write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    (out / REPORT_MARKDOWN).write_text(markdown(report), encoding="utf-8")
    return report


def markdown(report: dict[str, Any]) -> str:
    """The filter report as a page: per filter and task, questions asked, removed and undecided."""
    lines = [f"# Filter report: {report['source']}", "",
             f"{report['questions']} closed questions, {report['kept']} kept.", ""]
    for name, run in report["filters"].items():
        lines += [f"## {name} ({run['model']}, {run['shuffles']} option orders, {run['frames']} frames)", "",
                  f"{run['requests_sent']} requests sent, {run['from_cache']} answered from the cache.", "",
                  "| task | asked | removed | undecided |", "|---|---|---|---|"]
        lines += [f"| {task} | {c['asked']} | {c['removed']} | {c['undecided']} |" for task, c in run["per_task"].items()]
        lines += [f"- undecided {u['qid']}: {u['why']}" for u in run["undecided"]]
        lines.append("")
    return "\n".join(lines)
