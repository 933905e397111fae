"""MA-Bench questions as one ``datasets`` schema, read from the official files.

Two official layouts exist (SPEC.md 1.2): the 12,000-question file (``video_name`` without extension, no
answers) and the answered sample (``video`` with ``.mp4`` and ``answer``). Both become rows of
:data:`FEATURES`. A *prepared folder* (``write_prepared``) holds those rows as JSON Lines plus a README
whose ``configs`` let ``datasets.load_dataset(folder, "cmar", split="test")`` read it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import datasets

from finemotion_eval import locations, prepared
from finemotion_eval.inputs import InputFileError, read_json
from finemotion_eval.metrics import DEFAULT_LETTERS, MABENCH_CLOSED_TASKS, MABENCH_OPEN_TASKS

CLOSED_TASKS = MABENCH_CLOSED_TASKS
TASKS = (*CLOSED_TASKS, *MABENCH_OPEN_TASKS)
CHOICE_TASKS = CLOSED_TASKS[:2]  # CMAR, FMAR: lettered options
YES_NO_TASKS = CLOSED_TASKS[2:]
# Names used for the same tasks in write-ups (MMAD) and in the starter kit's history (CMAC, FMAC).
TASK_ALIASES = {"MMAD": "MAD", "CMAC": "CMAR", "FMAC": "FMAR"}
SCHEMA_VERSION = 1

FEATURES = datasets.Features(
    {
        "video": datasets.Value("string"),  # path of the clip; absolute once a video folder is known
        "video_name": datasets.Value("string"),  # official id, no extension
        "qid": datasets.Value("string"),
        "task": datasets.Value("string"),
        "question": datasets.Value("string"),  # stem only; options are in `options`
        "options": datasets.Sequence(datasets.Value("string")),  # [] for Yes/No and open tasks
        "answer": datasets.Value("string"),  # letter, Yes/No or text; None when the file has none
        "source": datasets.Value("string"),  # file the row was read from
        "source_sha256": datasets.Value("string"),
        "option_code_stripped": datasets.Value("bool"),  # an option carried the leaked " - <code>" suffix
    }
)

_OPTION_LINE = re.compile(r"^([A-G])\.\s*(.*?)\s*$")
# The public question file leaks the ground truth as " - B2" on one FMAR option (SPEC.md 1.3).
_LEAKED_CODE = re.compile(r"\s+-\s+[A-G]\d+$")


class MABenchFormatError(InputFileError):
    """An official file does not have the documented layout."""


@dataclass
class LoadReport:
    """What loading changed, so nothing is altered silently."""

    source: str
    rows: int = 0
    per_task: dict[str, int] = field(default_factory=dict)
    stripped_option_codes: int = 0
    renamed_tasks: dict[str, int] = field(default_factory=dict)
    answers_attached: int = 0

    def summary(self) -> str:
        tasks = ", ".join(f"{t} {n}" for t, n in self.per_task.items())
        renamed = ", ".join(f"{old}->{TASK_ALIASES[old]} x{n}" for old, n in self.renamed_tasks.items())
        return (
            f"{self.source}: {self.rows} questions ({tasks}); stripped leaked option codes: "
            f"{self.stripped_option_codes}; renamed tasks: {renamed or 'none'}; answers: {self.answers_attached}"
        )


def canonical_task(name: str) -> str:
    """Official task name for ``name`` (case-insensitive; MMAD, CMAC and FMAC map to MAD, CMAR, FMAR)."""
    upper = name.strip().upper()
    upper = TASK_ALIASES.get(upper, upper)
    if upper not in TASKS:
        raise MABenchFormatError(f"unknown MA-Bench task {name!r}; expected one of {', '.join(TASKS)}")
    return upper


def split_question(text: str) -> tuple[str, list[str]]:
    """Split an official question into its stem and its option texts (without letters)."""
    lines = text.split("\n")
    first_option = next((i for i, line in enumerate(lines) if _OPTION_LINE.match(line)), len(lines))
    options = []
    for expected, line in zip(DEFAULT_LETTERS, lines[first_option:]):
        match = _OPTION_LINE.match(line)
        if not match or match.group(1) != expected:
            raise MABenchFormatError(f"option lines out of order in question {text!r}")
        options.append(match.group(2))
    if first_option + len(options) != len(lines):
        raise MABenchFormatError(f"unexpected text after the options in question {text!r}")
    return "\n".join(lines[:first_option]).strip(), options


def format_question(stem: str, options: Iterable[str]) -> str:
    """The official question text: the stem, then one ``X. option`` line per option."""
    return "\n".join([stem, *(f"{letter}. {option}" for letter, option in zip(DEFAULT_LETTERS, options))])


def strip_option_code(option: str) -> tuple[str, bool]:
    """Remove a leaked ``" - <code>"`` suffix; say whether there was one."""
    stripped = _LEAKED_CODE.sub("", option)
    return stripped, stripped != option


def _read_json_list(path: Path) -> list[dict]:
    data = read_json(path, "MA-Bench question")
    if not isinstance(data, list):
        raise MABenchFormatError(f"{path}: expected a JSON list of question objects, got {type(data).__name__}")
    for number, record in enumerate(data):
        if not isinstance(record, dict):
            raise MABenchFormatError(f"{path}: record {number}: expected a question object, got {type(record).__name__}")
    return data


def _video_name(record: Mapping, path: Path) -> str:
    name = record.get("video_name") or record.get("video")
    if not name:
        raise MABenchFormatError(f"{path}: question {record.get('qid')!r} has neither 'video_name' nor 'video'")
    return prepared.video_name_of(name)


def read_answers(path: str | Path) -> dict[str, str]:
    """qid -> answer from an answered file (the official sample layout)."""
    path = Path(path)
    answers = {}
    for record in _read_json_list(path):
        if "qid" not in record or "answer" not in record:
            raise MABenchFormatError(f"{path}: every row needs 'qid' and 'answer', got keys {sorted(record)}")
        answers[canonical_qid(record["qid"])] = record["answer"]
    return answers


def canonical_qid(qid: str) -> str:
    """``MMAD_0001`` -> ``MAD_0001``: the qid under the official task name."""
    task, _, number = qid.partition("_")
    return f"{canonical_task(task)}_{number}"


def load_official(
    path: str | Path,
    *,
    video_dir: str | Path | None = None,
    answers: Mapping[str, str] | None = None,
) -> tuple[list[dict], LoadReport]:
    """Read an official MA-Bench question file into schema rows.

    ``answers`` (qid -> answer, e.g. from :func:`read_answers`) fills in answers the file lacks; a qid whose
    answer in the file differs from ``answers`` is an error. With ``video_dir`` the ``video`` column is the
    absolute path of the clip; otherwise it is the file name.
    """
    path = Path(path)
    records = _read_json_list(path)
    report = LoadReport(source=path.name)
    digest = prepared.file_sha256(path)
    renamed: Counter[str] = Counter()
    rows = []
    for record in records:
        missing = {"task", "qid", "question"} - set(record)
        if missing:
            raise MABenchFormatError(f"{path}: a row lacks {sorted(missing)}: {record}")
        raw_task = str(record["task"]).strip().upper()
        task = canonical_task(raw_task)
        if raw_task != task:
            renamed[raw_task] += 1
        qid = canonical_qid(record["qid"])
        stem, options = split_question(record["question"])
        stripped = [strip_option_code(o) for o in options]
        n_stripped = sum(was for _, was in stripped)
        report.stripped_option_codes += n_stripped
        answer = record.get("answer")
        if answers is not None and qid in answers:
            if answer is not None and answer != answers[qid]:
                raise MABenchFormatError(f"{qid}: answer {answer!r} in {path.name} but {answers[qid]!r} given")
            answer = answers[qid]
        report.answers_attached += answer is not None
        name = _video_name(record, path)
        rows.append(
            {
                "video": prepared.clip_path(video_dir, name),
                "video_name": name,
                "qid": qid,
                "task": task,
                "question": stem,
                "options": [o for o, _ in stripped],
                "answer": answer,
                "source": path.name,
                "source_sha256": digest,
                "option_code_stripped": n_stripped > 0,
            }
        )
    report.rows = len(rows)
    report.per_task = {t: n for t in TASKS if (n := sum(r["task"] == t for r in rows))}
    report.renamed_tasks = dict(renamed)
    return rows, report


def to_dataset(rows: list[dict]) -> datasets.Dataset:
    """Rows of :data:`FEATURES` as a ``datasets.Dataset``."""
    return datasets.Dataset.from_list(rows, features=FEATURES)


def write_prepared(rows: list[dict], out_dir: str | Path, report: LoadReport, video_dir: str | Path,
                   unusable: Mapping[str, str] | None = None) -> Path:
    """Write ``rows`` as a prepared folder (``finemotion_eval.prepared``) for our tasks and ``datasets``."""
    manifest = {"schema_version": SCHEMA_VERSION, "video_dir": str(Path(video_dir).resolve()), "load_report": asdict(report)}
    description = "MA-Bench questions prepared by finemotion-eval (schema in docs/data.md)."
    return prepared.write_prepared(rows, out_dir, TASKS, manifest, description, unusable=unusable)


def load_prepared(folder: str | Path, task: str, video_dir: str | Path | None = None) -> datasets.Dataset:
    """One task of a prepared folder; ``video_dir`` re-points the clips to another folder."""
    return prepared.read_prepared(folder, canonical_task(task), FEATURES, video_dir)


def load_configured_task(task: str) -> datasets.Dataset:
    """One task from the user's prepared folder (``finemotion_eval.locations``), clips re-pointed if asked."""
    return load_prepared(locations.data_dir(locations.MABENCH), task, video_dir=locations.video_override(locations.MABENCH))


def doc_to_visual(doc: Mapping) -> list[str]:
    """The clip of a question, checked to exist: no question is ever evaluated without its video."""
    return [locations.existing_video(doc["video"], locations.MABENCH, doc["qid"])]
