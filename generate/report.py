"""The build report: counts per stage, rejections, filter removals, splits and timings, as JSON and Markdown."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from finemotion_eval.generate.checks import REASONS
from finemotion_eval.mabench_tasks.dataset import TASKS

REPORT_JSON = "build_report.json"
REPORT_MARKDOWN = "build_report.md"


@dataclass
class BuildReport:
    """Everything ``finemotion build`` did; ``ok`` is False when any clip, request or filter question failed."""

    videos_dir: str
    out_dir: str
    settings: dict[str, Any]
    clips: int = 0
    tracking: dict[str, Any] = field(default_factory=dict)  # tracked, already done, failed {video: why}
    language: dict[str, Any] = field(default_factory=dict)  # requests and failures {clip: why}; empty offline
    generated: dict[str, int] = field(default_factory=dict)  # task -> candidates
    rejected: dict[str, dict[str, int]] = field(default_factory=dict)  # task -> reason -> count
    filters: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> per task asked/removed/undecided
    balance_dropped: dict[str, int] = field(default_factory=dict)  # task -> Yes/No questions dropped
    letters: dict[str, dict[str, int]] = field(default_factory=dict)  # choice task -> keyed letter -> count
    splits: dict[str, Any] = field(default_factory=dict)  # subjects, clips and questions per split, class counts
    final: dict[str, dict[str, int]] = field(default_factory=dict)  # split -> task -> questions written
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> wall time

    @property
    def ok(self) -> bool:
        undecided = sum(t["undecided"] for f in self.filters.values() for t in f["per_task"].values())
        return not self.tracking.get("failed") and not self.language.get("failed") and not undecided

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}

    def write(self, out: Path) -> tuple[Path, Path]:
        (out / REPORT_JSON).write_text(json.dumps(self.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
        (out / REPORT_MARKDOWN).write_text(self.markdown(), encoding="utf-8")
        return out / REPORT_JSON, out / REPORT_MARKDOWN

    def markdown(self) -> str:
        tasks = [t for t in TASKS if t in self.generated]
        kept = {t: self.generated[t] - sum(self.rejected.get(t, {}).values()) for t in tasks}
        lines = [f"# Build report: {self.out_dir}", "", f"Videos: `{self.videos_dir}`, {self.clips} clips. "
                 f"Language stage: {'`' + self.settings['llm'] + '`' if self.settings.get('llm') else 'templates (offline)'}. "
                 f"Status: {'complete' if self.ok else '**incomplete: see the failures below**'}.", ""]
        lines += ["## Stages", "", "| stage | result | seconds |", "|---|---|---|"]
        t = self.tracking
        lines.append(f"| track | {t.get('tracked', 0)} tracked, {t.get('done_before', 0)} done before, "
                     f"{len(t.get('failed', {}))} failed | {self.seconds.get('track', 0):.1f} |")
        if self.language:
            g = self.language
            lines.append(f"| describe (LLM) | {g['clips']} clips, {g['requests_sent']} requests sent, {g['from_cache']} from "
                         f"the cache, {len(g['failed'])} clips failed | {self.seconds.get('describe', 0):.1f} |")
        lines.append(f"| generate + check | {sum(self.generated.values())} candidates, {sum(kept.values())} kept | "
                     f"{self.seconds.get('generate', 0):.1f} |")
        for name, f in self.filters.items():
            removed = sum(v["removed"] for v in f["per_task"].values())
            lines.append(f"| filter {name} ({f['model']}, {f['shuffles']} shuffles, {f['frames']} frames) | {removed} removed "
                         f"| {self.seconds.get('filter ' + name, 0):.1f} |")
        lines.append(f"| balance, split, write | {sum(self.balance_dropped.values())} Yes/No dropped for balance | "
                     f"{self.seconds.get('write', 0):.1f} |")
        header = ["task", "generated", "rejected", *(f"removed by {n}" for n in self.filters), "dropped for balance",
                  *(f"kept in {s}" for s in self.final)]
        lines += ["", "## Questions per task", "", _row(header), _row(["---"] * len(header))]
        for task in tasks:
            lines.append(_row([task, self.generated[task], sum(self.rejected.get(task, {}).values()),
                               *(f["per_task"].get(task, {}).get("removed", 0) for f in self.filters.values()),
                               self.balance_dropped.get(task, 0), *(self.final[s].get(task, 0) for s in self.final)]))
        reasons = {r for per_task in self.rejected.values() for r in per_task}
        if reasons:
            lines += ["", "## Rejected by the checks (`rejected.jsonl` lists each)", "", "| reason | meaning | count |", "|---|---|---|"]
            for reason in REASONS:
                if reason in reasons:
                    lines.append(f"| {reason} | {REASONS[reason]} | {sum(v.get(reason, 0) for v in self.rejected.values())} |")
        if self.letters:
            lines += ["", "## Keyed letters", ""]
            lines += [f"- {task}: " + ", ".join(f"{k} {v}" for k, v in counts.items()) for task, counts in self.letters.items()]
        s = self.splits
        if s:
            subjects = ", ".join(f"{split} {n}" for split, n in s["subjects"].items())
            lines += ["", "## Splits (cross-subject)", "", f"Subjects: {subjects}; no subject is in both splits. "
                      "Clips per label:", "", _row(["label", *s["class_counts"]]), _row(["---"] * (1 + len(s["class_counts"])))]
            labels = sorted({label for counts in s["class_counts"].values() for label in counts})
            for label in labels:
                lines.append(_row([label, *(c.get(label, 0) for c in s["class_counts"].values())]))
        failures = [*(f"- track {v}: {why}" for v, why in self.tracking.get("failed", {}).items()),
                    *(f"- LLM {c}: {why}" for c, why in self.language.get("failed", {}).items()),
                    *(f"- filter {n} {u['id']}: {u['why']}" for n, f in self.filters.items() for u in f["undecided"])]
        if failures:
            lines += ["", "## Failures (the build goes on; run it again to retry only these)", "", *failures]
        return "\n".join(lines) + "\n"


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join(map(str, cells)) + " |"
