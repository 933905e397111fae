"""Where the user's benchmark data live.

Resolution order for every setting: environment variable, then the user config file, then a clear error.
The config file is JSON at ``$FINEMOTION_CONFIG`` or ``~/.config/finemotion/config.json``; ``finemotion
mabench prepare`` records the folder it writes there, so a later ``lmms-eval`` run needs no variable.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

MABENCH_DIR_ENV = "FINEMOTION_MABENCH_DIR"
MABENCH_VIDEOS_ENV = "FINEMOTION_MABENCH_VIDEOS"
CONFIG_ENV = "FINEMOTION_CONFIG"
MABENCH_HUB_REPO = "kunli-cs/MA-Bench"


class DataNotConfiguredError(RuntimeError):
    """A benchmark's data location is unknown or does not exist."""


def config_path() -> Path:
    return Path(os.environ.get(CONFIG_ENV) or Path.home() / ".config" / "finemotion" / "config.json")


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


def mabench_dir() -> Path:
    """The prepared MA-Bench folder (written by ``finemotion mabench prepare``)."""
    configured = os.environ.get(MABENCH_DIR_ENV) or read_config().get("mabench_dir")
    if not configured:
        raise DataNotConfiguredError(
            "MA-Bench data are not set up. Run\n"
            "  finemotion mabench prepare --questions mabench_data.json --videos VIDEO_DIR --out DATA_DIR\n"
            f"(it records DATA_DIR in {config_path()}), or set {MABENCH_DIR_ENV}=DATA_DIR."
        )
    path = Path(configured).expanduser()
    if not path.is_dir():
        raise DataNotConfiguredError(
            f"MA-Bench folder {path} (from {MABENCH_DIR_ENV} or {config_path()}) does not exist. "
            "Re-run `finemotion mabench prepare` or fix the setting."
        )
    return path


def read_video_override() -> Path | None:
    """A video folder that overrides the one recorded at prepare time, if the user set one."""
    configured = os.environ.get(MABENCH_VIDEOS_ENV)
    return mabench_video_dir(configured) if configured else None


def hub_snapshot_dirs(repo_id: str) -> list[Path]:
    """Snapshot folders of a hub dataset already in the local Hugging Face cache (newest first)."""
    hub_cache = os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface")) / "hub"
    snapshots = Path(hub_cache) / f"datasets--{repo_id.replace('/', '--')}" / "snapshots"
    if not snapshots.is_dir():
        return []
    return sorted((p for p in snapshots.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)


def mabench_video_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The folder holding MA-Bench's ``<video_name>.mp4`` files.

    Order: the explicit argument (CLI ``--videos``), ``$FINEMOTION_MABENCH_VIDEOS``, then a ``videos/``
    folder in a cached snapshot of the hub dataset ``kunli-cs/MA-Bench``.
    """
    configured = explicit or os.environ.get(MABENCH_VIDEOS_ENV)
    if configured:
        path = Path(configured).expanduser()
        if not path.is_dir():
            raise DataNotConfiguredError(f"MA-Bench video folder {path} does not exist.")
        return path
    for snapshot in hub_snapshot_dirs(MABENCH_HUB_REPO):
        if (snapshot / "videos").is_dir():
            return snapshot / "videos"
    raise DataNotConfiguredError(
        "MA-Bench video folder unknown: pass --videos DIR, set "
        f"{MABENCH_VIDEOS_ENV}=DIR, or download {MABENCH_HUB_REPO} into the Hugging Face cache."
    )
