"""Procedural 2D rendering of a seated subject performing a micro-action, written as H.264 mp4.

Everything is drawn with numpy/OpenCV from seeded random streams and encoded
single-threaded, so one (label, subject, seed, size, fps) gives byte-identical files.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator

import av
import cv2
import numpy as np

from finemotion_eval.mabench_tasks.taxonomy import FINE_TO_COARSE
from finemotion_eval.synth.actions import Controls, build_controls, pose_keypoints
from finemotion_eval.synth.descriptors import SCHEMA_VERSION, ClipDescriptor, describe_motion
from finemotion_eval.synth.parts import FOOT_EXTENSION, HAND_EXTENSION
from finemotion_eval.synth.subject import Subject

DEFAULT_SIZE = (320, 384)  # (W, H), portrait
DEFAULT_FPS = 30.0
DURATION_RANGE_S = (2.0, 4.0)
# Sub-pixel drawing precision for OpenCV (coordinates are scaled by 2**SHIFT).
SHIFT = 4
# Head-to-feet extent of the seated model in body units; maps the body to subject.scale of the frame.
BODY_EXTENT = 0.92
CRF = "20"


@dataclass
class ClipTruth:
    """Exact ground truth of one rendered clip; keypoints are pixel coordinates."""

    label: str
    coarse_label: str
    side: str | None  # the acting side for one-sided actions, subject's own left/right
    seed: int
    subject: Subject
    fps: float
    size: tuple[int, int]
    keypoints: np.ndarray  # (T, 17, 2)
    descriptor: ClipDescriptor
    video_path: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict (keypoints as nested lists)."""
        return {
            "schema_version": SCHEMA_VERSION, "label": self.label, "coarse_label": self.coarse_label,
            "side": self.side, "seed": self.seed, "subject": asdict(self.subject), "fps": self.fps,
            "size": list(self.size), "keypoints": self.keypoints.tolist(),
            "descriptor": self.descriptor.to_dict(), "video_path": self.video_path,
        }


def write_truth(truth: ClipTruth, path_json: str | Path) -> Path:
    """Write ``truth`` as JSON; returns the path."""
    path = Path(path_json)
    path.write_text(json.dumps(truth.to_dict()))
    return path


@dataclass(frozen=True)
class Camera:
    """Body-unit to pixel mapping: pixel = origin + scale * point (+ per-frame jitter)."""

    origin: np.ndarray
    scale: float

    def px(self, p: np.ndarray) -> np.ndarray:
        return self.origin + self.scale * np.asarray(p)


def make_camera(s: Subject, size: tuple[int, int]) -> Camera:
    """Place the seated body so it spans ``s.scale`` of the frame height."""
    w, h = size
    k = s.scale * h / BODY_EXTENT
    top = 0.5 * (h - s.scale * h)
    # Head top sits about 0.5 body units above the pelvis.
    return Camera(origin=np.array([w * (0.5 + s.x_offset), top + 0.5 * k]), scale=k)


def camera_jitter(rng: np.random.Generator, n: int, fps: float, h: int) -> np.ndarray:
    """(T, 2) smooth hand-held drift in px; slow so it never looks like part motion."""
    t = np.arange(n) / fps
    out = np.zeros((n, 2))
    for axis in range(2):
        for _ in range(2):
            out[:, axis] += 0.003 * h * np.sin(2 * np.pi * rng.uniform(0.1, 0.35) * t + rng.uniform(0, 2 * np.pi))
    return out


