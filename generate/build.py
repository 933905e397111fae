"""``finemotion build``: a folder of clips -> a checked, filtered, cross-subject MA-Bench-style benchmark.

Stages: track (``tracker``) -> describe (LLM, optional) -> generate -> check -> filter (optional) -> balance
-> split -> write. Each stage is resumable: the tracker writes one record per clip and skips finished ones;
every language-model reply (descriptions, questions, filter answers) is kept in ``llm_cache.sqlite`` the
moment it arrives; the rest is recomputed from those in seconds, the same every time. Layout of ``out``::

    tracks/<stem>.json          tracker records (as ``finemotion track`` writes them)
    llm_cache.sqlite            every language-model reply, by request
    rejected.jsonl              questions the checks rejected, each with its reason
    filters/<name>_removed.jsonl  questions a filter removed, with the model's answers
    questions_<split>.json      the kept questions, MA-Bench's answered-sample layout
    <split>/                    prepared folders: datasets.load_dataset("<out>/test", "cmar", split="test")
    manifest.json, build_report.json, build_report.md

Without a language model (``llm=None``) the questions and the MADU/MARE references come from the QA
generator's templates (``synth.qa``), fully offline.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from finemotion_eval.generate.balance import balance_letters, balance_yes_no
from finemotion_eval.generate.checks import check_row
from finemotion_eval.generate.filters import DEFAULT_SHUFFLES, FILTERS, run_filter
from finemotion_eval.generate.labels import ClipInfo
from finemotion_eval.generate.language import QUESTIONS_PER_TASK, ClipText, normalise_question, write_texts
from finemotion_eval.generate.report import BuildReport
from finemotion_eval.generate.splits import DEFAULT_TEST_SHARE, SPLITS, class_counts, cross_subject_split
from finemotion_eval.judges import JudgeConfig, JudgeUsage
from finemotion_eval.mabench_tasks.dataset import CHOICE_TASKS, CLOSED_TASKS, TASKS, split_question
from finemotion_eval.prepared import CLIP_SUFFIX, file_sha256
from finemotion_eval.synth import qa
from finemotion_eval.synth.descriptors import ClipDescriptor
from finemotion_eval.tracker.batch import output_path, track_videos, video_files
from finemotion_eval.tracker.pipeline import TrackerConfig

#: Version of the built folder's layout, in its manifest.
BUILD_VERSION = 1
#: Question ids of a build: ``SAD_GEN00012`` (never equal to an MA-Bench or an MA-Synth id).
QID_PREFIX = "GEN"
LLM_CACHE = "llm_cache.sqlite"
TRACKS = "tracks"
REJECTED = "rejected.jsonl"
_TASK_ORDER = {task: i for i, task in enumerate(TASKS)}


@dataclass(frozen=True)
class BuildSettings:
    """How to build. ``filter_llm``: the model the filters ask (default: ``llm``); ``frames``: what the
    single-frame filter shows (1, or N sampled uniformly)."""

    llm: JudgeConfig | None = None
    filters: tuple[str, ...] = ()
    filter_llm: JudgeConfig | None = None
    shuffles: int = DEFAULT_SHUFFLES
    frames: int = 1
    tracker: TrackerConfig = field(default_factory=TrackerConfig)
    workers: int = 1
    seed: int = 0
    test_share: float = DEFAULT_TEST_SHARE
    questions_per_task: int = QUESTIONS_PER_TASK

    def __post_init__(self) -> None:
        unknown = [name for name in self.filters if name not in FILTERS]
        if unknown:
            raise ValueError(f"unknown filter(s) {', '.join(unknown)}; one of {', '.join(FILTERS)}")
        if self.filters and self.filter_llm is None and self.llm is None:
            raise ValueError("the filters need a model to ask: give llm or filter_llm")

    def describe(self) -> dict[str, Any]:
        """The settings as written into the manifest and report (endpoints by model and URL, never a key)."""
        def endpoint(config: JudgeConfig | None) -> str | None:
            return None if config is None else f"{config.model} at {config.base_url or 'api.openai.com'}"

        return {"llm": endpoint(self.llm), "filters": list(self.filters), "filter_llm": endpoint(self.filter_llm or self.llm),
                "shuffles": self.shuffles, "frames": self.frames, "tracker": asdict(self.tracker), "seed": self.seed,
                "test_share": self.test_share, "questions_per_task": self.questions_per_task}


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _stage(report: BuildReport, name: str, started: float) -> None:
    report.seconds[name] = round(time.perf_counter() - started, 2)


def candidates(name: str, index: int, d: ClipDescriptor, fine: str | None, text: ClipText | None, seed: int) -> list[dict]:
    """The clip's candidate questions: the templates' rows, with the Yes/No questions and the MADU/MARE
    references from the language model when it wrote them (``text``; None: offline)."""
    rows = qa.generate_questions(d, name, seed, index, label=fine)
    if text is not None:
        rows = [r for r in rows if r["task"] in CHOICE_TASKS or (text.description and r["task"] in ("MADU", "MARE"))]
        for row in rows:
            if row["task"] == "MADU":
                row["answer"] = text.description
            elif row["task"] == "MARE":
                row["answer"] = f"{text.reasoning} {qa.label_line(fine)}"
        for item in text.questions:
            item = item if isinstance(item, dict) else {"question": item}
            question = item.get("question")
            rows.append({"video": f"{name}{CLIP_SUFFIX}", "task": str(item.get("task", "")).strip().upper(),
                         "question": normalise_question(question) if isinstance(question, str) else question,
                         "answer": str(item.get("answer", "")).strip().capitalize()})
    per_task: Counter = Counter()
    out = []
    for row in rows:
        task = row["task"]
        out.append({"id": f"{name}/{task or '?'}/{per_task[task]}", "clip": name, "task": task,
                    "question": row["question"], "answer": row["answer"]})
        per_task[task] += 1
    return out


def _prepared_row(row: dict, video: Path) -> dict:
    """A candidate in the prepared-folder schema the filters read (options apart from the stem; qid: its id)."""
    stem, options = split_question(row["question"]) if row["task"] in CHOICE_TASKS else (row["question"], [])
    return {"qid": row["id"], "video": str(video), "video_name": row["clip"], "task": row["task"], "question": stem,
            "options": options, "answer": row["answer"]}


def build(videos_dir: str | Path, out_dir: str | Path, clip_info: Mapping[str, ClipInfo] | None = None,
          settings: BuildSettings | None = None, progress: bool = True) -> BuildReport:
    """Build a benchmark from the clips in ``videos_dir`` into ``out_dir``; see the module docstring."""
    settings = settings or BuildSettings()
    videos = {p.stem: p for p in video_files([videos_dir])}
    not_mp4 = [p.name for p in videos.values() if p.suffix.lower() != CLIP_SUFFIX]
    if not_mp4:
        raise ValueError(f"{videos_dir}: the prepared folders name clips <stem>.mp4 (MA-Bench's layout); convert "
                         f"these first: {', '.join(not_mp4[:5])}")
    info = {stem: (clip_info or {}).get(stem, ClipInfo()) for stem in videos}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cache = out / LLM_CACHE
    report = BuildReport(str(videos_dir), str(out), settings.describe(), clips=len(videos))

    started = time.perf_counter()
    summary = track_videos(list(videos.values()), out / TRACKS, settings.tracker, settings.workers, progress)
    report.tracking = {"tracked": len(summary.written), "done_before": len(summary.skipped),
                       "failed": {Path(v).stem: why for v, why in sorted(summary.failed.items())}}
    descriptors = {stem: ClipDescriptor.from_dict(json.loads(output_path(out / TRACKS, path).read_text("utf-8"))["descriptor"])
                   for stem, path in videos.items() if stem not in report.tracking["failed"]}
    _stage(report, "track", started)

    texts: dict[str, ClipText] = {}
    if settings.llm is not None:
        started = time.perf_counter()
        usage = JudgeUsage()
        texts = asyncio.run(write_texts(descriptors, {s: info[s].label for s in descriptors}, settings.llm, cache, usage,
                                        settings.questions_per_task))
        report.language = {"clips": len(descriptors), "requests_sent": usage.sent, "from_cache": usage.cached,
                           "failed": {name: t.error for name, t in texts.items() if t.error}}
        _stage(report, "describe", started)

    started = time.perf_counter()
    kept, rejected = [], []
    for index, stem in enumerate(tqdm(sorted(descriptors), desc="generate + check", unit="clip", disable=not progress)):
        d, fine = descriptors[stem], info[stem].label
        for row in candidates(stem, index, d, fine, texts.get(stem), settings.seed):
            report.generated[row["task"]] = report.generated.get(row["task"], 0) + 1
            reason = check_row(row, d, fine) if row["task"] not in ("MADU", "MARE") else None
            if reason is None:
                kept.append(row)
            else:
                rejected.append({**row, "reason": reason})
                report.rejected.setdefault(row["task"], {}).setdefault(reason, 0)
                report.rejected[row["task"]][reason] += 1
    _write_jsonl(out / REJECTED, rejected)
    _stage(report, "generate", started)

    for name in settings.filters:
        started = time.perf_counter()
        closed = [_prepared_row(r, videos[r["clip"]]) for r in kept if r["task"] in CLOSED_TASKS]
        run = asyncio.run(run_filter(name, closed, settings.filter_llm or settings.llm, cache, shuffles=settings.shuffles,
                                     frames=settings.frames, seed=settings.seed))
        removed = {r["qid"] for r in run.removed}
        kept = [r for r in kept if r["id"] not in removed]
        _write_jsonl(out / "filters" / f"{name}_removed.jsonl", run.removed)
        report.filters[name] = {"model": run.model, "shuffles": run.shuffles, "frames": run.frames,
                                "requests_sent": run.usage.sent, "from_cache": run.usage.cached, "per_task": run.per_task(),
                                "undecided": [{"id": r["qid"], "why": r["filter_error"]} for r in run.undecided]}
        _stage(report, f"filter {name}", started)

    started = time.perf_counter()
    kept, dropped = balance_yes_no(balance_letters(kept, settings.seed), settings.seed)
    report.balance_dropped = dict(Counter(r["task"] for r in dropped))
    report.letters = {task: dict(sorted(Counter(r["answer"] for r in kept if r["task"] == task).items()))
                      for task in CHOICE_TASKS if any(r["task"] == task for r in kept)}
    subjects = {stem: info[stem].subject or stem for stem in descriptors}
    labels = {stem: info[stem].label for stem in descriptors}
    split_of = cross_subject_split(subjects, labels, settings.test_share, settings.seed)
    report.splits = {"subjects": {s: len({subjects[c] for c in split_of if split_of[c] == s}) for s in SPLITS},
                     "clips": dict(Counter(split_of.values())), "class_counts": class_counts(split_of, labels)}
    _write(out, Path(videos_dir), kept, split_of, info, videos, settings, report)
    _stage(report, "write", started)
    report.write(out)
    return report


def _write(out: Path, video_dir: Path, rows: list[dict], split_of: Mapping[str, str], info: Mapping[str, ClipInfo],
           videos: Mapping[str, Path], settings: BuildSettings, report: BuildReport) -> None:
    """Question files, prepared folders and the manifest; qids numbered per task over the whole build."""
    from finemotion_eval.mabench_tasks.dataset import load_official, write_prepared

    rows = sorted(rows, key=lambda r: (r["clip"], _TASK_ORDER[r["task"]], int(r["id"].rsplit("/", 1)[1])))
    numbers: Counter = Counter()
    official = {split: [] for split in SPLITS}
    for row in rows:
        official[split_of[row["clip"]]].append({"video": f"{row['clip']}{CLIP_SUFFIX}", "task": row["task"],
                                                "qid": f"{row['task']}_{QID_PREFIX}{numbers[row['task']]:05d}",
                                                "question": row["question"], "answer": row["answer"], "source_id": row["id"]})
        numbers[row["task"]] += 1
    for split, split_rows in official.items():
        question_file = out / f"questions_{split}.json"
        question_file.write_text(json.dumps(split_rows, indent=1, ensure_ascii=False), encoding="utf-8")
        loaded, load_report = load_official(question_file, video_dir=video_dir)
        write_prepared(loaded, out / split, load_report, video_dir)
        report.final[split] = {t: n for t in TASKS if (n := sum(r["task"] == t for r in split_rows))}
    manifest = {
        "dataset": "finemotion build", "build_version": BUILD_VERSION, "splits": list(SPLITS),
        "videos_dir": str(video_dir.resolve()), "settings": settings.describe(),
        "clips": {stem: {"split": split_of.get(stem), "label": info[stem].label, "subject": info[stem].subject,
                         "sha256": file_sha256(path)} for stem, path in sorted(videos.items())},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")

