"""Shared video frame reader: sampling protocols, seeking decoders, parallel prefetch.

>>> clip = read_frames("clip.mp4", SamplingProtocol.parse("uniform:16"))  # doctest: +SKIP
>>> clip.frames.shape  # doctest: +SKIP
(16, 1296, 1080, 3)
"""

from finemotion_eval.video_io.errors import VideoDecodeError, VideoNotFoundError
from finemotion_eval.video_io.prefetch import prefetch_frames
from finemotion_eval.video_io.reader import Backend, SampledFrames, VideoInfo, probe, read_frames, verify_clip
from finemotion_eval.video_io.sampling import (
    SamplingProtocol,
    fps_indices,
    starter_kit_indices,
    uniform_indices,
)

__all__ = [
    "Backend",
    "SampledFrames",
    "SamplingProtocol",
    "VideoDecodeError",
    "VideoInfo",
    "VideoNotFoundError",
    "fps_indices",
    "prefetch_frames",
    "probe",
    "read_frames",
    "starter_kit_indices",
    "uniform_indices",
    "verify_clip",
]
