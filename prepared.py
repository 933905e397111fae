"""A *prepared folder*: benchmark rows as JSON Lines that both our tasks and ``datasets`` read.

Layout: ``data/<config>-<content hash>.jsonl`` (one config per task), ``README.md`` whose ``configs`` make
``datasets.load_dataset(folder, "<config>", split="test")`` work (``all`` is the default config), and
``finemotion_manifest.json`` with the schema version, the video folder and the load report.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal

import datasets
from tqdm import tqdm

from finemotion_eval.notices import notice
from finemotion_eval.video_io import VideoDecodeError, VideoNotFoundError, probe, verify_clip

MANIFEST = "finemotion_manifest.json"
CLIP_SUFFIX = ".mp4"


def video_name_of(filename: str) -> str:
    """A clip's name without its ``.mp4``: official files name clips both with and without it."""
    return filename.removesuffix(CLIP_SUFFIX)


def clip_path(video_dir: str | Path | None, video_name: str) -> str:
    """``<video_dir>/<video_name>.mp4`` with the folder made absolute; the bare file name without a folder."""
    file_name = video_name + CLIP_SUFFIX
    return str(Path(video_dir).resolve() / file_name) if video_dir else file_name


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes, recorded so a row or a build can be traced to the exact file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_prepared(
    rows: Sequence[Mapping],
    out_dir: str | Path,
    tasks: Sequence[str],
    manifest: Mapping,
    description: str,
    combined: Iterable[str] | None = None,
    unusable: Mapping[str, str] | None = None,
) -> Path:
    """Write ``rows`` grouped by their ``task`` (in the order of ``tasks``) into ``out_dir``.

    The default config ``all`` joins the tasks in ``combined`` (default: every task); leave out tasks
    whose rows have other columns. ``unusable`` (video name -> why) lists clips found missing or broken at
    prepare time: their questions are kept in the files but skipped, and named, when the tasks load them.
    """
    out = Path(out_dir)
    (out / "data").mkdir(parents=True, exist_ok=True)
    for stale in (out / "data").glob("*.jsonl"):
        stale.unlink()
    written: dict[str, str] = {}
    for task in tasks:
        task_rows = [r for r in rows if r["task"] == task]
        if task_rows:
            content = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in task_rows).encode("utf-8")
            # The content hash in the name matters: `datasets` caches a local folder under its README's
            # configs, so a folder rewritten with other rows but the same file names would load stale rows.
            name = f"data/{task.lower()}-{hashlib.sha256(content).hexdigest()[:16]}.jsonl"
            (out / name).write_bytes(content)
            written[task] = name
    joined = [t for t in written if combined is None or t in set(combined)]
    readme = ["---", "configs:", "- config_name: all", "  default: true", "  data_files:", "  - split: test", "    path:"]
    readme += [f"    - {written[task]}" for task in joined]
    for task, name in written.items():
        readme += [f"- config_name: {task.lower()}", "  data_files:", "  - split: test", f"    path: {name}"]
    readme += ["---", "", description, ""]
    (out / "README.md").write_text("\n".join(readme), encoding="utf-8")
    (out / MANIFEST).write_text(json.dumps({**manifest, "unusable_videos": dict(unusable or {})}, indent=2), encoding="utf-8")
    return out


def read_prepared(
    folder: str | Path, task: str, features: datasets.Features, video_dir: str | Path | None = None
) -> datasets.Dataset:
    """The rows of one task; ``video_dir`` re-points each row's ``video`` to its ``clip_path`` there."""
    found = sorted((Path(folder) / "data").glob(f"{task.lower()}-*.jsonl"))
    if len(found) != 1:
        raise FileNotFoundError(
            f"{folder} has no {task} questions (data/{task.lower()}-<hash>.jsonl); re-run the prepare command."
        )
    data_file = found[0]
    rows = [json.loads(line) for line in data_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    manifest = Path(folder) / MANIFEST
    unusable = json.loads(manifest.read_text(encoding="utf-8")).get("unusable_videos", {}) if manifest.is_file() else {}
    skipped = [row for row in rows if row["video_name"] in unusable]
    if skipped:
        names = sorted({row["video_name"] for row in skipped})
        notice(f"{task}: {len(skipped)} of {len(rows)} questions skipped, their {len(names)} clips were unusable when "
               f"{folder} was prepared (e.g. {names[0]}: {unusable[names[0]]}); they are not scored")
        rows = [row for row in rows if row["video_name"] not in unusable]
    if video_dir is not None:
        for row in rows:
            row["video"] = clip_path(video_dir, row["video_name"])
    return datasets.Dataset.from_list(rows, features=features)


Verify = Literal["header", "sampled", "full"]


def unusable_videos(rows: Iterable[Mapping], progress: bool = False, verify: Verify = "sampled") -> dict[str, str]:
    """The clips of ``rows`` (by video name) that are missing or do not decode, with the reason.

    ``verify``: ``header`` reads the headers only; ``sampled`` (default) also decodes the frames the starter-kit
    protocol samples and the last frame, which finds files cut off after their header; ``full`` decodes every
    frame (slowest).
    """
    paths = {r["video"]: r["video_name"] for r in rows}
    problems = {}
    for path in tqdm(sorted(paths), desc=f"checking videos ({verify})", unit="clip", disable=not progress):
        try:
            probe(path) if verify == "header" else verify_clip(path, full=verify == "full")
        except (VideoNotFoundError, VideoDecodeError) as err:
            problems[paths[path]] = "missing" if isinstance(err, VideoNotFoundError) else str(err)
    return problems


def placeholder_docs(
    load: Callable[[str], datasets.Dataset], task: str, preflight: Callable[[], None] | None = None
) -> Callable[[datasets.Dataset], datasets.Dataset]:
    """An lmms-eval ``process_docs``: lmms-eval loads a one-row placeholder file, this returns ``load(task)``.

    ``preflight`` runs first: lmms-eval calls ``process_docs`` when it builds the task, before any generation,
    so a missing resource or a judge that cannot work stops the run before the model has spent its hours.
    """

    def docs(_placeholder: datasets.Dataset) -> datasets.Dataset:
        if preflight is not None:
            preflight()
        return load(task)

    return docs
