"""Person-mask stage: which pixels belong to the person, at the frames where point tracks start.

Backends (``MASKS``): ``mediapipe`` (selfie segmentation, model shipped in the mediapipe wheel; the
``tracker`` extra), ``background`` (difference to the clip's median frame: a static camera, no model), and
``yolo`` (YOLOv8-seg through ultralytics, AGPL-3.0 licensed, so an optional install the user chooses; its
weights come from the user or ultralytics' download).
"""

from __future__ import annotations

from typing import Protocol, Sequence

import cv2
import numpy as np


class MaskBackend(Protocol):
    name: str

    def masks(self, frames: np.ndarray, at: Sequence[int]) -> np.ndarray:
        """(len(at), H, W) bool person masks of frames ``at``."""
        ...


class SelfieSegmentation:
    """mediapipe selfie segmentation; a pixel is the person where its probability exceeds ``threshold``."""

    name = "mediapipe"

    def __init__(self, threshold: float = 0.5, model_selection: int = 0) -> None:
        import mediapipe  # noqa: F401  (a missing extra fails before any clip)

        self.threshold = threshold
        self.model_selection = model_selection

    def masks(self, frames: np.ndarray, at: Sequence[int]) -> np.ndarray:
        import mediapipe as mp

        with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=self.model_selection) as seg:
            return np.stack([seg.process(frames[i]).segmentation_mask > self.threshold for i in at])


class BackgroundDifference:
    """Static camera: pixels that differ from the clip's median frame by more than ``threshold`` grey levels at
    any analysed frame; the union over the clip, dilated, so a person who moves little is still covered."""

    name = "background"

    def __init__(self, threshold: float = 12.0, dilate_fraction: float = 0.03) -> None:
        self.threshold = threshold
        self.dilate_fraction = dilate_fraction

    def masks(self, frames: np.ndarray, at: Sequence[int]) -> np.ndarray:
        grey = frames.astype(np.float32).mean(axis=3)
        background = np.median(grey, axis=0)
        union = (np.abs(grey - background) > self.threshold).any(axis=0).astype(np.uint8)
        radius = max(1, round(self.dilate_fraction * max(grey.shape[1:])))
        union = cv2.dilate(union, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1)))
        return np.repeat(union[None].astype(bool), len(at), axis=0)


class YoloSegmentation:
    """YOLOv8-seg person masks through ultralytics (``pip install ultralytics``, AGPL-3.0; weights ``model``)."""

    name = "yolo"

    def __init__(self, model: str = "yolov8x-seg.pt", confidence: float = 0.25) -> None:
        try:
            from ultralytics import YOLO
        except ImportError as err:
            raise ImportError("the yolo mask needs ultralytics (AGPL-3.0): pip install ultralytics") from err
        self.model = YOLO(model)
        self.confidence = confidence

    def masks(self, frames: np.ndarray, at: Sequence[int]) -> np.ndarray:
        height, width = frames.shape[1:3]
        out = np.zeros((len(at), height, width), dtype=bool)
        for k, i in enumerate(at):
            result = self.model(frames[i][..., ::-1], classes=[0], conf=self.confidence, verbose=False)[0]
            if result.masks is None:
                continue
            areas = result.masks.data.sum(axis=(1, 2))
            largest = result.masks.data[int(areas.argmax())].cpu().numpy()
            out[k] = cv2.resize(largest, (width, height), interpolation=cv2.INTER_NEAREST) > 0.5
        return out


MASKS: dict[str, type] = {cls.name: cls for cls in (SelfieSegmentation, BackgroundDifference, YoloSegmentation)}
