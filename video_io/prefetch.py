"""Decode clips ahead of the consumer in worker processes."""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.context import BaseContext

import numpy as np

from finemotion_eval.video_io.reader import Backend, SampledFrames, read_frames
from finemotion_eval.video_io.sampling import DEFAULT_PROTOCOL, SamplingProtocol

# Below this much free space /dev/shm is not used: Docker's default is 64 MB,
# which a few clips in flight (34 MB per eight 1080x1296 frames) would fill.
_MIN_FREE_SHM = 1 << 30


def prefetch_frames(
    paths: Iterable[str],
    protocol: SamplingProtocol = DEFAULT_PROTOCOL,
    workers: int | None = None,
    ahead: int = 4,
    backend: Backend = "auto",
) -> Iterator[tuple[str, SampledFrames | Exception]]:
    """Yield ``(path, frames)`` for every path, in input order, decoded in parallel.

    A clip that fails yields ``(path, exception)`` instead of raising, so one
    bad file neither stops the run nor hides how many failed; callers check
    ``isinstance(result, Exception)``. At most ``ahead`` clips per worker are
    in flight, which bounds memory when the consumer is slower than the
    decoders. ``workers`` defaults to ``os.cpu_count()``; each decodes with one
    thread, so N workers keep N cores busy.

    Workers never fork the caller, which may run threads (torch, CUDA): they
    come from a fork server that has imported this package (spawned where
    there is none), so create one prefetch for a whole dataset rather than
    one per batch. As with any such pool, scripts must call this under
    ``if __name__ == "__main__":``. Frames travel through memory-mapped
    scratch files, not the pool's result pipe, which would cost more than
    decoding them.
    """
    if ahead < 1:
        raise ValueError(f"ahead must be >= 1, got {ahead}")
    workers = workers or os.cpu_count() or 1
    pending: deque[tuple[str, str, Future[SampledFrames]]] = deque()
    with tempfile.TemporaryDirectory(prefix="video_io_", dir=_scratch_root(), ignore_cleanup_errors=True) as scratch:
        pool = ProcessPoolExecutor(workers, mp_context=_worker_context())
        try:
            for n, path in enumerate(paths):
                frames_file = os.path.join(scratch, f"{n}.npy")
                future = pool.submit(_read_to_file, path, protocol, backend, frames_file)
                pending.append((path, frames_file, future))
                if len(pending) >= workers * ahead:
                    yield _collect(*pending.popleft())
            while pending:
                yield _collect(*pending.popleft())
        finally:
            # Also when the consumer stops early: drop the queued clips. The
            # scratch folder then takes the files of clips never collected.
            pool.shutdown(wait=True, cancel_futures=True)


def _worker_context() -> BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Takes effect when the fork server starts (it replaces any preload list
    # set before, and does nothing once the server runs): its children then
    # begin with numpy and PyAV imported, in milliseconds instead of ~0.3 s.
    context.set_forkserver_preload(["video_io.reader"])
    return context


def _scratch_root() -> str | None:
    """/dev/shm (RAM) when it has room, else the default temporary folder."""
    roomy = os.path.isdir("/dev/shm") and shutil.disk_usage("/dev/shm").free >= _MIN_FREE_SHM
    return "/dev/shm" if roomy else None


def _read_to_file(path: str, protocol: SamplingProtocol, backend: Backend, frames_file: str) -> SampledFrames:
    """Worker side: decode one clip single-threaded straight into a memory-mapped file."""
    clip = read_frames(
        path,
        protocol,
        backend,
        threads=1,
        out=lambda shape: np.lib.format.open_memmap(frames_file, mode="w+", dtype=np.uint8, shape=shape),
    )
    # The pixels stay in the file; the pickled result carries an empty stand-in.
    return dataclasses.replace(clip, frames=np.empty((0, *clip.frames.shape[1:]), np.uint8))


def _collect(path: str, frames_file: str, future: Future[SampledFrames]) -> tuple[str, SampledFrames | Exception]:
    """Consumer side: wait for one clip and map its frames without copying them."""
    error = future.exception()
    if isinstance(error, Exception):
        return path, error
    frames = np.asarray(np.load(frames_file, mmap_mode="r+"))
    # POSIX keeps the mapping after the name is gone, so the memory is freed
    # with the array. Windows refuses; the scratch folder cleanup retries.
    with contextlib.suppress(PermissionError):
        os.remove(frames_file)
    return path, dataclasses.replace(future.result(), frames=frames)
