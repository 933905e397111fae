"""Each clip's fine MA-52 label and subject id, for the recognition questions and the cross-subject split.

Read from a JSON object ``{"<video stem>": {"label": "...", "subject": "..."}}``, a CSV file with the
columns ``video,label,subject``, or a folder of MA-Synth truth files (``truth/<stem>.json``, whose subject is
the rendered subject's seed). Either field may be left out or empty: a clip without a label gets no
CMAR/FMAR/MARE question, a clip without a subject is its own subject.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from finemotion_eval.inputs import InputFileError, read_json
from finemotion_eval.mabench_tasks.taxonomy import FINE_TO_COARSE


@dataclass(frozen=True)
class ClipInfo:
    label: str | None = None
    subject: str | None = None


def _checked(path: Path, where: str, label: object, subject: object) -> ClipInfo:
    if label in (None, ""):
        label = None
    elif not isinstance(label, str) or label.lower() not in {f.lower() for f in FINE_TO_COARSE}:
        raise InputFileError(f"{path}: {where}: field 'label': {label!r} is not an MA-52 fine label "
                             f"(e.g. {sorted(FINE_TO_COARSE)[0]!r}; the list is in mabench_tasks/taxonomy.py)")
    else:
        label = next(f for f in FINE_TO_COARSE if f.lower() == label.lower())
    return ClipInfo(label, None if subject in (None, "") else str(subject))


def read_clip_info(path: str | Path) -> dict[str, ClipInfo]:
    """Video stem -> :class:`ClipInfo` from a JSON file, a CSV file or a folder of MA-Synth truth files."""
    path = Path(path)
    if path.is_dir():
        out = {}
        for truth in sorted(path.glob("*.json")):
            record = read_json(truth, "MA-Synth truth file")
            if not isinstance(record, dict) or "label" not in record:
                raise InputFileError(f"{truth}: field 'label': missing (not an MA-Synth truth file)")
            subject = record.get("subject")
            out[truth.stem] = _checked(truth, "record", record["label"],
                                       subject.get("seed") if isinstance(subject, dict) else subject)
        if not out:
            raise InputFileError(f"{path}: no truth files (*.json) in this folder")
        return out
    if path.suffix.lower() == ".csv":
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or "video" not in reader.fieldnames:
                raise InputFileError(f"{path}: expected a header with the columns video,label,subject")
            return {Path(row["video"]).stem: _checked(path, f"line {n}", row.get("label"), row.get("subject"))
                    for n, row in enumerate(reader, start=2)}
    data = read_json(path, "clip labels")
    if not isinstance(data, dict):
        raise InputFileError(f"{path}: expected an object of video stem -> {{label, subject}}")
    out = {}
    for video, record in data.items():
        if not isinstance(record, dict):
            raise InputFileError(f"{path}: video {video!r}: expected an object with label and subject")
        out[Path(video).stem] = _checked(path, f"video {video!r}", record.get("label"), record.get("subject"))
    return out