def background(s: Subject, size: tuple[int, int], floor_y: float, rng: np.random.Generator) -> np.ndarray:
    """Static float32 background: wall gradient with blotchy texture, and a darker floor."""
    w, h = size
    top, bottom = np.array(s.background[0], np.float32), np.array(s.background[1], np.float32)
    g = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    img = np.broadcast_to(top + (bottom - top) * g, (h, w, 3)).copy()
    blot = cv2.resize(rng.normal(0, 12, (8, 8, 1)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    img += blot[..., None] if blot.ndim == 2 else blot
    img[int(min(max(floor_y, 0), h)):] *= 0.7
    return img


def light_field(s: Subject, size: tuple[int, int]) -> np.ndarray:
    """(H, W, 1) multiplicative lighting gradient."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = ((xx / w - 0.5) * np.cos(s.light_angle) + (yy / h - 0.5) * np.sin(s.light_angle))
    return (1.0 + s.light_strength * ramp)[..., None]


def _pt(p: np.ndarray) -> tuple[int, int]:
    q = np.round(np.asarray(p) * (1 << SHIFT)).astype(int)
    return int(q[0]), int(q[1])


def _line(img: np.ndarray, a: np.ndarray, b: np.ndarray, colour: tuple, width: float) -> None:
    cv2.line(img, _pt(a), _pt(b), colour, max(int(round(width)), 1), cv2.LINE_AA, SHIFT)


def _disc(img: np.ndarray, c: np.ndarray, r: float, colour: tuple) -> None:
    cv2.circle(img, _pt(c), max(int(round(r * (1 << SHIFT))), 1), colour, -1, cv2.LINE_AA, SHIFT)


def _ellipse(img: np.ndarray, c: np.ndarray, axes: tuple[float, float], angle: float, colour: tuple) -> None:
    ax = (max(int(round(axes[0] * (1 << SHIFT))), 1), max(int(round(axes[1] * (1 << SHIFT))), 1))
    cv2.ellipse(img, _pt(c), ax, angle, 0, 360, colour, -1, cv2.LINE_AA, SHIFT)


def draw_chair(img: np.ndarray, s: Subject, cam: Camera, shift: np.ndarray) -> None:
    """Backrest behind the torso, seat and legs; static in body units."""
    col = s.chair
    back = [(-s.shoulder_half * 1.15, -s.torso * 0.85), (s.shoulder_half * 1.15, -s.torso * 0.85),
            (s.shoulder_half * 1.15, 0.0), (-s.shoulder_half * 1.15, 0.0)]
    poly = np.array([_pt(cam.px(p) + shift) for p in back], np.int32)
    cv2.fillPoly(img, [poly], col, cv2.LINE_AA, SHIFT)
    seat_y, floor = 0.03, s.thigh + s.shin + 0.03
    for x in (-(s.hip_half + 0.09), s.hip_half + 0.09):
        _line(img, cam.px((x, seat_y)) + shift, cam.px((x * 1.05, floor)) + shift, col, 0.02 * cam.scale)
    _line(img, cam.px((-(s.hip_half + 0.1), seat_y)) + shift, cam.px((s.hip_half + 0.1, seat_y)) + shift,
          col, 0.035 * cam.scale)


def draw_hand(img: np.ndarray, elbow: np.ndarray, wrist: np.ndarray, grip: float, s: Subject, k: float) -> None:
    """Palm beyond the wrist and four fingers whose length follows the grip openness."""
    fore = wrist - elbow
    centre = wrist + HAND_EXTENSION * fore
    u = fore / max(float(np.linalg.norm(fore)), 1e-6)
    perp = np.array([-u[1], u[0]])
    _disc(img, centre, 0.022 * k, s.skin)
    for j in np.linspace(-1, 1, 4):
        base = centre + perp * j * 0.014 * k + u * 0.012 * k
        _line(img, base, base + u * (0.006 + 0.022 * grip) * k, s.skin, 0.007 * k)


def draw_head(img: np.ndarray, kp: np.ndarray, s: Subject, k: float, glasses: bool) -> None:
    """Ears, hair, face and features from the five head keypoints."""
    r = s.head_radius * k
    ears = kp[3:5]
    centre = ears.mean(axis=0) - np.array([0, 0.05 * r])
    angle = float(np.degrees(np.arctan2(ears[0, 1] - ears[1, 1], ears[0, 0] - ears[1, 0])))
    dark = tuple(int(v * 0.8) for v in s.skin)
    for e in ears:
        _ellipse(img, e, (0.2 * r, 0.3 * r), angle, dark)
    up = np.array([np.sin(np.radians(angle)), -np.cos(np.radians(angle))])
    _ellipse(img, centre + up * 0.12 * r, (1.02 * r, 1.12 * r), angle, s.hair)
    _ellipse(img, centre + up * -0.08 * r, (0.88 * r, 1.0 * r), angle, s.skin)
    for e in kp[1:3]:
        _disc(img, e, 0.09 * r, (30, 30, 30))
        if glasses:
            cv2.circle(img, _pt(e), int(0.25 * r * (1 << SHIFT)), (20, 20, 20), max(int(0.04 * r), 1), cv2.LINE_AA, SHIFT)
    _disc(img, kp[0], 0.1 * r, dark)
    mouth = kp[0] - up * 0.4 * r
    side = np.array([up[1], -up[0]]) * 0.25 * r
    _line(img, mouth - side, mouth + side, (120, 40, 40), max(0.06 * r, 1))


def draw_frame(bg: np.ndarray, s: Subject, cam: Camera, kp: np.ndarray, c: Controls, i: int, shift: np.ndarray) -> np.ndarray:
    """One uint8 RGB frame; ``kp`` are pixel keypoints of frame ``i`` (jitter included)."""
    img = np.clip(bg, 0, 255).astype(np.uint8)
    k = cam.scale
    draw_chair(img, s, cam, shift)
    sleeve = s.shirt if not s.sleeve_short else s.skin
    for side in range(2):
        hip, knee, ankle = kp[11 + side], kp[13 + side], kp[15 + side]
        _line(img, hip, knee, s.trousers, 0.075 * k)
        _disc(img, knee, 0.037 * k, s.trousers)
        _line(img, knee, ankle, s.trousers, 0.06 * k)
        foot = ankle + FOOT_EXTENSION * (ankle - knee)
        _ellipse(img, foot, (0.035 * k, 0.022 * k), 0.0, s.shoes)
    behind = [bool(c.behind[j, i]) for j in range(2)]

    def arm(j: int) -> None:
        sh, el, wr = kp[5 + j], kp[7 + j], kp[9 + j]
        _line(img, sh, el, s.shirt, 0.055 * k)
        _line(img, el, wr, sleeve, 0.045 * k)
        draw_hand(img, el, wr, float(c.grip[j, i]), s, k)

    for j in range(2):
        if behind[j]:
            arm(j)
    torso = np.array([_pt(p) for p in (kp[5], kp[6], kp[12], kp[11])], np.int32)
    cv2.fillPoly(img, [torso], s.shirt, cv2.LINE_AA, SHIFT)
    _line(img, kp[5], kp[6], s.shirt, 0.05 * k)
    _line(img, (kp[5] + kp[6]) / 2, kp[3:5].mean(axis=0), s.skin, 0.045 * k)
    draw_head(img, kp[:5], s, k, c.glasses)
    for j in range(2):
        if not behind[j]:
            arm(j)
    if c.holding:
        mid = (kp[9] + kp[10]) / 2
        _line(img, mid - [0.03 * k, 0.01 * k], mid + [0.03 * k, 0.01 * k], (200, 30, 30), 0.012 * k)
    return img


def finish(img: np.ndarray, light: np.ndarray, gain: float, noise: np.ndarray) -> np.ndarray:
    """Lighting, global exposure and sensor noise."""
    return np.clip(img.astype(np.float32) * light * gain + noise, 0, 255).astype(np.uint8)


def _label_id(label: str) -> int:
    return list(FINE_TO_COARSE).index(label)


def simulate(label: str, subject: Subject, seed: int, fps: float, size: tuple[int, int],
             duration: float | None = None, side: str | None = None) -> tuple[Controls, np.ndarray, np.ndarray, Camera]:
    """Controls, pixel keypoints (T, 17, 2), camera jitter (T, 2) and camera of a clip."""
    rng = np.random.default_rng([seed, subject.seed, _label_id(label), 0])
    dur = float(rng.uniform(*DURATION_RANGE_S)) if duration is None else duration
    c = build_controls(label, subject, dur, fps, rng, side)
    cam = make_camera(subject, size)
    jitter = camera_jitter(rng, c.t.size, fps, size[1])
    kp = cam.px(pose_keypoints(subject, c)) + jitter[:, None, :]
    return c, kp, jitter, cam


def render_frames(label: str, subject: Subject, seed: int, fps: float = DEFAULT_FPS,
                  size: tuple[int, int] = DEFAULT_SIZE, duration: float | None = None,
                  side: str | None = None) -> tuple[Iterator[np.ndarray], ClipTruth]:
    """Lazy RGB frames and the truth (video_path empty) of one clip."""
    w, h = size
    if w % 2 or h % 2:
        raise ValueError(f"yuv420p needs even width and height, got {size}")
    c, kp, jitter, cam = simulate(label, subject, seed, fps, size, duration, side)
    truth = ClipTruth(label=label, coarse_label=FINE_TO_COARSE[label], side=c.side, seed=seed, subject=subject,
                      fps=float(fps), size=(w, h), keypoints=kp, descriptor=describe_motion(kp, fps), video_path="")
    pix = np.random.default_rng([seed, subject.seed, _label_id(label), 1])
    floor_y = cam.px((0.0, subject.thigh + subject.shin + 0.03))[1]
    bg, light = background(subject, size, floor_y, pix), light_field(subject, size)
    sigma = pix.uniform(1.5, 4.0)

    def frames() -> Iterator[np.ndarray]:
        for i in range(kp.shape[0]):
            img = draw_frame(bg, subject, cam, kp[i], c, i, jitter[i])
            gain = 1.0 + 0.01 * pix.standard_normal()  # exposure flicker
            yield finish(img, light, gain, pix.normal(0, sigma, img.shape).astype(np.float32))

    return frames(), truth


def encode_mp4(frames: Iterator[np.ndarray], out_path: str | Path, fps: float, size: tuple[int, int]) -> None:
    """H.264 yuv420p mp4, single-threaded x264 so output bytes are deterministic."""
    from fractions import Fraction

    with av.open(str(out_path), mode="w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        # One x264 thread, no macroblock-tree rate control and explicit timestamps: with MB-tree on, this
        # x264 build gave different bytes from run to run for the same frames.
        stream.options = {"crf": CRF, "preset": "veryfast", "x264-params": "threads=1:lookahead-threads=1:no-mbtree=1"}
        stream.codec_context.thread_type = "NONE"
        stream.codec_context.thread_count = 1
        for index, rgb in enumerate(frames):
            # Our own colour conversion: FFmpeg's RGB->YUV scaler gave different bytes from run to run.
            frame = av.VideoFrame.from_ndarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420), format="yuv420p")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def render_clip(label: str, subject: Subject, seed: int, out_path: str | Path, fps: float = DEFAULT_FPS,
                size: tuple[int, int] = DEFAULT_SIZE, duration: float | None = None,
                side: str | None = None) -> ClipTruth:
    """Render ``label`` performed by ``subject`` to ``out_path`` (mp4) and return its exact truth.

    ``duration`` (s) is drawn from DURATION_RANGE_S when None; ``side`` forces the
    acting side ("left"/"right", subject's own) of one-sided actions.
    """
    frames, truth = render_frames(label, subject, seed, fps, size, duration, side)
    encode_mp4(frames, out_path, fps, size)
    truth.video_path = str(out_path)
    return truth
