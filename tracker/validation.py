"""How close the tracker's descriptors come to the renderer's exact ones, on MA-Synth clips.

Three figures (issue 11): the dominant part (largest sum of phase amplitudes) agrees; the main direction
(largest of right/left/up/down) of the truth's dominant part agrees in the phases where that part moves
(amplitude >= MOVING_BH); and the Yes/No questions of the build, re-derived from the tracker's descriptor by
the QA generator's own fact check (``synth.qa.evaluate``), give the ground-truth answer (a fact the tracker's
descriptor leaves unsettled counts as a miss; the table also shows how many it settles, and how many of
those agree).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from finemotion_eval.mabench_tasks.dataset import YES_NO_TASKS
from finemotion_eval.synth import qa
from finemotion_eval.synth.descriptors import ClipDescriptor, PartPhase

#: A phase in which a part moves at least this far (path length, body heights) has a main direction.
MOVING_BH = 0.02
DIRECTIONS = ("right", "left", "up", "down")


def dominant_part(d: ClipDescriptor) -> str:
    """The part with the largest sum of phase amplitudes (ties: PARTS order)."""
    totals = [sum(q.amplitude for q in p.phases) for p in d.parts]
    return d.parts[totals.index(max(totals))].name


def main_direction(pp: PartPhase) -> str:
    """The largest of the four direction components of one part in one phase."""
    components = [pp.right, pp.left, pp.up, pp.down]
    return DIRECTIONS[components.index(max(components))]


@dataclass
class Agreement:
    """Counts behind the three figures; ``add`` one clip at a time."""

    clips: int = 0
    dominant: int = 0
    phases: int = 0
    directions: int = 0
    questions: Counter = field(default_factory=Counter)  # task -> asked
    answered: Counter = field(default_factory=Counter)  # task -> agreeing
    settled: Counter = field(default_factory=Counter)  # task -> the tracker's descriptor settles the fact
    failed: dict[str, str] = field(default_factory=dict)  # clip -> why the tracker gave no descriptor

    def add(self, truth: ClipDescriptor, tracked: ClipDescriptor, rows: list[dict]) -> None:
        self.clips += 1
        part = dominant_part(truth)
        self.dominant += dominant_part(tracked) == part
        for exact, estimated in zip(truth.part(part).phases, tracked.part(part).phases):
            if exact.amplitude >= MOVING_BH:
                self.phases += 1
                self.directions += main_direction(exact) == main_direction(estimated)
        for row in rows:
            if row["task"] not in YES_NO_TASKS:
                continue
            truth_value = qa.evaluate(qa.parse_question(row["question"], row["task"]), tracked)
            self.questions[row["task"]] += 1
            self.settled[row["task"]] += truth_value is not None
            self.answered[row["task"]] += truth_value is not None and ("Yes" if truth_value else "No") == row["answer"]

    def fail(self, clip: str, reason: str, rows: list[dict]) -> None:
        """A clip without a tracker descriptor: its questions count as misses."""
        self.failed[clip] = reason
        for row in rows:
            if row["task"] in YES_NO_TASKS:
                self.questions[row["task"]] += 1

    def figures(self) -> dict[str, float]:
        asked = sum(self.questions.values())
        n = self.clips + len(self.failed)
        return {"dominant_part": self.dominant / max(n, 1), "main_direction": self.directions / max(self.phases, 1),
                "yes_no": sum(self.answered.values()) / max(asked, 1)}

    def table(self) -> str:
        f = self.figures()
        n = self.clips + len(self.failed)
        lines = [f"dominant part   {self.dominant}/{n} = {100 * f['dominant_part']:.1f}%  (target >= 90%)",
                 f"main direction  {self.directions}/{self.phases} phases = {100 * f['main_direction']:.1f}%  (target >= 85%)",
                 f"Yes/No answers  {sum(self.answered.values())}/{sum(self.questions.values())} = "
                 f"{100 * f['yes_no']:.1f}%  (target >= 85%)"]
        settled = sum(self.settled.values())
        lines.append(f"  settled by the tracker's descriptor: {settled}/{sum(self.questions.values())}; of those, "
                     f"{sum(self.answered.values())} agree ({100 * sum(self.answered.values()) / max(settled, 1):.1f}%)")
        lines += [f"  {task:4s} {self.answered[task]}/{self.questions[task]} (settled {self.settled[task]})"
                  for task in YES_NO_TASKS]
        if self.failed:
            lines.append(f"clips without a descriptor: {len(self.failed)} ({', '.join(sorted(self.failed))})")
        return "\n".join(lines)


def validate_build(folder: str | Path, tracker, clips: int | None = None) -> Agreement:
    """Run ``tracker`` (a ``Tracker``) on the clips of an MA-Synth build and compare with its truth files."""
    root = Path(folder)
    rows: dict[str, list[dict]] = {}
    for questions in sorted(root.glob("questions_*.json")):
        for row in json.loads(questions.read_text(encoding="utf-8")):
            rows.setdefault(Path(row["video"]).stem, []).append(row)
    agreement = Agreement()
    for truth_file in sorted((root / "truth").glob("*.json"))[:clips]:
        truth = ClipDescriptor.from_dict(json.loads(truth_file.read_text(encoding="utf-8"))["descriptor"])
        clip_rows = rows.get(truth_file.stem, [])
        try:
            record = tracker(root / "videos" / f"{truth_file.stem}.mp4")
        except Exception as err:  # a clip the tracker cannot describe is a counted miss, not a crash
            agreement.fail(truth_file.stem, f"{type(err).__name__}: {err}", clip_rows)
            continue
        agreement.add(truth, ClipDescriptor.from_dict(record["descriptor"]), clip_rows)
    return agreement
