"""The score tables in the papers' layouts: our runs' rows (with 95% intervals) beside the published ones.

MA-Bench (and MA-Synth, its layout): CMAR FMAR SAD MAD MAS PPR AVG | MADU L1-L3 MARE L1-L3 AVG open | MAC 2026.
FAVOR-Bench: AS HAC SAD MAD CM NSM ALL | GPT-C GPT-D | LLM-Free and its components. Every value of our rows is
read from the run's results JSON (what lmms-eval reported); the interval and n come from the run's sample logs
(``report.stats``). One row per run and protocol variant (FAVOR's official prompt and the lettered one are
two rows).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

from finemotion_eval.report.published import published_rows
from finemotion_eval.report.runs import Run, Sample
from finemotion_eval.report.stats import Interval, bootstrap_mean

CLOSED = {"MA-Bench": ("CMAR", "FMAR", "SAD", "MAD", "MAS", "PPR"), "FAVOR-Bench": ("AS", "HAC", "SAD", "MAD", "CM", "NSM")}
LEVELS = ("L1", "L2", "L3")
LLM_FREE_PARTS = {"camera": "llm_free_camera", "subject P": "llm_free_subject_precision",
                  "subject R": "llm_free_subject_recall", "subject order": "llm_free_subject_order",
                  "chrono P": "llm_free_chrono_precision", "chrono R": "llm_free_chrono_recall",
                  "chrono order": "llm_free_chrono_order"}
# Column groups of each layout: (heading, columns).
LAYOUTS = {
    "MA-Bench": [("Closed (accuracy %)", [*CLOSED["MA-Bench"], "AVG"]),
                 ("Open (judge 0-5)", [f"{t} {lv}" for t in ("MADU", "MARE") for lv in LEVELS] + ["AVG open"]),
                 ("", ["MAC 2026"])],
    "FAVOR-Bench": [("Close-ended (accuracy %)", [*CLOSED["FAVOR-Bench"], "ALL"]), ("GPT-assisted (0-10)", ["GPT-C", "GPT-D"]),
                    ("LLM-free (%)", ["LLM-Free", *LLM_FREE_PARTS])],
}
# Where a layout's group columns come from: column -> (group task suffix, metric).
GROUP_COLUMNS = {"AVG": ("closed", "accuracy"), "AVG open": ("open", "open_avg"), "MAC 2026": ("", "mac2026_final")}


def layout_of(benchmark: str) -> str:
    """MA-Synth uses MA-Bench's layout."""
    return "FAVOR-Bench" if benchmark == "FAVOR-Bench" else "MA-Bench"


def columns_of(benchmark: str) -> list[str]:
    return [c for _, group in LAYOUTS[layout_of(benchmark)] for c in group]


@dataclass
class Cell:
    """One value: from the results JSON; ``interval`` from the samples when it has one."""

    value: float | None
    interval: Interval | None = None


@dataclass
class Row:
    label: str
    ours: bool
    cells: dict[str, Cell]
    notes: list[str] = field(default_factory=list)  # footnote keys
    run: Run | None = None
    variant: str = ""


@dataclass
class Table:
    benchmark: str
    columns: list[str]
    rows: list[Row]
    footnotes: dict[str, str] = field(default_factory=dict)  # key -> text, in order of first use


def variant_of(lmms_task: str) -> str:
    """A protocol variant hidden in the task name: FAVOR's ``*_letter`` tasks."""
    return "letter prompt" if lmms_task.endswith("_letter") else ""


def _prefix(lmms_task: str, code: str) -> str:
    """``mabench_synth`` of ``mabench_synth_sad``: the family's group names start with it."""
    return lmms_task[: lmms_task.lower().index(f"_{code.lower()}")]


def scored_values(samples: list[Sample]) -> tuple[list[float], list[str]]:
    """(0/100 per scored closed question, its clip) of one task's samples."""
    scored = [s for s in samples if s.correct is not None]
    return [100.0 * s.correct for s in scored], [s.video_name or s.qid for s in scored]


def level_values(samples: list[Sample], level: str) -> tuple[list[float], list[str]]:
    """(the judge's score at ``level`` per judged open question, its clip)."""
    judged = [s for s in samples if s.judge and s.judge.get("scores")]
    return [float(s.judge["scores"][level]) for s in judged], [s.video_name or s.qid for s in judged]


def _interval(values: list[float], clusters: list[str]) -> Interval | None:
    return bootstrap_mean(values, clusters) if values else None


