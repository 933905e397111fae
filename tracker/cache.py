"""Descriptor records cached per (clip bytes, tracker configuration): a clip is tracked once per machine.

``<cache root>/tracker/<config key>/<clip sha256>.json``, written atomically by the batch writer, so the
cache and ``finemotion track`` outputs are the same records.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from finemotion_eval.prepared import file_sha256
from finemotion_eval.settings import cache_dir
from finemotion_eval.tracker.batch import output_path, track_videos, write_record
from finemotion_eval.tracker.pipeline import Tracker, TrackerConfig


class DescriptorCache:
    """``cache.record(path)``: the clip's record from the cache, else tracked now and stored."""

    def __init__(self, config: TrackerConfig | None = None, root: str | os.PathLike[str] | None = None) -> None:
        self.config = config or TrackerConfig()
        self.folder = Path(root) / self.config.key() if root is not None else cache_dir("tracker", self.config.key())
        self.folder.mkdir(parents=True, exist_ok=True)
        self._tracker: Tracker | None = None
        self.tracked = 0  # clips tracked by this cache object (the rest came from disk)

    def path(self, video: str | os.PathLike[str]) -> Path:
        return self.folder / f"{file_sha256(video)}.json"

    def record(self, video: str | os.PathLike[str]) -> dict:
        path = self.path(video)
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
        if self._tracker is None:  # models load only when some clip is not cached
            self._tracker = Tracker(self.config)
        record = self._tracker(video)
        write_record(path, record)
        self.tracked += 1
        return record

    def prefetch(self, videos: Iterable[str | os.PathLike[str]], workers: int = 1, progress: bool = True) -> dict[str, str]:
        """Track every clip of ``videos`` not cached yet, ``workers`` processes at a time (one progress bar).

        Returns the clips that failed, with the reason; they are not cached, so asking again retries them.
        """
        pending: dict[str, Path] = {}
        for video in videos:
            if not self.path(video).is_file():
                pending.setdefault(os.fspath(video), Path(video))
        if not pending:
            return {}
        with tempfile.TemporaryDirectory(dir=self.folder) as scratch:
            summary = track_videos(list(pending.values()), scratch, self.config, workers=workers, progress=progress)
            for video in pending.values():
                if str(video) not in summary.failed:
                    os.replace(output_path(scratch, video), self.path(video))
                    self.tracked += 1
        return dict(summary.failed)
