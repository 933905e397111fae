"""The frames an adapter shows a model: decoded ahead in worker processes, resized to the protocol's size,
encoded for an HTTP request, and described for the sample's provenance."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
from PIL import Image

from finemotion_eval.video_io import SampledFrames, SamplingProtocol, prefetch_frames, read_frames

__all__ = ["decode_ahead", "frame_provenance", "jpeg_data_urls", "resized", "video_data_url"]

Q = TypeVar("Q")


def decode_ahead(
    items: Sequence[tuple[Q, str, SamplingProtocol]], workers: int | None = None
) -> Iterator[tuple[Q, SampledFrames | Exception]]:
    """``(item, frames)`` for every ``(item, clip path, protocol)``, decoded in parallel, one pool per protocol.

    Each clip is decoded once per protocol however many items ask for it (MA-Bench asks six closed questions
    of every clip); its items come out together, sharing the frames, which they must not modify.
    ``workers=0`` decodes each clip in this process when it is reached (no decoding ahead); None uses every
    core. A clip that fails to decode yields its exception in place of frames: it fails its items, not the run.
    """
    by_protocol: dict[SamplingProtocol, dict[str, list[Q]]] = {}
    for item, path, protocol in items:
        by_protocol.setdefault(protocol, {}).setdefault(path, []).append(item)
    for protocol, clips in by_protocol.items():
        if workers == 0:
            decoded: Iterable[tuple[str, SampledFrames | Exception]] = (
                (path, _read_or_error(path, protocol)) for path in clips)
        else:
            decoded = prefetch_frames(clips, protocol, workers=workers)
        for path, frames in decoded:
            for item in clips[path]:
                yield item, frames


def _read_or_error(path: str, protocol: SamplingProtocol) -> SampledFrames | Exception:
    try:
        return read_frames(path, protocol)
    except Exception as err:  # noqa: BLE001 - as the pool does: the failure goes to the item, not the run
        return err


def resized(frames: np.ndarray, size: tuple[int, int], resample: int = Image.BICUBIC) -> np.ndarray:
    """``frames`` (N, H, W, 3) resized to ``size`` = (height, width) with a PIL filter (bicubic); as is when equal."""
    height, width = size
    if frames.shape[1:3] == (height, width):
        return frames
    return np.stack([np.asarray(Image.fromarray(frame).resize((width, height), resample)) for frame in frames])


def jpeg_data_urls(frames: Iterable[np.ndarray], quality: int) -> list[str]:
    """One ``data:image/jpeg;base64,...`` URL per RGB frame."""
    urls = []
    for frame in frames:
        buffer = io.BytesIO()
        Image.fromarray(frame).save(buffer, format="JPEG", quality=quality)
        urls.append("data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"))
    return urls


def video_data_url(path: str) -> str:
    """The clip file itself as a ``data:video/...;base64`` URL, for servers that decode video themselves."""
    subtype = "webm" if path.lower().endswith(".webm") else "mp4"
    with open(path, "rb") as handle:
        return f"data:video/{subtype};base64," + base64.b64encode(handle.read()).decode("ascii")


def frame_provenance(clip: SampledFrames, protocol: SamplingProtocol, sent_size: tuple[int, int]) -> dict[str, Any]:
    """Which frames of which clip were shown, at what size, decoded by what (sizes as [width, height])."""
    return {
        "video": clip.info.path,
        "protocol": str(protocol),
        "indices": list(clip.indices),
        "timestamps": [round(t, 6) for t in clip.timestamps],
        "decoded_size": [clip.info.width, clip.info.height],
        "sent_size": [sent_size[1], sent_size[0]],
        "decoder": clip.backend,
    }
