"""Fusion: point tracks assigned to the skeleton's keypoints, then keypoint trajectories for the descriptors.

Each COCO-17 keypoint gets the tracks that start in its region (the hand around the wrist, the foot around
the ankle, a disc around the others). Its fused trajectory is a complementary filter: motion slower than
``BLEND_SECONDS`` comes from the skeleton, faster motion from the median step of its tracks. Tracks are
precise from frame to frame and see what keypoints miss (fingers moving the palm's points, a head turning a
few pixels), but they drift and stick (a hand leaving the thigh it rested on takes no thigh points with it);
the skeleton jitters from frame to frame but does not drift. Parts are then derived from the fused
keypoints exactly as from the renderer's (``synth.parts.part_positions``), so a hand still moves more than
its forearm when it leads the motion.
"""

from __future__ import annotations

import numpy as np

from finemotion_eval.synth.descriptors import smooth
from finemotion_eval.synth.parts import FOOT_EXTENSION, HAND_EXTENSION, KEYPOINT_NAMES, KP
from finemotion_eval.tracker.points import Tracks

# Region radius (body heights) of each keypoint's tracks; hands and feet are discs around the palm and foot
# centre (the parts' own definition), which also holds the wrist or ankle.
KEYPOINT_RADIUS_BH = 0.035
HAND_RADIUS_BH = 0.06
FOOT_RADIUS_BH = 0.05
# Fewer followed tracks than this across a step: that step of the keypoint comes from the skeleton.
MIN_TRACKS = 3
# Complementary filter window (s); see the module docstring. Longer windows (1-2 s) hand mediapipe's slow
# wander to the tracks but let track drift and sticking in, and blurred the small head motions of real MA-52
# clips (nodding read as sideways); 0.5 s kept those and MA-Synth within a few points of the best.
BLEND_SECONDS = 0.5


def keypoint_regions(keypoints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(17, 2) region centres and (17,) radii in the keypoints' unit times body height 1 (scale by bh)."""
    centres = keypoints.copy()
    radii = np.full(len(KEYPOINT_NAMES), KEYPOINT_RADIUS_BH)
    for side in ("left", "right"):
        wrist, elbow = KP[f"{side}_wrist"], KP[f"{side}_elbow"]
        ankle, knee = KP[f"{side}_ankle"], KP[f"{side}_knee"]
        centres[wrist] = keypoints[wrist] + HAND_EXTENSION * (keypoints[wrist] - keypoints[elbow])
        centres[ankle] = keypoints[ankle] + FOOT_EXTENSION * (keypoints[ankle] - keypoints[knee])
        radii[wrist], radii[ankle] = HAND_RADIUS_BH, FOOT_RADIUS_BH
    return centres, radii


def assign_tracks(seeds: np.ndarray, keypoints: np.ndarray, bh: float) -> np.ndarray:
    """(N,) keypoint index of each seed on the first frame (the nearest region holding it), -1 for none."""
    if len(seeds) == 0:
        return np.zeros(0, dtype=int)
    centres, radii = keypoint_regions(keypoints)
    d = np.linalg.norm(seeds[:, None, :].astype(np.float64) - centres[None], axis=2) / bh
    slack = d - radii[None]
    nearest = slack.argmin(axis=1)
    return np.where(slack[np.arange(len(seeds)), nearest] <= 0, nearest, -1)


def fuse_keypoints(keypoints: np.ndarray, tracks: Tracks, assignment: np.ndarray,
                   fps: float) -> tuple[np.ndarray, np.ndarray]:
    """(T, 17, 2) fused keypoints in pixels, and (17,) the share of steps each keypoint took from its tracks."""
    n_frames = len(keypoints)
    steps = np.diff(keypoints, axis=0)
    from_tracks = np.zeros(len(KEYPOINT_NAMES))
    followed = tracks.valid[1:] & tracks.valid[:-1]
    moves = np.diff(tracks.points.astype(np.float64), axis=0)
    for k in range(len(KEYPOINT_NAMES)):
        own = assignment == k
        if own.sum() < MIN_TRACKS:
            continue
        for t in range(n_frames - 1):
            ok = own & followed[t]
            if ok.sum() >= MIN_TRACKS:
                steps[t, k] = np.median(moves[t, ok], axis=0)
                from_tracks[k] += 1
    if not from_tracks.any():  # nothing followed: the skeleton as it is (the filter would only add rounding)
        return keypoints.copy(), from_tracks
    path = np.concatenate([np.zeros((1, len(KEYPOINT_NAMES), 2)), np.cumsum(steps, axis=0)])
    window = max(1, int(round(BLEND_SECONDS * fps)) | 1)
    fused = smooth(keypoints, window) + path - smooth(path, window)
    return fused, from_tracks / max(n_frames - 1, 1)
