"""Point-track stage: where points on the person go from frame to frame.

Backends (``POINT_TRACKERS``): ``lk`` (OpenCV pyramidal Lucas-Kanade on a grid inside the person mask, with a
forward-backward check; no weights), ``none`` (no tracks: the skeleton alone describes the motion, e.g. the
renderer's exact keypoints) and ``cotracker`` (CoTracker3 through torch hub: CC BY-NC 4.0 weights, so an
optional install the user chooses; weights from their hub cache or a local checkpoint).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np


@dataclass
class Tracks:
    """``points[t, n]``: track n at frame t in pixels; ``valid[t, n]``: whether it is still followed there."""

    points: np.ndarray  # (T, N, 2) float32
    valid: np.ndarray  # (T, N) bool


class PointTracker(Protocol):
    name: str

    def track(self, frames: np.ndarray, seeds: np.ndarray) -> Tracks:
        """Follow ``seeds`` ((N, 2) pixels on frame 0) through ``frames``."""
        ...


def grid_seeds(mask: np.ndarray, step: float) -> np.ndarray:
    """(N, 2) x, y points of a regular grid of spacing ``step`` pixels that fall inside ``mask``."""
    height, width = mask.shape
    ys, xs = np.mgrid[step / 2:height:step, step / 2:width:step]
    points = np.stack([xs.ravel(), ys.ravel()], axis=1)
    inside = mask[points[:, 1].astype(int), points[:, 0].astype(int)]
    return points[inside].astype(np.float32)


class LucasKanade:
    """Pyramidal Lucas-Kanade, frame to frame; a point is dropped for good once it fails or its backward
    track misses its start by more than ``max_fb_error`` pixels (occlusion, texture-less drift)."""

    name = "lk"

    def __init__(self, window: int = 15, levels: int = 3, max_fb_error: float = 1.0) -> None:
        self.params = dict(winSize=(window, window), maxLevel=levels,
                           criteria=(cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03))
        self.max_fb_error = max_fb_error

    def track(self, frames: np.ndarray, seeds: np.ndarray) -> Tracks:
        grey = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames]
        n = len(seeds)
        points = np.zeros((len(frames), n, 2), np.float32)
        valid = np.zeros((len(frames), n), bool)
        points[0], valid[0] = seeds, True
        for t in range(1, len(frames)):
            alive = np.flatnonzero(valid[t - 1])
            points[t] = points[t - 1]
            if alive.size == 0:
                continue
            prev = points[t - 1, alive].reshape(-1, 1, 2)
            nxt, ok, _ = cv2.calcOpticalFlowPyrLK(grey[t - 1], grey[t], prev, None, **self.params)
            back, ok_back, _ = cv2.calcOpticalFlowPyrLK(grey[t], grey[t - 1], nxt, None, **self.params)
            fb = np.linalg.norm((back - prev).reshape(-1, 2), axis=1)
            good = ok.ravel().astype(bool) & ok_back.ravel().astype(bool) & (fb < self.max_fb_error)
            points[t, alive] = nxt.reshape(-1, 2)
            valid[t, alive] = good
        return Tracks(points, valid)


class CoTracker3:
    """CoTracker3 (offline model) through torch hub; ``checkpoint`` a local weights file, else the hub's."""

    name = "cotracker"

    def __init__(self, checkpoint: str | None = None, device: str | None = None) -> None:
        import torch

        self.torch = torch
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            self.model = torch.hub.load("facebookresearch/co-tracker", "cotracker3_offline",
                                        **({"pretrained": False} if checkpoint else {}))
        except Exception as err:  # hub offline, repository moved: say which backend and how to get it
            raise RuntimeError(f"CoTracker3 could not be loaded from torch hub ({err}); it is an optional backend "
                               "(CC BY-NC 4.0 weights): use points=lk, or pass a local checkpoint") from err
        if checkpoint:
            self.model.model.load_state_dict(torch.load(checkpoint, map_location="cpu", weights_only=True))
        self.model = self.model.to(self.device).eval()

    def track(self, frames: np.ndarray, seeds: np.ndarray) -> Tracks:
        torch = self.torch
        video = torch.from_numpy(frames).permute(0, 3, 1, 2)[None].float().to(self.device)
        queries = torch.from_numpy(np.concatenate([np.zeros((len(seeds), 1), np.float32), seeds], 1))[None].to(self.device)
        with torch.no_grad():
            tracks, visible = self.model(video, queries=queries)
        return Tracks(tracks[0].cpu().numpy().astype(np.float32), visible[0].cpu().numpy().astype(bool))


class NoTracks:
    """No point tracks: every seed stays unfollowed, so fusion passes the skeleton's keypoints through unchanged."""

    name = "none"

    def track(self, frames: np.ndarray, seeds: np.ndarray) -> Tracks:
        points = np.repeat(seeds[None].astype(np.float32), len(frames), axis=0)
        return Tracks(points, np.zeros(points.shape[:2], bool))


POINT_TRACKERS: dict[str, type] = {cls.name: cls for cls in (LucasKanade, NoTracks, CoTracker3)}
