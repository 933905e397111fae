"""Qwen2-VL, Qwen2.5-VL and Qwen3-VL through transformers, without torchvision.

Every transformers 5.x *video* processor needs torchvision; this module turns decoded frames into the
model's video inputs with numpy and PIL instead, value for value what transformers' PIL image processor
(``Qwen2VLImageProcessorPil``) gives for each frame, laid out the way the video processors lay out
temporal patches. The pieces, each usable alone:

- :class:`QwenVLSettings`: the video preprocessing settings of a model folder (patch sizes, pixel budget,
  mean/std), read the way transformers reads them;
- :func:`video_inputs`: frames ``(T, H, W, 3) uint8`` -> ``pixel_values_videos``, ``video_grid_thw``;
- :func:`build_prompt`: a chat-formatted prompt whose video placeholder is expanded to the model's number
  of ``<|video_pad|>`` tokens (with Qwen3-VL's ``<t seconds>`` markers);
- :class:`QwenVLGenerator`: loads a model folder and generates for a batch of :class:`VideoQuery`.

torch and transformers are imported only inside the functions that need them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from finemotion_eval.video_io.sampling import smart_resize

if TYPE_CHECKING:
    import torch

VISION_START = "<|vision_start|>"
VISION_END = "<|vision_end|>"
VIDEO_PAD = "<|video_pad|>"
IMAGE_PAD = "<|image_pad|>"

FAMILIES = ("qwen2_vl", "qwen2_5_vl", "qwen3_vl")
#: config.json ``model_type`` -> family (Qwen3-VL-MoE preprocesses exactly as Qwen3-VL).
MODEL_TYPE_FAMILY = {"qwen2_vl": "qwen2_vl", "qwen2_5_vl": "qwen2_5_vl", "qwen3_vl": "qwen3_vl",
                     "qwen3_vl_moe": "qwen3_vl"}

OPENAI_CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_CLIP_STD = (0.26862954, 0.26130258, 0.27577711)

# Class defaults of the video processors transformers 5.24 uses for each family (Qwen2VLVideoProcessor for
# Qwen2-VL and Qwen2.5-VL, Qwen3VLVideoProcessor for Qwen3-VL); a model folder's file overrides them.
_VIDEO_DEFAULTS: dict[str, dict[str, Any]] = {
    "qwen2_vl": {
        "patch_size": 14, "temporal_patch_size": 2, "merge_size": 2,
        "image_mean": OPENAI_CLIP_MEAN, "image_std": OPENAI_CLIP_STD,
        "min_pixels": 128 * 28 * 28, "max_pixels": 28 * 28 * 768, "max_video_tokens": 128000,
    },
    "qwen3_vl": {
        "patch_size": 16, "temporal_patch_size": 2, "merge_size": 2,
        "image_mean": (0.5, 0.5, 0.5), "image_std": (0.5, 0.5, 0.5),
        "min_pixels": 128 * 32 * 32, "max_pixels": 32 * 32 * 768, "max_video_tokens": 768,
    },
}
_VIDEO_DEFAULTS["qwen2_5_vl"] = _VIDEO_DEFAULTS["qwen2_vl"]


def _family(model_type: str) -> str:
    try:
        return MODEL_TYPE_FAMILY[model_type]
    except KeyError:
        raise ValueError(f"not a Qwen-VL model type: {model_type!r}; expected one of {sorted(MODEL_TYPE_FAMILY)}")


def _read_json(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


@dataclass(frozen=True)
class QwenVLSettings:
    """How a Qwen-VL model's video processor turns frames into patches.

    ``min_pixels``/``max_pixels`` are the processor's ``size["shortest_edge"]``/``size["longest_edge"]``.
    For Qwen2-VL and Qwen2.5-VL they bound each frame; for Qwen3-VL they bound the whole clip
    (frames x height x width), as in transformers. ``cap_pixels_per_frame`` and ``max_video_tokens`` are
    the processors' optional qwen-vl-utils-style per-frame cap (off unless the folder's config turns it on).
    """

    family: str
    patch_size: int
    temporal_patch_size: int
    merge_size: int
    image_mean: tuple[float, ...]
    image_std: tuple[float, ...]
    min_pixels: int
    max_pixels: int
    rescale_factor: float = 1 / 255
    resample: int = 3  # PIL.Image.BICUBIC
    cap_pixels_per_frame: bool = False
    max_video_tokens: int = 128000

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"unknown family {self.family!r}; expected one of {FAMILIES}")
        if len(self.image_mean) != 3 or len(self.image_std) != 3:
            raise ValueError("image_mean and image_std need one value per RGB channel")

    @property
    def factor(self) -> int:
        """Frame sides are multiples of this: ``patch_size * merge_size``."""
        return self.patch_size * self.merge_size

    @classmethod
    def defaults(cls, family: str) -> QwenVLSettings:
        """The video processor's class defaults for ``family`` (what a folder without a config gets)."""
        if family not in FAMILIES:
            raise ValueError(f"unknown family {family!r}; expected one of {FAMILIES}")
        return cls(family=family, **_VIDEO_DEFAULTS[family])

    @classmethod
    def from_dict(cls, family: str, config: Mapping[str, Any]) -> QwenVLSettings:
        """Settings from a video (or image) processor config dict, over the family's class defaults.

        ``size`` holds ``shortest_edge``/``longest_edge``; the legacy top-level ``min_pixels``/``max_pixels``
        (Qwen2-VL and Qwen2.5-VL folders) override it, as in the processors' ``__init__``.
        """
        if family not in FAMILIES:
            raise ValueError(f"unknown family {family!r}; expected one of {FAMILIES}")
        values = dict(_VIDEO_DEFAULTS[family])
        size = config.get("size") or {}
        for key, name in (("min_pixels", "shortest_edge"), ("max_pixels", "longest_edge")):
            # 4.x saves sometimes wrote size as {"min_pixels", "max_pixels"}; read those too.
            if size.get(name, size.get(key)) is not None:
                values[key] = size.get(name, size.get(key))
        for key in ("min_pixels", "max_pixels"):
            if config.get(key) is not None:
                values[key] = config[key]
        for key in ("patch_size", "temporal_patch_size", "merge_size", "rescale_factor", "resample",
                    "max_video_tokens"):
            if config.get(key) is not None:
                values[key] = config[key]
        for key in ("image_mean", "image_std"):
            if config.get(key) is not None:
                value = config[key]
                values[key] = tuple(float(v) for v in value) if isinstance(value, (list, tuple)) else (float(value),) * 3
        values["cap_pixels_per_frame"] = bool(config.get("cap_pixels_per_frame") or False)
        return cls(family=family, **values)

    @classmethod
    def from_pretrained(cls, model_dir: str | Path) -> QwenVLSettings:
        """Read a local model folder as transformers 5.24 does.

        The family comes from ``config.json``'s ``model_type``. The video processor's settings come from the
        first of: ``processor_config.json``'s ``"video_processor"`` entry (v5's nested form),
        ``video_preprocessor_config.json``, ``preprocessor_config.json`` (Qwen2-VL and Qwen2.5-VL folders
        have only this one; transformers' video processor falls back to it too).
        """
        folder = Path(model_dir)
        config = _read_json(folder / "config.json")
        if config is None:
            raise FileNotFoundError(f"{folder / 'config.json'} not found")
        family = _family(config.get("model_type", ""))
        nested = (_read_json(folder / "processor_config.json") or {}).get("video_processor")
        for data in (nested, _read_json(folder / "video_preprocessor_config.json"),
                     _read_json(folder / "preprocessor_config.json")):
            if data is not None:
                return cls.from_dict(family, data)
        return cls.defaults(family)

    def frame_pixel_bounds(self, num_frames: int) -> tuple[float, float]:
        """``(min_pixels, max_pixels)`` for one frame of a ``num_frames``-frame clip.

        Qwen2/2.5-VL: the settings' bounds (with the optional per-frame cap of ``Qwen2VLVideoProcessor``).
        Qwen3-VL: the clip budget divided by ``num_frames`` (``Qwen3VLVideoProcessor``'s rule compares
        ``frames x h x w`` with the budget; it rounds the frame count to a multiple of
        ``temporal_patch_size`` for that comparison, so for an odd frame count a size on the boundary may
        differ from it).
        """
        if num_frames < 1:
            raise ValueError(f"num_frames must be >= 1, got {num_frames}")
        lo, hi = self.min_pixels, self.max_pixels
        if self.family == "qwen3_vl":
            if self.cap_pixels_per_frame:
                frame_cap = self.max_video_tokens * self.factor * self.factor
                hi = max(min(frame_cap, hi // num_frames), int(lo * 1.05)) * num_frames
            return lo / num_frames, hi / num_frames
        if self.cap_pixels_per_frame:
            total = int(self.max_video_tokens * self.factor * self.factor * 0.9)
            hi = max(min(hi, total * self.temporal_patch_size // num_frames), int(lo * 1.05))
        return lo, hi

    def frame_size(self, height: int, width: int, num_frames: int) -> tuple[int, int]:
        """The ``(height, width)`` every frame of a ``num_frames``-frame ``height x width`` clip is resized to."""
        if self.family == "qwen3_vl" and (height < self.factor or width < self.factor):
            # Qwen3-VL first scales a frame with a side under `factor` up to reach it (truncating).
            scale = max(self.factor / height, self.factor / width)
            height, width = int(height * scale), int(width * scale)
        lo, hi = self.frame_pixel_bounds(num_frames)
        resized_h, resized_w = smart_resize(height, width, self.factor, lo, hi)
        # transformers and qwen-vl-utils keep each side at least `factor` when shrinking a very elongated
        # frame; video_io's smart_resize can round that side down to 0 there.
        return max(self.factor, resized_h), max(self.factor, resized_w)

    def grid_thw(self, num_frames: int, height: int, width: int) -> tuple[int, int, int]:
        """``(t, h, w)`` patch grid of a clip of ``num_frames`` frames already resized to ``height x width``."""
        if height % self.factor or width % self.factor:
            raise ValueError(f"frame size {height}x{width} is not a multiple of {self.factor}")
        return (-(-num_frames // self.temporal_patch_size), height // self.patch_size, width // self.patch_size)

    def tokens_per_temporal_patch(self, grid_thw: Sequence[int]) -> int:
        """``<|video_pad|>`` tokens for one temporal patch: ``h * w / merge_size**2``."""
        return int(grid_thw[1]) * int(grid_thw[2]) // self.merge_size**2

    def num_video_tokens(self, grid_thw: Sequence[int]) -> int:
        """``<|video_pad|>`` tokens for a whole clip: ``t * h * w / merge_size**2``."""
        return int(grid_thw[0]) * self.tokens_per_temporal_patch(grid_thw)


# ---------------------------------------------------------------- pixels


def _check_frames(frames: np.ndarray) -> np.ndarray:
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.shape[0] < 1:
        raise ValueError(f"frames must be (T, H, W, 3) with T >= 1, got shape {frames.shape}")
    if frames.dtype != np.uint8:
        raise ValueError(f"frames must be uint8 RGB, got {frames.dtype}")
    return frames


def resize_frames(frames: np.ndarray, size: tuple[int, int], resample: int = 3) -> np.ndarray:
    """Resize ``(T, H, W, 3) uint8`` frames to ``size = (height, width)`` with PIL (bicubic by default).

    Frames already of that size are returned unchanged (PIL would copy them unchanged too).
    """
    from finemotion_eval.model_adapters.frames import resized

    return resized(_check_frames(frames), size, resample)


def normalize_frames(frames: np.ndarray, settings: QwenVLSettings, size: tuple[int, int] | None = None) -> np.ndarray:
    """Resized, rescaled and normalised frames, ``(T, 3, h, w) float32``.

    ``size=(h, w)`` overrides the size :meth:`QwenVLSettings.frame_size` chooses. The arithmetic is the PIL
    image processor's: rescale in float64 then cast to float32, then ``(x - mean) / std`` in float32.
    """
    frames = _check_frames(frames)
    if size is None:
        size = settings.frame_size(frames.shape[1], frames.shape[2], frames.shape[0])
    if size[0] % settings.factor or size[1] % settings.factor:
        raise ValueError(f"size {size} is not a multiple of {settings.factor} (patch_size * merge_size)")
    resized = resize_frames(frames, size, settings.resample)
    scaled = (resized.astype(np.float64) * settings.rescale_factor).astype(np.float32)
    mean = np.asarray(settings.image_mean, dtype=np.float32)
    std = np.asarray(settings.image_std, dtype=np.float32)
    return np.ascontiguousarray(((scaled - mean) / std).transpose(0, 3, 1, 2))


def patchify(video: np.ndarray, settings: QwenVLSettings) -> tuple[np.ndarray, np.ndarray]:
    """Flatten a ``(T, C, H, W)`` float video into the model's patch rows.

    ``T`` is padded to a multiple of ``temporal_patch_size`` by repeating the last frame. Rows run over
    temporal patches, then ``merge_size x merge_size`` blocks in raster order, then the patches inside a
    block; each row holds ``C x temporal_patch_size x patch_size x patch_size`` values in that order.
    Returns ``(pixel_values_videos (t*h*w, C*tps*p*p) float32, video_grid_thw (1, 3) int64)``.
    """
    video = np.asarray(video, dtype=np.float32)
    num_frames, channels, height, width = video.shape
    p, m, tps = settings.patch_size, settings.merge_size, settings.temporal_patch_size
    if pad := -num_frames % tps:
        video = np.concatenate([video, np.repeat(video[-1:], pad, axis=0)])
    grid_t, grid_h, grid_w = settings.grid_thw(num_frames, height, width)
    patches = video.reshape(grid_t, tps, channels, grid_h // m, m, p, grid_w // m, m, p)
    patches = patches.transpose(0, 3, 6, 4, 7, 2, 1, 5, 8)
    rows = np.ascontiguousarray(patches.reshape(grid_t * grid_h * grid_w, channels * tps * p * p))
    return rows, np.array([[grid_t, grid_h, grid_w]], dtype=np.int64)


def video_inputs(
    frames: np.ndarray, settings: QwenVLSettings, size: tuple[int, int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(pixel_values_videos, video_grid_thw)`` for ``(T, H, W, 3) uint8`` frames (see :func:`patchify`)."""
    return patchify(normalize_frames(frames, settings, size), settings)


# ---------------------------------------------------------------- prompt


def temporal_patch_timestamps(timestamps: Sequence[float], temporal_patch_size: int = 2) -> list[float]:
    """One time per temporal patch, as Qwen3-VL's processor computes it.

    The frame times are padded to a multiple of ``temporal_patch_size`` by repeating the last one; each
    patch gets the mean of its first and last frame's time.
    """
    times = [float(t) for t in timestamps]
    if not times:
        raise ValueError("need at least one timestamp")
    times += [times[-1]] * (-len(times) % temporal_patch_size)
    return [(times[i] + times[i + temporal_patch_size - 1]) / 2 for i in range(0, len(times), temporal_patch_size)]


def video_placeholder(settings: QwenVLSettings, grid_thw: Sequence[int], timestamps: Sequence[float] | None = None) -> str:
    """The text that stands for one video, vision markers included.

    Qwen2/2.5-VL: ``<|vision_start|>`` + ``t*h*w/merge**2`` x ``<|video_pad|>`` + ``<|vision_end|>``.
    Qwen3-VL: per temporal patch ``<{time:.1f} seconds><|vision_start|>`` + ``h*w/merge**2`` pads +
    ``<|vision_end|>``, the times from :func:`temporal_patch_timestamps` (``timestamps`` required).
    """
    grid_t = int(grid_thw[0])
    if settings.family != "qwen3_vl":
        return VISION_START + VIDEO_PAD * settings.num_video_tokens(grid_thw) + VISION_END
    if timestamps is None:
        raise ValueError("Qwen3-VL prompts need the sampled frames' timestamps (seconds)")
    times = temporal_patch_timestamps(timestamps, settings.temporal_patch_size)
    if len(times) != grid_t:
        raise ValueError(f"{len(timestamps)} timestamps give {len(times)} temporal patches, the grid has {grid_t}")
    pads = VIDEO_PAD * settings.tokens_per_temporal_patch(grid_thw)
    return "".join(f"<{t:.1f} seconds>{VISION_START}{pads}{VISION_END}" for t in times)


def expand_video_placeholder(text: str, placeholder: str) -> str:
    """Put ``placeholder`` where a chat template wrote the (first) video.

    The template's ``<|vision_start|><|video_pad|><|vision_end|>`` is replaced whole (a bare
    ``<|video_pad|>`` if that is all there is). For Qwen3-VL this is the format of Qwen's reference code
    (qwen-vl-utils, transformers 4.57, vLLM); transformers 5.24's processor replaces only the
    ``<|video_pad|>`` and so leaves the template's markers around the timestamped groups.
    """
    for marker in (VISION_START + VIDEO_PAD + VISION_END, VIDEO_PAD):
        if marker in text:
            return text.replace(marker, placeholder, 1)
    raise ValueError(f"the chat text has no {VIDEO_PAD} placeholder for the video")


def default_chat_text(family: str, question: str, *, with_video: bool, system: str | None = None) -> str:
    """Qwen's chat format, for a tokenizer without a chat template.

    Qwen2/2.5-VL's templates open with the system turn ``You are a helpful assistant.``; Qwen3-VL's with none.
    """
    if system is None and family != "qwen3_vl":
        system = "You are a helpful assistant."
    head = f"<|im_start|>system\n{system}<|im_end|>\n" if system is not None else ""
    video = VISION_START + VIDEO_PAD + VISION_END if with_video else ""
    return f"{head}<|im_start|>user\n{video}{question}<|im_end|>\n<|im_start|>assistant\n"


def chat_text(
    question: str,
    *,
    with_video: bool,
    family: str,
    tokenizer: Any = None,
    chat_template: str | None = None,
    system: str | None = None,
) -> str:
    """The chat-formatted prompt with a single (unexpanded) video placeholder when ``with_video``.

    Rendered with ``chat_template`` or the tokenizer's own template (``apply_chat_template``, one user turn
    holding ``{"type": "video"}`` then ``{"type": "text"}``); without either, :func:`default_chat_text`.
    """
    template = chat_template or getattr(tokenizer, "chat_template", None)
    if tokenizer is None or not template:
        return default_chat_text(family, question, with_video=with_video, system=system)
    content = ([{"type": "video"}] if with_video else []) + [{"type": "text", "text": question}]
    messages = ([{"role": "system", "content": system}] if system is not None else []) + [
        {"role": "user", "content": content}
    ]
    return tokenizer.apply_chat_template(
        messages, chat_template=template, tokenize=False, add_generation_prompt=True
    )


def build_prompt(
    settings: QwenVLSettings,
    question: str,
    grid_thw: Sequence[int] | None = None,
    timestamps: Sequence[float] | None = None,
    *,
    tokenizer: Any = None,
    chat_template: str | None = None,
    system: str | None = None,
) -> str:
    """The full prompt: :func:`chat_text` with the video placeholder expanded (text only if ``grid_thw`` is None)."""
    text = chat_text(question, with_video=grid_thw is not None, family=settings.family, tokenizer=tokenizer,
                     chat_template=chat_template, system=system)
    if grid_thw is None:
        return text
    return expand_video_placeholder(text, video_placeholder(settings, grid_thw, timestamps))


def sampling_rate(timestamps: Sequence[float] | None) -> float:
    """Frames per second of the sampled frames: ``(n - 1) / (last - first)``; 24 when unknown.

    transformers' ``VideoMetadata.sampled_fps`` is ``n / clip duration`` (24 without metadata); for frames
    sampled at a constant step from the clip's start the two agree.
    """
    if timestamps is None or len(timestamps) < 2 or float(timestamps[-1]) <= float(timestamps[0]):
        return 24.0
    return (len(timestamps) - 1) / (float(timestamps[-1]) - float(timestamps[0]))


def seconds_per_grid(
    settings: QwenVLSettings, timestamps: Sequence[float] | None, sampled_fps: float | None = None
) -> float:
    """Qwen2.5-VL's ``second_per_grid_ts`` for one video: ``temporal_patch_size / sampled_fps``.

    ``sampled_fps`` (the rate of the *sampled* frames, not the clip's frame rate) defaults to
    :func:`sampling_rate` of the timestamps.
    """
    rate = sampled_fps if sampled_fps is not None else sampling_rate(timestamps)
    return settings.temporal_patch_size / rate


# ---------------------------------------------------------------- generation


@dataclass(frozen=True)
class VideoQuery:
    """One request: the user's text, and optionally its sampled frames.

    ``frames``: ``(T, H, W, 3) uint8`` RGB, or None for a text-only (blind) prompt. ``timestamps``: the
    frames' times in seconds (required for Qwen3-VL video prompts; Qwen2.5-VL derives its temporal position
    spacing from them). ``size``: ``(height, width)`` to resize to, overriding the model's rule.
    ``sampled_fps``: frames per second *of the sampled frames* (not the clip's frame rate), only to
    override the rate Qwen2.5-VL would take from the timestamps.
    """

    text: str
    frames: np.ndarray | None = None
    timestamps: Sequence[float] | None = None
    size: tuple[int, int] | None = None
    sampled_fps: float | None = None


def _as_query(item: VideoQuery | Sequence) -> VideoQuery:
    if isinstance(item, VideoQuery):
        return item
    if isinstance(item, str):
        return VideoQuery(item)
    return VideoQuery(*item)


def _torch_dtype(dtype: Any, device: str):
    import torch

    if dtype is None:
        return torch.bfloat16 if str(device).startswith("cuda") else torch.float32
    if isinstance(dtype, str):
        if dtype == "auto":
            return "auto"
        value = getattr(torch, dtype.removeprefix("torch."), None)
        if not isinstance(value, torch.dtype):
            raise TypeError(f"unknown dtype {dtype!r}")
        return value
    return dtype


class QwenVLGenerator:
    """A Qwen2-VL / Qwen2.5-VL / Qwen3-VL model folder, ready to answer batches of :class:`VideoQuery`.

    ``device``: where the model goes when ``device_map`` is None (default: ``cuda`` if available, else
    ``cpu``). ``dtype``: a torch dtype or its name or ``"auto"`` (default: bfloat16 on CUDA, float32
    otherwise). ``device_map`` and ``attn_implementation`` go to ``from_pretrained`` as given.
    ``settings`` overrides the preprocessing read from the folder; ``chat_template``/``system`` override
    the tokenizer's template / add a system turn.
    """

    def __init__(
        self,
        model_path: str | Path,
        *,
        device: str | None = None,
        dtype: Any = None,
        device_map: Any = None,
        attn_implementation: str | None = None,
        settings: QwenVLSettings | None = None,
        chat_template: str | None = None,
        system: str | None = None,
    ) -> None:
        import torch
        from transformers import AutoModelForImageTextToText, AutoTokenizer

        self.model_path = Path(model_path)
        self.settings = settings or QwenVLSettings.from_pretrained(model_path)
        if device is None:
            device = "cuda" if torch.cuda.is_available() else "cpu"
        kwargs: dict[str, Any] = {"dtype": _torch_dtype(dtype, device)}
        if device_map is not None:
            kwargs["device_map"] = device_map
        if attn_implementation is not None:
            kwargs["attn_implementation"] = attn_implementation
        self.model = AutoModelForImageTextToText.from_pretrained(str(model_path), **kwargs)
        if device_map is None:
            self.model.to(device)
        self.model.eval()
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_path))
        self.chat_template = chat_template or self.tokenizer.chat_template or self._folder_chat_template()
        self.system = system

        config = self.model.config
        self.video_token_id = self._token_id(VIDEO_PAD, config.video_token_id)
        self.image_token_id = self._token_id(IMAGE_PAD, config.image_token_id)
        pad = self.tokenizer.pad_token_id
        if pad is None:
            pad = self.tokenizer.convert_tokens_to_ids("<|endoftext|>")
            pad = pad if pad != self.tokenizer.unk_token_id and pad is not None else self.tokenizer.eos_token_id
        self.pad_token_id = pad

    @property
    def family(self) -> str:
        return self.settings.family

    @property
    def device(self) -> torch.device:
        return self.model.device

    def _token_id(self, token: str, expected: int) -> int:
        found = self.tokenizer.convert_tokens_to_ids(token)
        if found != expected:
            raise ValueError(f"tokenizer maps {token} to {found}, the model config expects {expected}")
        return found

    def _folder_chat_template(self) -> str | None:
        """A chat template the tokenizer did not load: ``chat_template.jinja`` or the legacy ``chat_template.json``."""
        jinja = self.model_path / "chat_template.jinja"
        if jinja.is_file():
            return jinja.read_text(encoding="utf-8")
        legacy = _read_json(self.model_path / "chat_template.json")
        return legacy.get("chat_template") if legacy else None

    def prompt(self, query: VideoQuery | Sequence) -> tuple[str, np.ndarray | None, np.ndarray | None]:
        """``(prompt text, pixel_values_videos, video_grid_thw)`` for one query (arrays None without frames)."""
        query = _as_query(query)
        if query.frames is None:
            text = build_prompt(self.settings, query.text, tokenizer=self.tokenizer,
                                chat_template=self.chat_template, system=self.system)
            return text, None, None
        pixels, grid = video_inputs(query.frames, self.settings, query.size)
        text = build_prompt(self.settings, query.text, grid[0], query.timestamps, tokenizer=self.tokenizer,
                            chat_template=self.chat_template, system=self.system)
        return text, pixels, grid

    def prepare(self, queries: Sequence[VideoQuery | Sequence]) -> dict[str, torch.Tensor]:
        """The model inputs for a batch (left-padded), on the model's device."""
        import torch

        queries = [_as_query(q) for q in queries]
        if not queries:
            raise ValueError("empty batch")
        texts, pixels, grids, seconds = [], [], [], []
        for query in queries:
            text, pv, grid = self.prompt(query)
            texts.append(text)
            if pv is not None:
                pixels.append(pv)
                grids.append(grid)
                seconds.append(seconds_per_grid(self.settings, query.timestamps, query.sampled_fps))
        encoded = self.tokenizer(texts, padding=True, padding_side="left", return_tensors="pt")
        input_ids = encoded["input_ids"]
        # text 0, image 1, video 2: what the processors return and the models' 3D positions need.
        mm_types = (input_ids == self.image_token_id).long() + 2 * (input_ids == self.video_token_id).long()
        inputs: dict[str, torch.Tensor] = {
            "input_ids": input_ids,
            "attention_mask": encoded["attention_mask"],
            "mm_token_type_ids": mm_types,
        }
        if pixels:
            inputs["pixel_values_videos"] = torch.from_numpy(np.concatenate(pixels))
            inputs["video_grid_thw"] = torch.from_numpy(np.concatenate(grids))
            if self.family == "qwen2_5_vl":
                inputs["second_per_grid_ts"] = torch.tensor(seconds, dtype=torch.float32)
        return {key: value.to(self.device) for key, value in inputs.items()}

    def generate(
        self,
        queries: Sequence[VideoQuery | Sequence],
        *,
        max_new_tokens: int = 128,
        temperature: float = 0.0,
        do_sample: bool | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        num_beams: int = 1,
        batch_size: int | None = None,
        seed: int | None = None,
    ) -> list[str]:
        """Decoded answers (special tokens skipped), one per query, in order.

        Greedy unless sampling is asked for: ``do_sample`` defaults to ``temperature > 0``. ``batch_size``
        splits the queries into batches of at most that many (default: one batch). ``seed`` seeds torch
        before each batch when sampling.
        """
        import torch

        queries = list(queries)
        if do_sample is None:
            do_sample = temperature > 0
        step = batch_size or max(1, len(queries))
        options: dict[str, Any] = {
            "max_new_tokens": max_new_tokens,
            "do_sample": do_sample,
            "num_beams": num_beams,
            "pad_token_id": self.pad_token_id,
        }
        if do_sample:
            options["temperature"] = temperature if temperature > 0 else 1.0
            if top_p is not None:
                options["top_p"] = top_p
            if top_k is not None:
                options["top_k"] = top_k
        config = self._generation_config(options)
        answers: list[str] = []
        for start in range(0, len(queries), step):
            inputs = self.prepare(queries[start : start + step])
            if do_sample and seed is not None:
                torch.manual_seed(seed)
            with torch.inference_mode():
                output = self.model.generate(**inputs, generation_config=config)
            new_tokens = output[:, inputs["input_ids"].shape[1] :]
            answers.extend(self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True))
        return answers

    def _generation_config(self, options: dict[str, Any]):
        """The model's generation config with ``options`` applied; greedy drops its sampling knobs."""
        config = copy.deepcopy(self.model.generation_config)
        if not options["do_sample"]:
            config.temperature, config.top_p, config.top_k = None, None, None
        for key, value in options.items():
            setattr(config, key, value)
        return config


__all__ = [
    "FAMILIES",
    "QwenVLGenerator",
    "QwenVLSettings",
    "VideoQuery",
    "build_prompt",
    "chat_text",
    "default_chat_text",
    "expand_video_placeholder",
    "normalize_frames",
    "patchify",
    "resize_frames",
    "sampling_rate",
    "seconds_per_grid",
    "temporal_patch_timestamps",
    "video_inputs",
    "video_placeholder",
]
