"""Where the user's benchmark data live.

Every setting resolves in the same order: an explicit argument, an environment variable, the user config
file, a cached hub snapshot where one exists, then a clear error. The config file is JSON at
``$FINEMOTION_CONFIG`` or ``$XDG_CONFIG_HOME/finemotion/config.json`` (``~/.config/...``); ``finemotion <benchmark> prepare`` records
the folder it writes there, so a later ``lmms-eval`` run needs no variable.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from finemotion_eval.settings import env

CONFIG_ENV = "FINEMOTION_CONFIG"


@dataclass(frozen=True)
class Benchmark:
    """How one benchmark's data are located."""

    name: str  # also the config-file key prefix and the CLI subcommand
    hub_repo: str  # where the official release lives (or will) on the Hugging Face hub
    hub_video_folder: str  # folder of the clips inside a snapshot of that repo

    @property
    def dir_env(self) -> str:
        return f"FINEMOTION_{self.name.upper()}_DIR"

    @property
    def videos_env(self) -> str:
        return f"FINEMOTION_{self.name.upper()}_VIDEOS"


MABENCH = Benchmark("mabench", "kunli-cs/MA-Bench", "videos")
FAVOR = Benchmark("favor", "zl2048/FAVOR", "videos/FAVOR-Bench")


class DataNotConfiguredError(RuntimeError):
    """A benchmark's data location is unknown or does not exist."""


class VideoMissingError(FileNotFoundError):
    """A question's clip is not on disk: evaluating it without the video would be silently wrong."""


def config_path() -> Path:
    configured = env(CONFIG_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "finemotion" / "config.json"


def read_config() -> dict:
    path = config_path()
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DataNotConfiguredError(f"finemotion config file {path} is not valid JSON: {err}") from err


def update_config(**values: str) -> Path:
    """Merge ``values`` into the config file, written atomically so a crash never leaves half a file."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    merged = {**read_config(), **values}
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp", encoding="utf-8") as tmp:
        json.dump(merged, tmp, indent=2, sort_keys=True)
    os.replace(tmp.name, path)
    return path


def record_data_dir(benchmark: Benchmark, folder: Path) -> Path:
    """Make ``folder`` the default prepared folder of ``benchmark``; returns the config file."""
    return update_config(**{f"{benchmark.name}_dir": str(folder.resolve())})


def data_dir(benchmark: Benchmark) -> Path:
    """The prepared folder of ``benchmark`` (written by ``finemotion <benchmark> prepare``)."""
    configured = env(benchmark.dir_env) or read_config().get(f"{benchmark.name}_dir")
    if not configured:
        raise DataNotConfiguredError(
            f"{benchmark.name} data are not set up. Run\n"
            f"  finemotion {benchmark.name} prepare --questions QUESTIONS.json --videos VIDEO_DIR --out DATA_DIR\n"
            f"(it records DATA_DIR in {config_path()}), or set {benchmark.dir_env}=DATA_DIR."
        )
    path = Path(configured).expanduser()
    if not path.is_dir():
        raise DataNotConfiguredError(
            f"{benchmark.name} folder {path} (from {benchmark.dir_env} or {config_path()}) does not exist. "
            f"Re-run `finemotion {benchmark.name} prepare` or fix the setting."
        )
    return path


def hub_snapshot_dirs(repo_id: str) -> list[Path]:
    """Snapshot folders of a hub dataset already in the local Hugging Face cache (newest first)."""
    hf_home = Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface"))
    snapshots = Path(os.environ.get("HF_HUB_CACHE") or hf_home / "hub") / f"datasets--{repo_id.replace('/', '--')}" / "snapshots"
    if not snapshots.is_dir():
        return []
    return sorted((p for p in snapshots.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)


def video_dir(benchmark: Benchmark, explicit: str | os.PathLike | None = None) -> Path:
    """The folder of ``<video_name>.mp4`` clips: the argument (CLI ``--videos``), the environment variable,
    then the clip folder of a cached snapshot of the benchmark's hub dataset."""
    configured = explicit or env(benchmark.videos_env)
    if configured:
        path = Path(configured).expanduser()
        if not path.is_dir():
            raise DataNotConfiguredError(f"{benchmark.name} video folder {path} does not exist.")
        return path
    for snapshot in hub_snapshot_dirs(benchmark.hub_repo):
        if (snapshot / benchmark.hub_video_folder).is_dir():
            return snapshot / benchmark.hub_video_folder
    raise DataNotConfiguredError(
        f"{benchmark.name} video folder unknown: pass --videos DIR, set {benchmark.videos_env}=DIR, "
        f"or download {benchmark.hub_repo} into the Hugging Face cache."
    )


def video_override(benchmark: Benchmark) -> Path | None:
    """A video folder that overrides the one recorded at prepare time, if the user set one."""
    configured = env(benchmark.videos_env)
    return video_dir(benchmark, configured) if configured else None


def existing_video(path: str, benchmark: Benchmark, question_id: str) -> str:
    """``path`` if the clip is there, else a :class:`VideoMissingError` that says how to point at the clips."""
    if not Path(path).is_file():
        raise VideoMissingError(
            f"{benchmark.name} clip {path} (question {question_id}) not found. Point the tasks at your video "
            f"folder with `finemotion {benchmark.name} prepare --videos DIR ...` or {benchmark.videos_env}=DIR."
        )
    return path
