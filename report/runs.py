"""Reading lmms-eval output folders: the results JSON, the per-task sample logs, our provenance and judge reports.

A run is one ``<date>_results.json`` with the ``<date>_samples_<task>.jsonl`` files beside it (lmms-eval's
``--output_path`` with ``--log_samples``). Each logged sample becomes a :class:`Sample` with what the report
needs: the question as shown, the raw and parsed answer, whether it was right, the failure if any, the judge's
scores and reply for open questions, and what the model was shown (``finemotion_provenance``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finemotion_eval.inputs import InputFileError, read_json

#: Benchmark of an lmms-eval task, by the longest matching name prefix.
BENCHMARKS = {"mabench_synth": "MA-Synth", "mabench": "MA-Bench", "favor": "FAVOR-Bench"}


def benchmark_of(lmms_task: str) -> str | None:
    """``MA-Bench``, ``MA-Synth`` or ``FAVOR-Bench`` for one of our task names; None for another harness task."""
    for prefix in sorted(BENCHMARKS, key=len, reverse=True):
        if lmms_task == prefix or lmms_task.startswith(prefix + "_"):
            return BENCHMARKS[prefix]
    return None


@dataclass
class Sample:
    """One logged question of a run."""

    lmms_task: str
    task: str  # the benchmark's task code: CMAR ... MARE, AS ... NSM, CAPTION
    qid: str
    video_name: str | None
    video: str | None
    prompt: str
    output: str
    prediction: str | None
    answer: str | None
    correct: bool | None  # closed questions: None when not scored (a model failure, or no answer to score against)
    model_failure: str | None
    judge: dict[str, Any] | None = None  # open questions: {"scores", "error", "reply", "judge_model"}
    provenance: dict[str, Any] | None = None
    category: str | None = None  # filled by the breakdowns (coarse group, perspective)

    @property
    def is_open(self) -> bool:
        return self.task in ("MADU", "MARE", "CAPTION")


@dataclass
class Run:
    """One lmms-eval run: its results file and samples."""

    results_file: Path
    results: dict[str, Any]
    samples: dict[str, list[Sample]] = field(default_factory=dict)  # lmms task -> samples in document order

    @property
    def model(self) -> str:
        return str(self.results.get("config", {}).get("model", "?"))

    @property
    def model_args(self) -> str:
        return str(self.results.get("config", {}).get("model_args") or "")

    @property
    def label(self) -> str:
        """How the run is named in tables: the model and its arguments."""
        return f"{self.model} ({self.model_args})" if self.model_args else self.model

    def metric(self, lmms_task: str, name: str) -> Any:
        """``results[lmms_task]["<name>,none"]`` or None (also for lmms-eval's "N/A")."""
        value = self.results.get("results", {}).get(lmms_task, {}).get(f"{name},none")
        return None if value in (None, "N/A") else value

    def tasks(self, benchmark: str) -> list[str]:
        """The run's lmms tasks (not groups) of ``benchmark``, in logged order."""
        return [t for t in self.samples if benchmark_of(t) == benchmark]


#: Frames drawn for a clip whose model looked at all of it, or did not record what it saw.
UNRECORDED_FRAMES = "uniform:4"


def what_was_seen(provenance: dict[str, Any] | None) -> tuple[str | None, str]:
    """(the sampling protocol of the frames to show, what the model saw in words), from a sample's provenance."""
    p = provenance or {}
    if p.get("frames_seen") == 0 or p.get("mode") == "text_only":
        return None, "no frames"
    if "indices" in p:
        return str(p["protocol"]), f"{len(p['indices'])} frames ({p['protocol']})"
    if "tracker" in p:
        return UNRECORDED_FRAMES, f"every frame, through the tracker ({p['tracker']})"
    if p.get("mode") == "video_url":
        return UNRECORDED_FRAMES, "the whole clip, decoded by the server"
    return UNRECORDED_FRAMES, "not recorded" + ("" if p else " (not one of our adapters)")


def _record_of(line: dict[str, Any]) -> dict[str, Any]:
    """Our per-question record: every metric of a sample carries the same dict with a ``qid``."""
    for value in line.values():
        if isinstance(value, dict) and "qid" in value:
            return value
    raise ValueError("no finemotion record (a metric value with a qid) in this sample")


def _sample(lmms_task: str, line: dict[str, Any]) -> Sample:
    record = _record_of(line)
    failure = record.get("model_failure")
    if "accuracy" in line:
        correct: bool | None = line["accuracy"] == 100.0
    elif "correct" in record and not failure:
        correct = bool(record["correct"])
    else:
        correct = None
    return Sample(lmms_task, record["task"], str(record["qid"]), record.get("video_name"), record.get("video"),
                  str(line.get("input", "")), str(record.get("output", record.get("prediction", "")) or ""),
                  record.get("prediction") if "ground_truth" not in record else None,
                  record.get("answer", record.get("ground_truth")), correct, failure,
                  provenance=line.get("finemotion_provenance"))


def _attach_judge_reports(run: Run) -> None:
    """Each open sample's scores and reply from the judge reports the run wrote (recorded in its results)."""
    for entry in run.results.get("finemotion", {}).get("judge_reports", []):
        path = Path(entry["path"])
        if not path.is_file():
            continue  # reported as missing by the protocol card
        report = read_json(path, "judge report")
        by_qid = {r["id"]: r for r in report.get("results", [])}
        for samples in run.samples.values():
            for sample in samples:
                result = by_qid.get(sample.qid)
                # Reports are named after the task they judged: mabench_madu, mabench_mare, favor_caption.
                if sample.is_open and result is not None and entry["name"].rsplit("_", 1)[-1].upper() == sample.task:
                    sample.judge = {"scores": result["scores"], "error": result["error"], "reply": result["reply"],
                                    "judge_model": report.get("judge_model")}


def load_run(results_file: str | Path) -> Run:
    """The run of one ``*_results.json`` and the sample logs written with it."""
    path = Path(results_file)
    results = read_json(path, "lmms-eval results")
    if not isinstance(results, dict) or "results" not in results:
        raise InputFileError(f"{path}: field 'results': missing (not an lmms-eval results file)")
    stamp = path.name.removesuffix("_results.json")
    run = Run(path, results)
    for log in sorted(path.parent.glob(f"{stamp}_samples_*.jsonl")):
        lmms_task = log.name.removeprefix(f"{stamp}_samples_").removesuffix(".jsonl")
        samples = []
        for number, text in enumerate(log.read_text(encoding="utf-8").splitlines(), start=1):
            if not text.strip():
                continue
            try:
                samples.append(_sample(lmms_task, json.loads(text)))
            except (ValueError, KeyError) as err:
                raise InputFileError(f"{log}: line {number}: {err}") from None
        run.samples[lmms_task] = samples
    if not run.samples:
        raise InputFileError(f"{path}: no sample logs beside it ({stamp}_samples_<task>.jsonl): run lmms-eval with --log_samples")
    _attach_judge_reports(run)
    return run


def find_runs(paths: list[str | Path]) -> list[Run]:
    """Every run under ``paths`` (results files, or folders searched recursively), ordered by path."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            found = sorted(path.rglob("*_results.json"))
            if not found:
                raise InputFileError(f"{path}: no lmms-eval results (*_results.json) under this folder")
            files += found
        else:
            raise InputFileError(f"{path}: no such file or folder")
    return [load_run(f) for f in dict.fromkeys(files)]