def our_rows(run: Run, benchmark: str) -> list[Row]:
    """The run's rows for ``benchmark``: one per protocol variant among its tasks."""
    by_variant: dict[str, dict[str, str]] = {}
    for lmms_task in run.tasks(benchmark):
        samples = run.samples[lmms_task]
        if samples:
            by_variant.setdefault(variant_of(lmms_task), {})[samples[0].task] = lmms_task
    rows = []
    for variant, tasks in by_variant.items():
        cells: dict[str, Cell] = {}
        # FAVOR's official accuracy divides by the full benchmark's counts; the per-question mean equals it on the
        # full set and stays meaningful on a subset (protocol.annotate footnotes any difference).
        closed_metric = "accuracy" if benchmark != "FAVOR-Bench" or variant else "acc_actual_counts"
        for code in CLOSED[layout_of(benchmark)]:
            if code in tasks:
                cells[code] = Cell(run.metric(tasks[code], closed_metric), _interval(*scored_values(run.samples[tasks[code]])))
        for code in ("MADU", "MARE"):
            if code in tasks:
                for level in LEVELS:
                    cells[f"{code} {level}"] = Cell(run.metric(tasks[code], level),
                                                    _interval(*level_values(run.samples[tasks[code]], level)))
        if "CAPTION" in tasks:
            caption = tasks["CAPTION"]
            cells["GPT-C"], cells["GPT-D"] = Cell(run.metric(caption, "gpt_correctness")), Cell(run.metric(caption, "gpt_detailedness"))
            cells["LLM-Free"] = Cell(run.metric(caption, "llm_free_final"))
            cells.update({part: Cell(run.metric(caption, metric)) for part, metric in LLM_FREE_PARTS.items()})
        any_task, code = next(iter(tasks.values())), next(iter(tasks))
        prefix = _prefix(any_task, code)
        if benchmark == "FAVOR-Bench":
            group = f"{prefix}_closed" + ("_letter" if variant else "")
            cells["ALL"] = Cell(run.metric(group, closed_metric))
        else:
            for column, (suffix, metric) in GROUP_COLUMNS.items():
                cells[column] = Cell(run.metric(f"{prefix}_{suffix}".rstrip("_"), metric))
        label = run.label + (f", {variant}" if variant else "")
        rows.append(Row(label, True, {c: v for c, v in cells.items() if v.value is not None}, run=run, variant=variant))
    return rows


def build_table(runs: list[Run], benchmark: str) -> Table:
    """Our runs' rows of ``benchmark``, then the published rows (MA-Synth: MA-Bench's, for scale only)."""
    rows = [row for run in runs for row in our_rows(run, benchmark)]
    published = published_rows("MA-Bench" if benchmark == "MA-Synth" else benchmark)
    for p in published:
        rows.append(Row(p.model + (f" [{p.input}]" if p.input else ""), False,
                        {c: Cell(v) for c, v in p.values.items() if v is not None}))
    return Table(benchmark, columns_of(benchmark), rows)


# ----------------------------------------------------------------------------- rendering

def _number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.2f}"


def cell_text(cell: Cell | None, with_interval: bool = True) -> str:
    if cell is None:
        return "–"
    text = _number(cell.value)
    if with_interval and cell.interval is not None:
        text += f" [{cell.interval.low:.1f}, {cell.interval.high:.1f}]"
    return text


def _marks(row: Row, table: Table) -> str:
    keys = list(table.footnotes)
    return "<sup>" + ",".join(str(keys.index(k) + 1) for k in row.notes if k in keys) + "</sup>" if row.notes else ""


def to_markdown(table: Table) -> str:
    lines = [f"| model | {' | '.join(table.columns)} |", "|---" * (len(table.columns) + 1) + "|"]
    for row in table.rows:
        name = f"**{row.label}** (ours){_marks(row, table)}" if row.ours else row.label
        lines.append(f"| {name} | " + " | ".join(cell_text(row.cells.get(c)) for c in table.columns) + " |")
    lines.append("")
    lines += [f"{i}. {text}" for i, text in enumerate(table.footnotes.values(), start=1)]
    return "\n".join(lines) + "\n"


def _latex_escape(text: str) -> str:
    for char, escaped in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"), ("#", r"\#"),
                          ("{", r"\{"), ("}", r"\}"), ("^", r"\^{}"), ("$", r"\$")):
        text = text.replace(char, escaped)
    return text


def to_latex(table: Table) -> str:
    groups = LAYOUTS[layout_of(table.benchmark)]
    spec = "l" + "|".join("c" * len(cols) for _, cols in groups)
    head = " & ".join([""] + [rf"\multicolumn{{{len(cols)}}}{{c}}{{{_latex_escape(name)}}}" for name, cols in groups])
    lines = [rf"\begin{{tabular}}{{{spec}}}", r"\toprule", head + r" \\",
             " & ".join(["Model", *(_latex_escape(c) for c in table.columns)]) + r" \\", r"\midrule"]
    keys = list(table.footnotes)
    for row in table.rows:
        marks = rf"$^{{{','.join(str(keys.index(k) + 1) for k in row.notes if k in keys)}}}$" if row.notes else ""
        name = rf"\textbf{{{_latex_escape(row.label)}}} (ours){marks}" if row.ours else _latex_escape(row.label)
        cells = []
        for column in table.columns:
            cell = row.cells.get(column)
            text = _number(cell.value if cell else None).replace("–", "--")
            if cell is not None and cell.interval is not None:
                text += rf"\,{{\tiny[{cell.interval.low:.1f}, {cell.interval.high:.1f}]}}"
            cells.append(text)
        lines.append(" & ".join([name, *cells]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    lines += [rf"% {i}. {text}" for i, text in enumerate(table.footnotes.values(), start=1)]
    return "\n".join(lines) + "\n"


def to_csv(table: Table) -> str:
    """The table as CSV: a row per model, the values alone (intervals and n are in ``scores.csv``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["model", "ours", *table.columns])
    for row in table.rows:
        writer.writerow([row.label, int(row.ours), *(("" if (c := row.cells.get(col)) is None or c.value is None else c.value)
                                                    for col in table.columns)])
    return out.getvalue()


def scores_csv(tables: list[Table]) -> str:
    """Every value of our rows in long form: benchmark, model, column, value, 95% interval, n and clips."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["benchmark", "model", "column", "value", "ci_low", "ci_high", "n", "clips"])
    for table in tables:
        for row in table.rows:
            if not row.ours:
                continue
            for column in table.columns:
                cell = row.cells.get(column)
                if cell is None:
                    continue
                i = cell.interval
                writer.writerow([table.benchmark, row.label, column, cell.value, *((i.low, i.high, i.n, i.clusters) if i else
                                                                                   ("", "", "", ""))])
    return out.getvalue()
