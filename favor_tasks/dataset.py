"""FAVOR-Bench questions and caption annotations as ``datasets`` rows, from the official release layouts.

The release (``zl2048/FAVOR``, SPEC.md section 5) ships ``video_perspective.json`` (one item per video,
with its questions and caption annotations) and ``question_perspective.json`` (one item per question).
Both become question rows of :data:`QUESTION_FEATURES`; the video layout also yields caption rows of
:data:`CAPTION_FEATURES`. Video names may or may not end in ``.mp4``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import datasets

from finemotion_eval import locations, prepared
from finemotion_eval.inputs import InputFileError, read_json
from finemotion_eval.metrics.favor_mcqa import FAVOR_TASKS

SCHEMA_VERSION = 1
CAPTION_CONFIG = "CAPTION"
CAPTION_FIELDS = ("caption", "camera_motion", "subject_attributes", "motion_list", "chronological_motion_list")

QUESTION_FEATURES = datasets.Features(
    {
        "video": datasets.Value("string"),  # path of the clip; absolute once a video folder is known
        "video_name": datasets.Value("string"),  # official name without ".mp4"
        "qid": datasets.Value("string"),  # question_key when the release has one, else <video_name>_<n>
        "task": datasets.Value("string"),  # AS, HAC, SAD, MAD, CM or NSM
        "question": datasets.Value("string"),
        "options": datasets.Sequence(datasets.Value("string")),  # five free-text options, official order
        "answer": datasets.Value("string"),  # the correct option's text
        "source": datasets.Value("string"),
        "source_sha256": datasets.Value("string"),
    }
)
CAPTION_FEATURES = datasets.Features(
    {
        "video": datasets.Value("string"),
        "video_name": datasets.Value("string"),
        "qid": datasets.Value("string"),  # the video name: one caption per video
        "task": datasets.Value("string"),  # always CAPTION
        **{name: datasets.Value("string") for name in CAPTION_FIELDS},
        "source": datasets.Value("string"),
        "source_sha256": datasets.Value("string"),
    }
)


class FavorFormatError(InputFileError):
    """A release file does not have the documented layout."""


@dataclass
class FavorLoadReport:
    source: str
    layout: str = ""
    videos: int = 0
    questions: int = 0
    per_task: dict[str, int] = field(default_factory=dict)
    captions: int = 0

    def summary(self) -> str:
        tasks = ", ".join(f"{t} {n}" for t, n in self.per_task.items())
        return (f"{self.source} ({self.layout} layout): {self.videos} videos, {self.questions} questions ({tasks}), "
                f"{self.captions} captions")


def _question_row(item: Mapping, video_name: str, qid: str, where: str) -> dict:
    missing = {"question", "options", "correct_answer", "task_type"} - set(item)
    if missing:
        raise FavorFormatError(f"{where}: question {qid} lacks {sorted(missing)}")
    options = list(item["options"])
    if item["task_type"] not in FAVOR_TASKS:
        raise FavorFormatError(f"{where}: question {qid} has unknown task_type {item['task_type']!r}")
    if item["correct_answer"] not in options:
        raise FavorFormatError(f"{where}: question {qid}: correct_answer is not one of its options")
    return {"video_name": video_name, "qid": qid, "task": item["task_type"], "question": item["question"],
            "options": options, "answer": item["correct_answer"]}


def load_release(path: str | Path, video_dir: str | Path | None = None) -> tuple[list[dict], list[dict], FavorLoadReport]:
    """Question rows, caption rows and a report from ``video_perspective.json`` or ``question_perspective.json``."""
    path = Path(path)
    data = read_json(path, "FAVOR-Bench release")
    if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
        raise FavorFormatError(f"{path}: expected a non-empty JSON list of objects")
    report = FavorLoadReport(source=path.name)
    questions, captions = [], []
    if "questions" in data[0]:
        report.layout = "video"
        for item in data:
            name = prepared.video_name_of(item["video_name"])
            for n, question in enumerate(item["questions"], start=1):
                questions.append(_question_row(question, name, question.get("question_key", f"{name}_{n}"), path.name))
            if all(key in item for key in CAPTION_FIELDS):
                captions.append({"video_name": name, "qid": name, "task": CAPTION_CONFIG, **{k: item[k] for k in CAPTION_FIELDS}})
    else:
        report.layout = "question"
        seen: Counter[str] = Counter()
        for item in data:
            if "video_name" not in item:
                raise FavorFormatError(f"{path.name}: a question has no video_name")
            name = prepared.video_name_of(item["video_name"])
            seen[name] += 1
            questions.append(_question_row(item, name, item.get("question_key", f"{name}_{seen[name]}"), path.name))
    qids = Counter(q["qid"] for q in questions)
    duplicated = [qid for qid, n in qids.items() if n > 1]
    if duplicated:
        raise FavorFormatError(f"{path.name}: duplicated question ids, e.g. {duplicated[:3]}")
    digest = prepared.file_sha256(path)
    for row in (*questions, *captions):
        row["video"] = prepared.clip_path(video_dir, row["video_name"])
        row["source"], row["source_sha256"] = path.name, digest
    report.videos = len({q["video_name"] for q in questions} | {c["video_name"] for c in captions})
    report.questions, report.captions = len(questions), len(captions)
    report.per_task = {t: n for t in FAVOR_TASKS if (n := sum(q["task"] == t for q in questions))}
    return questions, captions, report


def write_prepared(
    questions: list[dict], captions: list[dict], out_dir: str | Path, report: FavorLoadReport, video_dir: str | Path,
    unusable: Mapping[str, str] | None = None,
) -> Path:
    manifest = {"schema_version": SCHEMA_VERSION, "video_dir": str(Path(video_dir).resolve()), "load_report": asdict(report)}
    return prepared.write_prepared([*questions, *captions], out_dir, (*FAVOR_TASKS, CAPTION_CONFIG), manifest,
                                   "FAVOR-Bench prepared by finemotion-eval (schema in docs/data.md).", combined=FAVOR_TASKS,
                                   unusable=unusable)


def load_prepared(folder: str | Path, task: str, video_dir: str | Path | None = None) -> datasets.Dataset:
    features = CAPTION_FEATURES if task.upper() == CAPTION_CONFIG else QUESTION_FEATURES
    return prepared.read_prepared(folder, task.upper(), features, video_dir)


def load_configured_task(task: str) -> datasets.Dataset:
    """One task (or ``CAPTION``) from the user's prepared folder (``finemotion_eval.locations``), clips re-pointed if asked."""
    return load_prepared(locations.data_dir(locations.FAVOR), task, video_dir=locations.video_override(locations.FAVOR))


def doc_to_visual(doc: Mapping) -> list[str]:
    """The clip of a row, checked to exist: nothing is evaluated without its video."""
    return [locations.existing_video(doc["video"], locations.FAVOR, doc["qid"])]
