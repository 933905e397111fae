"""Errors raised by the video reader.

Both keep their constructor arguments in ``args`` so they pickle, which lets
:func:`video_io.prefetch_frames` hand them back from worker processes.
"""

from __future__ import annotations

import errno


class VideoNotFoundError(FileNotFoundError):
    """The video file does not exist; ``filename`` holds the path."""

    @classmethod
    def for_path(cls, path: str) -> VideoNotFoundError:
        """The error for a missing ``path``, with a proper errno."""
        return cls(errno.ENOENT, "video file not found", path)


class VideoDecodeError(RuntimeError):
    """The file exists but the backend could not decode the frames asked for."""

    def __init__(self, path: str, backend: str, reason: str) -> None:
        super().__init__(path, backend, reason)
        self.path = path
        self.backend = backend
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.backend} cannot decode {self.path!r}: {self.reason}"
