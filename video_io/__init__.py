"""Shared video frame reader: sampling protocols, seeking decoders, parallel prefetch.

>>> clip = read_frames("clip.mp4", SamplingProtocol.parse("uniform:16"))  # doctest: +SKIP
>>> clip.frames.shape  # doctest: +SKIP
(16, 1296, 1080, 3)
"""

from finemotion_eval.video_io.errors import VideoDecodeError, VideoNotFoundError
from finemotion_eval.video_io.prefetch import prefetch_frames
from finemotion_eval.video_io.reader import Backend, SampledFrames, VideoInfo, probe, read_frames, verify_clip
from finemotion_eval.video_io.sampling import (
    DEFAULT_PROTOCOL,
    FAVOR_OFFICIAL_PROTOCOL,
    PROTOCOL_NAMES,
    SamplingProtocol,
    fps_indices,
    lmms_decord_indices,
    lmms_indices,
    qwen_frame_size,
    qwen_indices,
    qwen_nframes,
    smart_resize,
    starter_kit_indices,
    torch_linspace_rounded,
    uniform_indices,
    vlmeval_fps_indices,
    vlmeval_indices,
)

__all__ = [
    "DEFAULT_PROTOCOL",
    "FAVOR_OFFICIAL_PROTOCOL",
    "PROTOCOL_NAMES",
    "Backend",
    "SampledFrames",
    "SamplingProtocol",
    "VideoDecodeError",
    "VideoInfo",
    "VideoNotFoundError",
    "fps_indices",
    "lmms_decord_indices",
    "lmms_indices",
    "prefetch_frames",
    "probe",
    "qwen_frame_size",
    "qwen_indices",
    "qwen_nframes",
    "read_frames",
    "smart_resize",
    "starter_kit_indices",
    "torch_linspace_rounded",
    "uniform_indices",
    "verify_clip",
    "vlmeval_fps_indices",
    "vlmeval_indices",
]
