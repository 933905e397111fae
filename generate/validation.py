"""How the answers of a build made from MA-Synth clips compare with the renderer's exact truth.

Each kept closed question is checked again (``generate.checks.check_row``), now against the truth file's
descriptor and label instead of the tracker's: it agrees when the truth gives the same answer; otherwise the
check's reason says why (``contradicts``: the truth gives the other answer; ``unsettled``: the truth does not
settle the fact).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from finemotion_eval.generate.checks import check_row
from finemotion_eval.mabench_tasks.dataset import CLOSED_TASKS
from finemotion_eval.synth.descriptors import ClipDescriptor


def truth_agreement(build_dir: str | Path, truth_dir: str | Path) -> dict[str, Counter]:
    """Task -> {"agree": n, <check reason>: n} over the closed questions of every split of the build."""
    counts: dict[str, Counter] = {}
    truths: dict[str, dict] = {}
    for questions in sorted(Path(build_dir).glob("questions_*.json")):
        for row in json.loads(questions.read_text(encoding="utf-8")):
            if row["task"] not in CLOSED_TASKS:
                continue
            stem = Path(row["video"]).stem
            if stem not in truths:
                truths[stem] = json.loads((Path(truth_dir) / f"{stem}.json").read_text(encoding="utf-8"))
            truth = truths[stem]
            reason = check_row(row, ClipDescriptor.from_dict(truth["descriptor"]), truth["label"])
            counts.setdefault(row["task"], Counter())[reason or "agree"] += 1
    return {task: counts[task] for task in CLOSED_TASKS if task in counts}
