"""How each run was made (its protocol card), and a footnote wherever that differs from the paper's protocol.

The card reads what the run recorded: lmms-eval's config (model, arguments, tasks, per-task prompt files),
our sample provenance (frames shown, or the adapter's own way of looking), the judge reports the run wrote, and
the package versions our plugin adds to the results file (``finemotion``). Nothing is taken from the machine
the report is made on, except the text of our packaged prompt files, hashed to name exactly which was used.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from finemotion_eval.report.runs import Run, what_was_seen
from finemotion_eval.report.tables import Table

#: The paper's prompt, where known: MA-Bench's starter kit sends the question alone; FAVOR's official prompt.
PAPER_PROMPTS = {"MA-Bench": "mabench/starter_kit.txt", "FAVOR-Bench": "favor/mcqa_official.txt"}
# Keys of a run config that name prompt files.
_PROMPT_KEYS = ("choice_prompt", "yes_no_prompt", "open_prompt")


def prompt_sha256(name: str) -> str | None:
    """sha256 (first 12 hex digits) of packaged prompt file ``name``; None when it is not one of ours."""
    from finemotion_eval.prompts import read_prompt

    try:
        return hashlib.sha256(read_prompt(name).encode("utf-8")).hexdigest()[:12]
    except (FileNotFoundError, OSError, ValueError):
        return None


def prompt_files(run: Run, lmms_task: str) -> dict[str, str]:
    """The prompt files a task of the run was configured with (key -> file)."""
    kwargs = run.results.get("configs", {}).get(lmms_task, {}).get("lmms_eval_specific_kwargs") or {}
    return {key: value for key, value in kwargs.items() if key in _PROMPT_KEYS and isinstance(value, str)}


def frames_seen(run: Run, lmms_task: str) -> str:
    """What the model was shown in a task, from the samples' provenance (with counts when it varies)."""
    kinds = Counter(what_was_seen(sample.provenance)[1] for sample in run.samples[lmms_task])
    return "; ".join(f"{kind} ({n})" if len(kinds) > 1 else kind for kind, n in kinds.most_common())


@dataclass
class ProtocolCard:
    label: str
    items: list[tuple[str, str]] = field(default_factory=list)


def protocol_card(run: Run) -> ProtocolCard:
    """What a reader needs to know to trust or reproduce the run."""
    r = run.results
    record = r.get("finemotion", {})
    card = ProtocolCard(run.label)
    card.items.append(("results file", str(run.results_file)))
    card.items.append(("model", f"{run.model}, model_args: {run.model_args or '(none)'}"))
    card.items.append(("run", f"{r.get('date', '?')}, {r.get('total_evaluation_time_seconds', '?')} s"))
    sizes = r.get("n-samples", {})
    card.items.append(("tasks", ", ".join(f"{t} ({sizes.get(t, {}).get('effective', len(s))})" for t, s in run.samples.items())))
    shown = Counter(frames_seen(run, t) for t in run.samples)
    card.items.append(("frames", "; ".join(shown)))
    prompts = {f"{file} (sha256 {prompt_sha256(file) or 'not ours'})" for t in run.samples for file in prompt_files(run, t).values()}
    card.items.append(("prompts", ", ".join(sorted(prompts)) or "the tasks' own"))
    judges = record.get("judge_reports", [])
    card.items.append(("judge", "; ".join(f"{j['name']}: {j['judge_model']}, prompt {j['prompt_version']}" for j in judges)
                       or "none in this run"))
    versions = record.get("versions", {})
    card.items.append(("lmms-eval", str(versions.get("lmms_eval") or r.get("lmms_eval_version", "?"))))
    card.items.append(("packages", ", ".join(f"{k} {v}" for k, v in versions.items() if k != "lmms_eval")
                       or "not recorded (results written without the finemotion plugin)"))
    return card


def _note(table: Table, row_notes: list[str], key: str, text: str) -> None:
    table.footnotes.setdefault(key, text)
    if key not in row_notes:
        row_notes.append(key)


def annotate(table: Table) -> None:
    """Footnote every row of ours whose protocol differs from the paper's (data, prompt, frames, judge, denominators)."""
    paper = "MA-Bench" if table.benchmark == "MA-Synth" else table.benchmark
    for row in table.rows:
        if not row.ours or row.run is None:
            continue
        run = row.run
        tasks = [t for t in run.tasks(table.benchmark) if (row.variant == "") == (not t.endswith("_letter"))]
        if table.benchmark == "MA-Synth":
            _note(table, row.notes, "synth", "MA-Synth: rendered clips with exact answers, not MA-Bench's clips; the "
                  "published MA-Bench rows are shown for scale only, not for comparison.")
        files = {f for t in tasks for key, f in prompt_files(run, t).items() if key != "open_prompt"}
        expected = PAPER_PROMPTS.get(paper)
        if table.benchmark == "FAVOR-Bench" and row.variant:
            _note(table, row.notes, "letter", "FAVOR-Bench with options lettered A-E and a letter answer, not the "
                  "official prompt (favor/mcqa_official.txt).")
        elif files and expected and files != {expected} and paper == "MA-Bench":
            _note(table, row.notes, f"prompt:{sorted(files)}", f"prompt: {', '.join(sorted(files))} (ours); the paper's "
                  f"starter kit sends the question alone ({expected}).")
        frames = {frames_seen(run, t) for t in tasks}
        _note(table, row.notes, f"frames:{sorted(frames)}", "frames: " + "; ".join(sorted(frames)) +
              (" (the paper's per-model frame protocol is unpublished)" if paper == "MA-Bench" else
               " (the published rows' frames are in brackets)"))
        judges = [j for j in run.results.get("finemotion", {}).get("judge_reports", [])]
        if any(c.startswith(("MADU", "MARE", "GPT")) for c in row.cells) and judges:
            models = sorted({j["judge_model"] for j in judges})
            _note(table, row.notes, f"judge:{models}", f"judge: {', '.join(models)} with our rubric prompts; the paper's "
                  "judge model and prompt are unpublished, so open scores compare in kind only.")
        official = [(t, run.metric(t, "acc_official"), run.metric(t, "acc_actual_counts")) for t in tasks]
        differs = [t for t, o, a in official if o is not None and a is not None and abs(o - a) > 0.005]
        if differs:
            _note(table, row.notes, f"official:{run.label}", f"{run.label}: the official FAVOR accuracy (fixed denominators "
                  "of the full benchmark) differs from the per-question accuracy shown, as it does on a subset of the "
                  f"questions or with unanswered ones ({', '.join(differs)}; both are in the results JSON).")
        failures = sum(run.metric(t, "model_failures") or 0 for t in tasks)
        if failures:
            _note(table, row.notes, f"failures:{run.label}", f"{run.label}: {failures} questions without an answer from "
                  "the model are left out of its scores (the paper counts every question).")

