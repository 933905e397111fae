"""decord backend: ``VideoReader.get_batch``, which seeks and decodes natively.

decord numbers frames by presentation timestamp, which AVI and MPEG-TS files
with B-frames do not carry reliably; ``read_frames(backend="auto")`` therefore
only picks decord for MP4/MOV/Matroska/WebM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import decord
import numpy as np

from finemotion_eval.video_io.errors import VideoDecodeError

BACKEND = "decord"


def decode(
    path: str, indices: Sequence[int], threads: int, out: Callable[[tuple[int, ...]], np.ndarray] | None
) -> tuple[np.ndarray, list[int]]:
    """RGB frames at ``indices``, in an array from ``out(shape)`` if given, and the indices actually read.

    Indices past decord's frame count (built from the packets, not the
    container header) are clamped to the last frame.
    """
    try:
        reader = decord.VideoReader(path, ctx=decord.cpu(0), num_threads=threads)
        if count := len(reader):
            actual = [min(i, count - 1) for i in indices]
            batch = reader.get_batch(actual).asnumpy()
            if out is None:
                return batch, actual
            frames = out(batch.shape)
            frames[...] = batch
            return frames, actual
    # decord raises DECORDError, or a bare RuntimeError when it cannot open a file.
    except (decord.DECORDError, RuntimeError) as err:
        raise VideoDecodeError(path, BACKEND, str(err)) from err
    raise VideoDecodeError(path, BACKEND, "no frames")
