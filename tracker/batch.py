"""Track many clips into a folder of records, one ``<clip stem>.json`` per clip, resumably.

A record is written as soon as its clip is tracked (atomically, sorted keys: its bytes depend only on the
record), so a killed run keeps what it finished and the next run skips every clip whose record is there;
a clip that fails is named, with its reason, in the summary and in ``_failures.jsonl`` beside the records,
and is tried again by the next run. ``tracker.ray_job`` runs the same batch as a Ray Data job.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm

from finemotion_eval.tracker.pipeline import RECORD_VERSION, Tracker, TrackerConfig

VIDEO_SUFFIXES = (".mp4", ".avi", ".mkv", ".mov", ".webm")
#: Failed clips of earlier runs, one JSON object per line; not ``*.json``, so a glob for records never reads it.
FAILURES_FILE = "_failures.jsonl"


class BatchInputError(ValueError):
    """The inputs or the output folder cannot be used as given (clips sharing a name, records of another configuration)."""


class TrackerSetupError(RuntimeError):
    """A worker process could not build its ``Tracker`` (a missing extra, say): the batch stops, as in-process runs do."""


def video_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The clips named by ``paths``: files as given, folders as their video files (not recursive), sorted.

    Raises ``FileNotFoundError`` for a path that does not exist or a folder without clips, and
    ``BatchInputError`` when two clips share a stem (both would write ``<stem>.json``).
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            clips = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES)
            if not clips:
                raise FileNotFoundError(f"no video files ({' '.join(VIDEO_SUFFIXES)}) in {path}")
            found += clips
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    unique: dict[Path, Path] = {}
    for clip in found:  # a clip named twice (its folder and itself) is tracked once
        unique.setdefault(clip.resolve(), clip)
    by_stem: dict[str, Path] = {}
    for clip in unique.values():
        if clip.stem in by_stem:
            raise BatchInputError(f"{by_stem[clip.stem]} and {clip} would both write {clip.stem}.json; "
                                  "rename one or track them into different folders")
        by_stem[clip.stem] = clip
    return sorted(unique.values())


def output_path(out_dir: str | os.PathLike[str], video: str | os.PathLike[str]) -> Path:
    """Where the record of ``video`` goes: ``out_dir/<video stem>.json``."""
    return Path(out_dir) / f"{Path(video).stem}.json"


def write_record(path: str | os.PathLike[str], record: Mapping) -> None:
    """Write ``record`` as JSON (sorted keys) to ``path`` atomically: a reader or a killed run never sees half a file."""
    text = json.dumps(record, sort_keys=True, indent=1) + "\n"  # serialised first: a bad record writes nothing
    _write_atomic(Path(path), text)


def _write_atomic(path: Path, text: str) -> None:
    # Not tempfile.mkstemp: its files are private (0600), and records on a shared disk are read by other users.
    temp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(temp, "x", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _finished(path: Path, config: TrackerConfig) -> bool:
    """Whether ``path`` holds a record of this configuration; ``BatchInputError`` for a record of another one."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False  # missing, or not a whole record: track the clip (again)
    if not isinstance(record, dict) or "descriptor" not in record:
        return False
    backends = {k: v for k, v in (record.get("backends") or {}).items() if k != "versions"}
    if record.get("schema_version") != RECORD_VERSION or backends != asdict(config):
        # Skipping it would mix configurations in one folder; tracking over it would throw finished work away.
        raise BatchInputError(f"{path} was made by another tracker (record version {record.get('schema_version')}, "
                              f"settings {backends}; now {RECORD_VERSION}, {asdict(config)}): track into another folder, "
                              "or delete the old records")
    return True


def plan_batch(videos: Iterable[Path], out_dir: str | os.PathLike[str], config: TrackerConfig) -> tuple[list[Path], list[Path]]:
    """(clips to track, clips already done), after creating ``out_dir``."""
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    pending: list[Path] = []
    done: list[Path] = []
    for video in videos:
        (done if _finished(output_path(out_dir, video), config) else pending).append(video)
    return pending, done


def failure_reason(err: BaseException) -> str:
    """``Type: message``, the reason recorded for a failed clip."""
    return f"{type(err).__name__}: {err}"


