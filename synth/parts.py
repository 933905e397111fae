"""The 14 body parts used by the descriptors and how they derive from COCO-17 keypoints.

Part names follow MA-Bench's PPR vocabulary. "Left"/"Right" in a part or keypoint
name is the subject's own side (COCO convention); for a person facing the camera
the subject's left appears on the image's right.
"""
from __future__ import annotations

import numpy as np

KEYPOINT_NAMES: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)
KP = {name: i for i, name in enumerate(KEYPOINT_NAMES)}

PARTS: tuple[str, ...] = (
    "Head", "Torso",
    "Left Hand", "Right Hand", "Left Foot", "Right Foot",
    "Left Upper Arm", "Right Upper Arm", "Left Lower Arm", "Right Lower Arm",
    "Left Upper Leg", "Right Upper Leg", "Left Lower Leg", "Right Lower Leg",
)

# Keypoints each part is built from (hands and feet extrapolate beyond the last joint).
PART_KEYPOINTS: dict[str, tuple[int, ...]] = {
    "Head": (0, 1, 2, 3, 4),
    "Torso": (5, 6, 11, 12),
    "Left Hand": (7, 9), "Right Hand": (8, 10),
    "Left Foot": (13, 15), "Right Foot": (14, 16),
    "Left Upper Arm": (5, 7), "Right Upper Arm": (6, 8),
    "Left Lower Arm": (7, 9), "Right Lower Arm": (8, 10),
    "Left Upper Leg": (11, 13), "Right Upper Leg": (12, 14),
    "Left Lower Leg": (13, 15), "Right Lower Leg": (14, 16),
}

# COCO has no hand or foot keypoints: the palm centre sits this fraction of the
# forearm length beyond the wrist, the foot centre this fraction of the shin beyond the ankle.
HAND_EXTENSION = 0.3
FOOT_EXTENSION = 0.2


def part_positions(keypoints: np.ndarray) -> np.ndarray:
    """(T, 14, 2) part centres in PARTS order from (T, 17, 2) COCO-17 keypoints.

    Head = mean of nose, eyes and ears; Torso = mean of shoulders and hips; limb
    segments = midpoint of their two joints; Hand = wrist + HAND_EXTENSION *
    (wrist - elbow); Foot = ankle + FOOT_EXTENSION * (ankle - knee).
    """
    kp = np.asarray(keypoints, dtype=np.float64)
    if kp.ndim != 3 or kp.shape[1:] != (17, 2):
        raise ValueError(f"expected keypoints of shape (T, 17, 2), got {kp.shape}")
    out = np.empty((kp.shape[0], len(PARTS), 2))
    for i, part in enumerate(PARTS):
        idx = PART_KEYPOINTS[part]
        if part.endswith("Hand"):
            out[:, i] = kp[:, idx[1]] + HAND_EXTENSION * (kp[:, idx[1]] - kp[:, idx[0]])
        elif part.endswith("Foot"):
            out[:, i] = kp[:, idx[1]] + FOOT_EXTENSION * (kp[:, idx[1]] - kp[:, idx[0]])
        else:
            out[:, i] = kp[:, list(idx)].mean(axis=1)
    return out
