"""``finemotion report RUN_DIR... --out DIR``: tables, intervals, paired tests, failures, protocol cards,
breakdowns and figures for one or more lmms-eval runs, as Markdown, LaTeX, CSV, PNG and one ``report.html``.

Files written to ``out``: ``report.html``, ``report.md``, ``table_<benchmark>.{md,tex,csv}``, ``scores.csv`` (every
value of our rows with its 95% interval and n), ``paired.csv`` (differences between runs on the same questions),
``failures.csv`` and ``fig_*.png``.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from finemotion_eval.report.breakdown import SMALL_N, assign_categories, per_category, per_label
from finemotion_eval.report.page import render_page, simple_table
from finemotion_eval.report.plots import category_bars, failure_bars, task_bars
from finemotion_eval.report.protocol import annotate, protocol_card
from finemotion_eval.report.runs import BENCHMARKS, Run, find_runs
from finemotion_eval.report.stats import paired_difference
from finemotion_eval.report.tables import CLOSED, Table, build_table, layout_of, scores_csv, to_csv, to_latex, to_markdown

FAILURE_METRICS = ("n_scored", "unparseable", "model_failures", "judge_failures", "gpt_failures", "llm_free_failures")


@dataclass
class Report:
    runs: list[Run]
    tables: list[Table]
    paired: list[dict] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def _slug(benchmark: str) -> str:
    return benchmark.lower().replace("-", "_")


def paired_tests(runs: list[Run], benchmark: str) -> list[dict]:
    """For every two runs of ``benchmark``, per task they share: run B - run A on the questions both scored."""
    out = []
    for a, b in itertools.combinations([r for r in runs if r.tasks(benchmark)], 2):
        for lmms_task in a.tasks(benchmark):
            if lmms_task not in b.samples:
                continue
            first = {s.qid: s for s in a.samples[lmms_task] if s.correct is not None}
            both = [(first[s.qid], s) for s in b.samples[lmms_task] if s.correct is not None and s.qid in first]
            if not both:
                continue
            d = paired_difference([100.0 * x.correct for x, _ in both], [100.0 * y.correct for _, y in both],
                                  [x.video_name or x.qid for x, _ in both])
            out.append({"benchmark": benchmark, "task": both[0][0].task, "run_a": a.label, "run_b": b.label, "n": d.n,
                        "difference": d.difference, "ci_low": d.low, "ci_high": d.high, "p_value": d.p_value})
    return out


def failure_counts(run: Run) -> list[dict]:
    """Per task of the run: questions scored and each kind of failure, as the results JSON reports them."""
    return [{"run": run.label, "task": lmms_task, **{m: run.metric(lmms_task, m) for m in FAILURE_METRICS}}
            for lmms_task in run.samples]


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def _img(png: bytes, alt: str) -> str:
    return f'<img class="plot" alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def write_report(paths: list[str | Path], out_dir: str | Path, title: str | None = None) -> Report:
    """Read the runs under ``paths`` and write the report files into ``out_dir``."""
    runs = find_runs(paths)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    benchmarks = [b for b in dict.fromkeys(BENCHMARKS.values()) if any(r.tasks(b) for r in runs)]
    tables = []
    for benchmark in benchmarks:
        table = build_table([r for r in runs if r.tasks(benchmark)], benchmark)
        annotate(table)
        tables.append(table)
        for run in runs:
            assign_categories(run, benchmark)
    report = Report(runs, tables)
    report.paired = [row for b in benchmarks for row in paired_tests(runs, b)]
    report.failures = [row for run in runs for row in failure_counts(run)]

    def write(name: str, text: str | bytes) -> None:
        path = out / name
        path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text, encoding="utf-8")
        report.files.append(path)

    sections: list[tuple[str, str]] = []
    markdown = [f"# {title or 'finemotion report'}", ""]
    for table in tables:
        slug = _slug(table.benchmark)
        write(f"table_{slug}.md", to_markdown(table))
        write(f"table_{slug}.tex", to_latex(table))
        write(f"table_{slug}.csv", to_csv(table))
        markdown += [f"## {table.benchmark}", "", to_markdown(table)]
        bars = task_bars(table, [c for c in CLOSED[layout_of(table.benchmark)] if any(c in r.cells for r in table.rows if r.ours)])
        write(f"fig_tasks_{slug}.png", bars)
        scores = {run.label: per_category(run, table.benchmark) for run in runs if run.tasks(table.benchmark)}
        figures = _img(bars, f"{table.benchmark} accuracy per task")
        if any(scores.values()):
            categories = category_bars(table.benchmark, scores)
            write(f"fig_categories_{slug}.png", categories)
            figures += _img(categories, f"{table.benchmark} accuracy per category")
        breakdown = [[label, s.group, s.scored, f"{s.accuracy:.1f}", "small n" if s.small else ""]
                     for label, run_scores in scores.items() for s in run_scores]
        labels = [[run.label, s.group, s.scored, f"{s.accuracy:.1f}", "small n" if s.small else ""]
                  for run in runs if table.benchmark != "FAVOR-Bench" and run.tasks(table.benchmark)
                  for s in per_label(run, table.benchmark)]
        body = figures + simple_table(["run", "category", "questions", "accuracy %", f"n < {SMALL_N}"], breakdown, "breakdown")
        if labels:
            body += "<h3>Per fine label</h3>" + simple_table(["run", "label", "questions", "accuracy %", f"n < {SMALL_N}"],
                                                             labels, "breakdown")
        sections.append((f"{table.benchmark}: figures and breakdowns", body))
    write("scores.csv", scores_csv(tables))
    write("paired.csv", _csv(report.paired))
    write("failures.csv", _csv(report.failures))
    failures_png = failure_bars({run.label: {row["task"]: {k: int(row[k] or 0) for k in FAILURE_METRICS[1:]}
                                             for row in report.failures if row["run"] == run.label} for run in runs})
    write("fig_failures.png", failures_png)
    if report.paired:
        sections.append(("Paired differences (run B - run A, same questions)", simple_table(
            ["benchmark", "task", "run A", "run B", "n", "difference", "95% interval", "p"],
            ([p["benchmark"], p["task"], p["run_a"], p["run_b"], p["n"], f"{p['difference']:+.1f}",
              f"[{p['ci_low']:+.1f}, {p['ci_high']:+.1f}]", f"{p['p_value']:.4f}"] for p in report.paired), "paired")))
    sections.append(("Failures", _img(failures_png, "failures per task") + simple_table(
        ["run", "task", *FAILURE_METRICS], ([f["run"], f["task"], *("–" if f[m] is None else f[m] for m in FAILURE_METRICS)]
                                            for f in report.failures), "failures")))
    cards = ""
    for run in runs:
        card = protocol_card(run)
        items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in card.items)
        cards += f'<h3>{html.escape(card.label)}</h3><dl class="card">{items}</dl>'
        markdown += [f"## Protocol: {card.label}", "", *(f"- **{k}**: {v}" for k, v in card.items), ""]
    sections.append(("Protocol cards", cards))
    markdown += ["## Failures", "", _csv(report.failures)]
    write("report.md", "\n".join(markdown))
    write("report.html", render_page(title or "finemotion report: " + ", ".join(r.label for r in runs), sections, tables, runs))
    return report