def track_and_write(tracker: Tracker, video: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> str | None:
    """Track one clip and write its record; None when written, else why it failed (never raises for a clip)."""
    try:
        write_record(output_path(out_dir, video), tracker(video))
    except Exception as err:  # any clip-level failure is reported, never allowed to stop the batch
        return failure_reason(err)
    return None


@dataclass
class BatchSummary:
    """What a batch did: clips written now, clips skipped (done before), failed clips (video -> reason)."""

    out_dir: str
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed

    def report(self) -> str:
        total = len(self.written) + len(self.skipped) + len(self.failed)
        lines = [f"{total} clips: {len(self.written)} tracked, {len(self.skipped)} already done, "
                 f"{len(self.failed)} failed; records in {self.out_dir}"]
        if self.failed:
            lines.append(f"failed (listed in {Path(self.out_dir) / FAILURES_FILE}; a rerun tries them again):")
            lines += [f"  {video}: {reason}" for video, reason in sorted(self.failed.items())]
        return "\n".join(lines)


class FailureLog:
    """``out_dir/_failures.jsonl``: failed clips of this and earlier runs, rewritten as each clip fails or recovers."""

    def __init__(self, out_dir: str | os.PathLike[str]) -> None:
        self.path = Path(out_dir) / FAILURES_FILE
        self.entries: dict[str, str] = {}
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    self.entries[str(entry["video"])] = str(entry["reason"])
                except (ValueError, KeyError, TypeError):
                    continue  # a damaged line loses one old entry, nothing more
        # Clips whose record now exists (tracked by any run since) are no longer failures.
        self._drop(lambda video: output_path(out_dir, video).is_file())

    def _drop(self, gone: Callable[[str], bool]) -> None:
        stale = [video for video in self.entries if gone(video)]
        for video in stale:
            del self.entries[video]
        if stale:
            self.save()

    def succeeded(self, video: str | os.PathLike[str]) -> None:
        # By stem: the same clip may have been named by another path in an earlier run.
        stem = Path(video).stem
        self._drop(lambda old: Path(old).stem == stem)

    def failed(self, video: str | os.PathLike[str], reason: str) -> None:
        self.entries[str(video)] = reason
        self.save()

    def save(self) -> None:
        if not self.entries:
            self.path.unlink(missing_ok=True)
            return
        text = "".join(json.dumps({"video": v, "reason": r}, sort_keys=True) + "\n" for v, r in sorted(self.entries.items()))
        _write_atomic(self.path, text)


def finish(summary: BatchSummary, log: FailureLog, video: str, reason: str | None) -> None:
    """Count one tracked clip in the summary and the failure file."""
    if reason is None:
        summary.written.append(video)
        log.succeeded(video)
    else:
        summary.failed[video] = reason
        log.failed(video, reason)


# One tracker per worker process, built by the pool's initializer (models load once per process, not per clip).
_WORKER_TRACKER: Tracker | None = None
_WORKER_SETUP_ERROR: str | None = None


def _init_worker(config: TrackerConfig) -> None:
    global _WORKER_TRACKER, _WORKER_SETUP_ERROR
    try:
        _WORKER_TRACKER = Tracker(config)
    except Exception as err:  # kept for the parent to raise: an initializer that raises only breaks the pool, silently
        _WORKER_SETUP_ERROR = failure_reason(err)


def _worker_track(video: str, out_dir: str) -> tuple[str | None, str | None]:
    """(setup error, clip failure reason) for one clip in a worker process."""
    if _WORKER_TRACKER is None:
        return _WORKER_SETUP_ERROR or "the tracker was not built", None
    return None, track_and_write(_WORKER_TRACKER, video, out_dir)


WORKER_DIED = "BrokenProcessPool: a worker process died while tracking this clip (a crash, or out of memory)"


def _track_in_pool(pending: list[Path], out_dir: str, config: TrackerConfig, workers: int,
                   summary: BatchSummary, log: FailureLog, bar: tqdm) -> None:
    """Track ``pending`` in ``workers`` spawned processes; a worker that dies fails only the clip that killed it."""
    queue = list(reversed(pending))  # popped from the end, so clips start in order
    # Clips lost together when a worker died: each is retried alone, so a crash with one clip in flight names its culprit.
    suspects: list[Path] = []
    while queue or suspects:
        # Spawned workers: the caller may be a threaded process (lmms-eval, torch) where fork is unsafe.
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker,
                                 initargs=(config,)) as pool:
            running: dict[Future, Path] = {}  # at most one clip per worker, so a dying worker takes few clips with it
            lost: list[Path] = []
            broken = False
            while not broken and (queue or suspects or running):
                while suspects and not running or not suspects and queue and len(running) < workers:
                    source = suspects if suspects else queue
                    video = source.pop()
                    try:
                        running[pool.submit(_worker_track, str(video), out_dir)] = video
                    except BrokenProcessPool:  # broken before a result said so
                        source.append(video)
                        broken = True
                        break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                if broken or any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                    broken = True
                    done = wait(running).done  # every clip in flight ends with the pool
                for future in done:
                    video = running.pop(future)
                    if isinstance(future.exception(), BrokenProcessPool):
                        lost.append(video)
                        continue
                    setup_error, reason = future.result()
                    if setup_error is not None:
                        raise TrackerSetupError(f"the tracker could not be built in a worker process: {setup_error}")
                    finish(summary, log, str(video), reason)
                    bar.update()
        if len(lost) == 1:
            finish(summary, log, str(lost[0]), WORKER_DIED)
            bar.update()
        else:
            suspects += reversed(lost)


def start_batch(paths: Iterable[str | os.PathLike[str]], out_dir: str | os.PathLike[str], config: TrackerConfig | None
                ) -> tuple[TrackerConfig, list[Path], BatchSummary, FailureLog]:
    """What every runner does first: the settings, the clips still to track, a summary holding the skipped ones, the log."""
    config = config or TrackerConfig()
    pending, done = plan_batch(video_files(paths), out_dir, config)
    return config, pending, BatchSummary(str(out_dir), skipped=[str(v) for v in done]), FailureLog(out_dir)


def track_videos(paths: Iterable[str | os.PathLike[str]], out_dir: str | os.PathLike[str], config: TrackerConfig | None = None,
                 workers: int = 1, progress: bool = True) -> BatchSummary:
    """Track the clips of ``paths`` (files and folders) into ``out_dir``, skipping clips already done.

    ``workers`` > 1 tracks in that many spawned processes, each with one ``Tracker``. A clip that fails is
    recorded (summary and ``_failures.jsonl``) and the batch goes on; a tracker that cannot be built raises.
    """
    config, pending, summary, log = start_batch(paths, out_dir, config)
    if not pending:
        return summary
    with tqdm(total=len(pending), desc="tracking", unit="clip", disable=not progress) as bar:
        if workers > 1 and len(pending) > 1:
            _track_in_pool(pending, str(out_dir), config, min(workers, len(pending)), summary, log, bar)
        else:
            tracker = Tracker(config)
            for video in pending:
                finish(summary, log, str(video), track_and_write(tracker, video, out_dir))
                bar.update()
    summary.written.sort()
    return summary
