"""Track many clips as a Ray Data job, on this machine or across a cluster: same records, rules and files as ``tracker.batch``.

Each clip is one row of a Ray Data dataset; a pool of ``TrackActor`` actors (one ``Tracker`` each, one CPU each)
tracks the rows and writes every record itself, so the driver only collects small ``{video, ok, reason}`` rows.
Ray Data has no job resume: records written before a job was killed stay, and the next run skips them (the
file-per-clip rule of ``tracker.batch``); failures go to the summary and ``_failures.jsonl`` as in local runs.

On a cluster:

* ``address="ray://<head>:10001"`` connects through Ray Client from any machine that reaches the head node;
  ``address="auto"`` (``finemotion track ... --ray auto``) joins the cluster this machine is a node of. With no
  address a local Ray instance is started (``num_cpus`` caps it), unless ``RAY_ADDRESS`` names a cluster.
* The clips and the output folder must be on storage every node sees at the same path (a shared filesystem:
  NFS, Lustre, a mounted bucket): actors on any node read clips and write records there. Paths are made
  absolute on the driver before they are sent.
* Every node needs finemotion-eval with the ``tracker`` extra, at the versions of the driver (records name the
  backends and their versions, and other versions give other numbers).
* ``concurrency`` is the number of actors: an int, or ``(min, max)`` for an autoscaling pool; default one per
  CPU of the cluster when the job starts.

A clip that kills its actor process (a crash, not a Python exception) is retried by Ray Data's actor fault
tolerance rather than recorded as failed; the local runner (``tracker.batch``) records such a clip instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tqdm import tqdm

from finemotion_eval.tracker.batch import BatchSummary, finish, start_batch, track_and_write
from finemotion_eval.tracker.pipeline import Tracker, TrackerConfig


class TrackActor:
    """A Ray Data actor: builds one ``Tracker`` and tracks each clip of a batch, writing its record into ``out_dir``."""

    def __init__(self, config: dict[str, Any], out_dir: str) -> None:
        self.tracker = Tracker(TrackerConfig(**config))
        self.out_dir = out_dir

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        videos = [str(video) for video in batch["item"]]
        reasons = [track_and_write(self.tracker, video, self.out_dir) for video in videos]
        return {"video": videos, "ok": [reason is None for reason in reasons], "reason": [reason or "" for reason in reasons]}


def _import_ray():
    try:
        import ray
        import ray.data  # noqa: F401  (ray without its data extra imports, then fails here)
    except ImportError as err:
        raise ImportError(f"tracking with Ray needs Ray Data: pip install 'ray[data]' ({err})") from err
    return ray


def track_videos_ray(paths: Iterable[str | os.PathLike[str]], out_dir: str | os.PathLike[str],
                     config: TrackerConfig | None = None,
                     address: str | None = None, num_cpus: int | None = None, concurrency: int | tuple[int, int] | None = None,
                     progress: bool = True) -> BatchSummary:
    """``tracker.batch.track_videos`` as a Ray Data job (see the module docstring for clusters).

    Ray is started with ``ray.init(address=address, num_cpus=num_cpus)`` unless it already is, and shut down
    at the end only when started here.
    """
    config, pending, summary, log = start_batch(paths, out_dir, config)
    if not pending:
        return summary
    ray = _import_ray()
    started = not ray.is_initialized()
    if started:
        # num_cpus sizes a local instance only; Ray refuses it when joining a cluster.
        ray.init(address=address, num_cpus=num_cpus if address is None else None, include_dashboard=False)
    context = ray.data.DataContext.get_current()
    ray_bars = context.enable_progress_bars
    try:
        context.enable_progress_bars = False  # ours below counts clips; Ray's would draw over it
        if concurrency is None:
            concurrency = max(1, min(len(pending), int(ray.cluster_resources().get("CPU", 1))))
        pool = (ray.data.ActorPoolStrategy(size=concurrency) if isinstance(concurrency, int)
                else ray.data.ActorPoolStrategy(min_size=concurrency[0], max_size=concurrency[1]))
        # Absolute paths: actors run elsewhere, with another working folder; the summary keeps the paths as given.
        given = {str(video.resolve()): str(video) for video in pending}
        dataset = ray.data.from_items(list(given)).map_batches(
            TrackActor, fn_constructor_kwargs={"config": asdict(config), "out_dir": str(Path(out_dir).resolve())},
            batch_size=1, compute=pool, num_cpus=1)
        with tqdm(total=len(pending), desc="tracking (ray)", unit="clip", disable=not progress) as bar:
            for row in dataset.iter_rows():
                finish(summary, log, given[row["video"]], None if row["ok"] else str(row["reason"]))
                bar.update()
    finally:
        context.enable_progress_bars = ray_bars
        if started:
            ray.shutdown()
    summary.written.sort()
    return summary
