"""The report's figures as PNG bytes: per-task scores with 95% intervals beside published models, accuracy per
category, and failure counts. matplotlib (the ``report`` extra) is imported here only."""

from __future__ import annotations

import io
from collections.abc import Sequence

from finemotion_eval.report.breakdown import GroupScore
from finemotion_eval.report.tables import Table

#: Published rows drawn beside ours: the random baseline and the best few by the closed average.
PUBLISHED_SHOWN = 3


def _pyplot():
    try:
        import matplotlib
    except ImportError as err:
        raise ImportError("the report's plots need matplotlib: pip install 'finemotion-eval[report]'") from err
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Fixed metadata and fonts: the same report twice gives the same bytes.
    plt.rcParams.update({"svg.hashsalt": "finemotion", "font.family": "DejaVu Sans"})
    return plt


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    figure.clf()
    return buffer.getvalue()


def task_bars(table: Table, tasks: Sequence[str]) -> bytes:
    """Grouped bars per task: our rows with their intervals, then a few published rows (hatched)."""
    plt = _pyplot()
    ours = [r for r in table.rows if r.ours]
    published = [r for r in table.rows if not r.ours]
    average = "AVG" if "AVG" in table.columns else "ALL"
    best = sorted((r for r in published if average in r.cells), key=lambda r: -(r.cells[average].value or 0))
    shown = [r for r in published if r.label.startswith("Random")][:1] + [r for r in best if not r.label.startswith("Random")]
    rows = ours + shown[:PUBLISHED_SHOWN]
    figure, axes = plt.subplots(figsize=(max(6.0, 1.3 * len(tasks) * max(1, len(rows)) / 3), 3.6))
    width = 0.8 / max(1, len(rows))
    for i, row in enumerate(rows):
        xs = [t + (i - (len(rows) - 1) / 2) * width for t in range(len(tasks))]
        values = [row.cells[c].value if c in row.cells and row.cells[c].value is not None else 0.0 for c in tasks]
        errors = None
        if row.ours:
            low = [v - row.cells[c].interval.low if c in row.cells and row.cells[c].interval else 0 for v, c in zip(values, tasks)]
            high = [row.cells[c].interval.high - v if c in row.cells and row.cells[c].interval else 0 for v, c in zip(values, tasks)]
            errors = [low, high]
        axes.bar(xs, values, width, yerr=errors, capsize=2, label=row.label[:40] + (" (ours)" if row.ours else ""),
                 hatch=None if row.ours else "//", alpha=1.0 if row.ours else 0.55)
    axes.set_xticks(range(len(tasks)), tasks)
    axes.set_ylabel("accuracy (%)")
    axes.set_title(f"{table.benchmark}: accuracy per task, 95% intervals (ours)")
    axes.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(0, -0.12))
    return _png(figure)


def category_bars(benchmark: str, scores: dict[str, list[GroupScore]]) -> bytes:
    """Accuracy per category (coarse group or perspective), one bar per run; small groups drawn faded."""
    plt = _pyplot()
    groups = sorted({s.group for run_scores in scores.values() for s in run_scores})
    figure, axes = plt.subplots(figsize=(max(6.0, 0.9 * len(groups) * max(1, len(scores))), 3.4))
    width = 0.8 / max(1, len(scores))
    for i, (label, run_scores) in enumerate(scores.items()):
        by_group = {s.group: s for s in run_scores}
        for g, group in enumerate(groups):
            s = by_group.get(group)
            if s is not None:
                axes.bar(g + (i - (len(scores) - 1) / 2) * width, s.accuracy, width, color=f"C{i}",
                         alpha=0.4 if s.small else 1.0, label=label[:40] if g == 0 else None)
    axes.set_xticks(range(len(groups)), groups, rotation=20, ha="right")
    axes.set_ylabel("accuracy (%)")
    axes.set_title(f"{benchmark}: closed-question accuracy per category (faded: fewer than 20 questions)")
    axes.legend(fontsize=7)
    return _png(figure)


def failure_bars(counts: dict[str, dict[str, dict[str, int]]]) -> bytes:
    """Per run and task, stacked counts of unparseable answers, model failures and judge failures."""
    plt = _pyplot()
    labels = [f"{run[:28]}\n{task}" for run, tasks in counts.items() for task in tasks]
    kinds = ("unparseable", "model_failures", "judge_failures")
    figure, axes = plt.subplots(figsize=(max(6.0, 0.55 * len(labels)), 3.6))
    bottom = [0] * len(labels)
    for k, kind in enumerate(kinds):
        values = [tasks[task].get(kind, 0) for tasks in counts.values() for task in tasks]
        axes.bar(range(len(labels)), values, bottom=bottom, label=kind.replace("_", " "), color=f"C{k + 3}")
        bottom = [b + v for b, v in zip(bottom, values)]
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=6)
    axes.set_ylim(0, max(1, *bottom) * 1.15)
    if not any(bottom):
        axes.text(0.5, 0.5, "no failures in any task", transform=axes.transAxes, ha="center", fontsize=11)
    axes.set_ylabel("questions")
    axes.set_title("failures per task (not scored, or scored as wrong when unparseable)")
    axes.legend(fontsize=7)
    return _png(figure)
