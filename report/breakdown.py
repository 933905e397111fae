"""Where a model fails: accuracy per coarse group and per fine label (MA-Bench), per perspective (FAVOR-Bench).

A clip's labels come from the run itself: its FMAR question's keyed option is the clip's fine label (MA-Bench
asks one CMAR and one FMAR question per clip), and the coarse group follows from the taxonomy. FAVOR-Bench
clips are ego-centric when their id has the ``<id>|P<n>|<start>|<end>`` form of its first-person sources
(FAVOR SPEC section 5; about 11% of the clips), third-person otherwise. Groups with fewer than ``SMALL_N``
scored questions are flagged: their accuracy moves by several points with one answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from finemotion_eval.mabench_tasks.dataset import split_question
from finemotion_eval.mabench_tasks.taxonomy import FINE_TO_COARSE
from finemotion_eval.metrics import DEFAULT_LETTERS
from finemotion_eval.report.runs import Run, Sample

SMALL_N = 20
_EGO_ID = re.compile(r"\|P\d+\|")


def _keyed_option(sample: Sample) -> str | None:
    """The text of a choice sample's keyed option, read from the prompt it was shown."""
    lines = [line for line in sample.prompt.splitlines() if re.match(r"^[A-G]\. ", line)]
    if not lines or sample.answer not in DEFAULT_LETTERS[: len(lines)]:
        return None
    _, options = split_question("Q\n" + "\n".join(lines))
    return options[DEFAULT_LETTERS.index(sample.answer)]


def clip_labels(run: Run, benchmark: str) -> dict[str, str]:
    """Clip -> fine MA-52 label, from the run's FMAR questions (lower case)."""
    labels = {}
    for lmms_task in run.tasks(benchmark):
        for sample in run.samples[lmms_task]:
            if sample.task == "FMAR" and sample.video_name and (label := _keyed_option(sample)):
                labels[sample.video_name] = label.lower()
    return labels


def assign_categories(run: Run, benchmark: str) -> None:
    """Set each sample's ``category``: its clip's coarse group (MA-Bench, MA-Synth) or perspective (FAVOR-Bench)."""
    labels = clip_labels(run, benchmark) if benchmark != "FAVOR-Bench" else {}
    for lmms_task in run.tasks(benchmark):
        for sample in run.samples[lmms_task]:
            if benchmark == "FAVOR-Bench":
                sample.category = "ego-centric" if _EGO_ID.search(sample.video_name or "") else "third-person"
            else:
                fine = labels.get(sample.video_name or "")
                sample.category = FINE_TO_COARSE.get(fine) if fine else None


@dataclass(frozen=True)
class GroupScore:
    group: str
    correct: int
    scored: int

    @property
    def accuracy(self) -> float:
        return 100.0 * self.correct / self.scored

    @property
    def small(self) -> bool:
        return self.scored < SMALL_N


def _scores(pairs: list[tuple[str | None, Sample]]) -> list[GroupScore]:
    groups: dict[str, list[bool]] = {}
    for group, sample in pairs:
        if group is not None and sample.correct is not None:
            groups.setdefault(group, []).append(sample.correct)
    return [GroupScore(g, sum(v), len(v)) for g, v in sorted(groups.items())]


def per_category(run: Run, benchmark: str) -> list[GroupScore]:
    """Closed-question accuracy per category (call :func:`assign_categories` first)."""
    return _scores([(s.category, s) for t in run.tasks(benchmark) for s in run.samples[t]])


def per_label(run: Run, benchmark: str) -> list[GroupScore]:
    """Closed-question accuracy per fine label of the clip (MA-Bench, MA-Synth)."""
    labels = clip_labels(run, benchmark)
    return _scores([(labels.get(s.video_name or ""), s) for t in run.tasks(benchmark) for s in run.samples[t]])
