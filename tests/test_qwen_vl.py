"""model_adapters.qwen_vl: Qwen-VL video inputs without torchvision, checked against transformers 5.24.

Pixels are compared with transformers' PIL image processor (``Qwen2VLImageProcessorPil``, the one Qwen
processor that runs without torchvision), frame by frame: the image path repeats one frame
``temporal_patch_size`` times inside each patch row, so slot ``k`` of temporal patch ``g`` of our video rows
must equal the image rows of frame ``g * temporal_patch_size + k``. The row layout is compared with the
video processor's own ``patchify`` (torch only), sizes with transformers' ``smart_resize`` functions and
Qwen3-VL prompts with ``Qwen3VLProcessor`` run on frames that need no resizing. Models are tiny random ones
built offline by ``tiny_qwen_vl.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from tiny_qwen_vl import KINDS, build_tiny_qwen_vl

from finemotion_eval.model_adapters.qwen_vl import (
    VIDEO_PAD,
    VISION_END,
    VISION_START,
    QwenVLGenerator,
    QwenVLSettings,
    VideoQuery,
    build_prompt,
    chat_text,
    default_chat_text,
    normalize_frames,
    patchify,
    sampling_rate,
    seconds_per_grid,
    temporal_patch_timestamps,
    video_inputs,
    video_placeholder,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def one_thread():
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny_qwen_vl")
    return {kind: build_tiny_qwen_vl(kind, root / kind) for kind in KINDS}


@pytest.fixture(scope="session")
def generators(tiny_models) -> dict[str, QwenVLGenerator]:
    return {kind: QwenVLGenerator(path, device="cpu") for kind, path in tiny_models.items()}


def random_frames(count: int, height: int = 64, width: int = 80, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (count, height, width, 3), dtype=np.uint8)


def image_processor(settings: QwenVLSettings, num_frames: int):
    """transformers' PIL image processor with the settings' per-frame pixel bounds for a clip of ``num_frames``."""
    from transformers import Qwen2VLImageProcessorPil

    lo, hi = settings.frame_pixel_bounds(num_frames)
    return Qwen2VLImageProcessorPil(
        patch_size=settings.patch_size, temporal_patch_size=settings.temporal_patch_size,
        merge_size=settings.merge_size, image_mean=list(settings.image_mean), image_std=list(settings.image_std),
        size={"shortest_edge": lo, "longest_edge": hi},
    )


def qwen3_video_processor(settings: QwenVLSettings, cap: bool = False):
    from transformers.models.qwen3_vl.video_processing_qwen3_vl import Qwen3VLVideoProcessor

    return Qwen3VLVideoProcessor(
        size={"shortest_edge": settings.min_pixels, "longest_edge": settings.max_pixels},
        patch_size=settings.patch_size, merge_size=settings.merge_size, cap_pixels_per_frame=cap,
    )


# ---------------------------------------------------------------- settings


def test_module_import_is_light():
    code = ("import sys, finemotion_eval.model_adapters.qwen_vl; "
            "print(sorted(m for m in ('torch', 'transformers', 'PIL') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO.parent)
    assert out.stdout.strip() == "[]"


def test_settings_qwen3_match_video_processor(tiny_models):
    from transformers.models.qwen3_vl.video_processing_qwen3_vl import Qwen3VLVideoProcessor

    settings = QwenVLSettings.from_pretrained(tiny_models["qwen3_vl"])
    theirs = Qwen3VLVideoProcessor.from_pretrained(tiny_models["qwen3_vl"])
    assert settings.family == "qwen3_vl"
    assert (settings.min_pixels, settings.max_pixels) == (theirs.size["shortest_edge"], theirs.size["longest_edge"])
    assert (settings.patch_size, settings.temporal_patch_size, settings.merge_size) == (
        theirs.patch_size, theirs.temporal_patch_size, theirs.merge_size)
    assert settings.image_mean == tuple(theirs.image_mean) and settings.image_std == tuple(theirs.image_std)
    assert (settings.rescale_factor, settings.resample, settings.max_video_tokens) == (
        theirs.rescale_factor, theirs.resample, theirs.max_video_tokens)
    # The class defaults, for folders without a video config.
    defaults, cls = QwenVLSettings.defaults("qwen3_vl"), Qwen3VLVideoProcessor()
    assert (defaults.min_pixels, defaults.max_pixels) == (cls.size["shortest_edge"], cls.size["longest_edge"])
    assert (defaults.patch_size, defaults.image_mean, defaults.image_std, defaults.max_video_tokens) == (
        cls.patch_size, tuple(cls.image_mean), tuple(cls.image_std), cls.max_video_tokens)


@pytest.mark.parametrize("kind", ["qwen2_vl", "qwen2_5_vl"])
def test_settings_qwen2_legacy_min_max_pixels(tiny_models, kind):
    # Qwen2/2.5-VL folders have only preprocessor_config.json, with top-level min_pixels/max_pixels;
    # transformers' video processor falls back to that file (its class needs torchvision, so compare the
    # values the image processor reads from it).
    from transformers import AutoImageProcessor

    settings = QwenVLSettings.from_pretrained(tiny_models[kind])
    theirs = AutoImageProcessor.from_pretrained(tiny_models[kind])
    assert type(theirs).__name__ == "Qwen2VLImageProcessorPil"
    assert settings.family == kind
    assert (settings.min_pixels, settings.max_pixels) == (theirs.size.shortest_edge, theirs.size.longest_edge) == (
        3136, 12544)
    assert (settings.patch_size, settings.temporal_patch_size, settings.merge_size) == (14, 2, 2)
    assert settings.image_mean == tuple(theirs.image_mean) and settings.image_std == tuple(theirs.image_std)


def test_settings_nested_processor_config_wins(tmp_path, tiny_models):
    # v5 saves processors nested in processor_config.json; transformers reads that before the other files.
    import json

    from transformers.models.qwen3_vl.video_processing_qwen3_vl import Qwen3VLVideoProcessor

    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("config.json", "video_preprocessor_config.json", "preprocessor_config.json"):
        (folder / name).write_text((tiny_models["qwen3_vl"] / name).read_text())
    nested = Qwen3VLVideoProcessor(size={"shortest_edge": 2048, "longest_edge": 99 * 1024}).to_dict()
    (folder / "processor_config.json").write_text(json.dumps({"video_processor": nested}))
    settings = QwenVLSettings.from_pretrained(folder)
    theirs = Qwen3VLVideoProcessor.from_pretrained(folder)
    assert (settings.min_pixels, settings.max_pixels) == (theirs.size["shortest_edge"], theirs.size["longest_edge"])
    assert (settings.min_pixels, settings.max_pixels) == (2048, 99 * 1024)


SIZES = [(64, 80), (48, 100), (30, 40), (200, 60), (720, 1280), (1080, 1296), (1000, 1000), (20, 300)]


@pytest.mark.parametrize("family", ["qwen2_vl", "qwen2_5_vl"])
def test_frame_size_qwen2_matches_transformers(tiny_models, family):
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import smart_resize as theirs

    for settings in (QwenVLSettings.from_pretrained(tiny_models[family]), QwenVLSettings.defaults(family)):
        for height, width in SIZES:
            for frames in (1, 4, 7):
                expected = theirs(height, width, settings.factor, settings.min_pixels, settings.max_pixels)
                assert settings.frame_size(height, width, frames) == expected, (height, width, frames)


@pytest.mark.parametrize("cap", [False, True])
def test_frame_size_qwen3_matches_transformers(tiny_models, cap):
    from transformers.models.qwen3_vl.video_processing_qwen3_vl import smart_resize as theirs

    for base in (QwenVLSettings.from_pretrained(tiny_models["qwen3_vl"]), QwenVLSettings.defaults("qwen3_vl"),
                 QwenVLSettings.from_dict("qwen3_vl", {"size": {"shortest_edge": 4096, "longest_edge": 25165824}})):
        settings = QwenVLSettings(**{**base.__dict__, "cap_pixels_per_frame": cap})
        processor = qwen3_video_processor(settings, cap)
        for height, width in SIZES:
            for frames in (2, 4, 8, 16):  # even: transformers compares the budget with frames rounded to pairs
                h, w = settings.frame_size(height, width, frames)
                grid = settings.grid_thw(frames, h, w)
                assert int(np.prod(grid)) == processor.get_num_of_video_patches(frames, height, width, {}), (
                    height, width, frames)
                if not cap:
                    assert (h, w) == theirs(frames, height, width, 2, settings.factor, settings.min_pixels,
                                            settings.max_pixels)


# ---------------------------------------------------------------- pixels


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("count", [1, 3, 4])
def test_pixels_equal_image_processor_frame_by_frame(tiny_models, kind, count):
    settings = QwenVLSettings.from_pretrained(tiny_models[kind])
    frames = random_frames(count, seed=count)
    pixels, grid = video_inputs(frames, settings)
    assert pixels.dtype == np.float32 and grid.dtype == np.int64
    tps, p = settings.temporal_patch_size, settings.patch_size
    processor = image_processor(settings, count)
    per_frame = [processor(images=frame, return_tensors="np") for frame in frames]
    for out in per_frame:
        assert out["image_grid_thw"].tolist() == [[1, *grid[0, 1:].tolist()]]
    grid_t, grid_h, grid_w = grid[0].tolist()
    assert grid_t == -(-count // tps)
    ours = pixels.reshape(grid_t, grid_h * grid_w, 3, tps, p * p)
    for g in range(grid_t):
        for k in range(tps):
            frame = min(g * tps + k, count - 1)  # the last frame pads the last temporal patch
            theirs = per_frame[frame]["pixel_values"].reshape(grid_h * grid_w, 3, tps, p * p)
            np.testing.assert_array_equal(ours[g, :, :, k], theirs[:, :, 0])
    if count == 1:  # a one-frame video is the image path exactly (the frame repeated in every row)
        np.testing.assert_array_equal(pixels, per_frame[0]["pixel_values"])


@pytest.mark.parametrize("kind", KINDS)
def test_expected_grids(tiny_models, kind):
    settings = QwenVLSettings.from_pretrained(tiny_models[kind])
    _, grid = video_inputs(random_frames(4), settings)
    # 64x80 -> 56x84 (patch 14) or 64x64 (patch 16, round(2.5) == 2)
    assert grid.tolist() == ([[2, 4, 6]] if kind != "qwen3_vl" else [[2, 4, 4]])


@pytest.mark.parametrize("kind", KINDS)
def test_frames_already_sized_and_size_override(tiny_models, kind):
    settings = QwenVLSettings.from_pretrained(tiny_models[kind])
    h, w = settings.frame_size(64, 80, 2)
    sized = random_frames(2, h, w, seed=5)
    pixels, grid = video_inputs(sized, settings)
    theirs = image_processor(settings, 2)(images=sized[0], return_tensors="np")["pixel_values"]
    p, tps = settings.patch_size, settings.temporal_patch_size
    np.testing.assert_array_equal(pixels.reshape(-1, 3, tps, p * p)[:, :, 0], theirs.reshape(-1, 3, tps, p * p)[:, :, 0])
    # The caller's size wins over the model's rule.
    big = 2 * settings.factor
    _, grid = video_inputs(random_frames(2), settings, size=(big, 3 * settings.factor))
    assert grid.tolist() == [[1, big // p, 3 * settings.factor // p]]
    with pytest.raises(ValueError, match="multiple"):
        video_inputs(random_frames(2), settings, size=(big + 1, big))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("count", [3, 4])
def test_patch_layout_equals_video_processor_patchify(tiny_models, kind, count):
    # Qwen3VLVideoProcessor.patchify is torch only; Qwen2VLVideoProcessor's is the same code but its module
    # imports torchvision. Both pad odd frame counts with the last frame.
    import torch

    settings = QwenVLSettings.from_pretrained(tiny_models[kind])
    video = normalize_frames(random_frames(count, seed=9), settings)
    ours, grid = patchify(video, settings)
    theirs, *their_grid = qwen3_video_processor(settings).patchify(
        torch.from_numpy(video)[None], settings.patch_size, settings.merge_size, settings.temporal_patch_size)
    assert list(their_grid) == grid[0].tolist()
    np.testing.assert_array_equal(ours, theirs[0].numpy())


def test_bad_frames_rejected(tiny_models):
    settings = QwenVLSettings.from_pretrained(tiny_models["qwen2_vl"])
    with pytest.raises(ValueError, match="uint8"):
        video_inputs(random_frames(2).astype(np.float32), settings)
    with pytest.raises(ValueError, match="T, H, W, 3"):
        video_inputs(random_frames(2)[..., :2], settings)


# ---------------------------------------------------------------- prompts


def test_temporal_patch_timestamps_equal_qwen3_processor():
    from transformers import Qwen3VLProcessor

    for indices, fps in (([0, 10, 20, 30, 40], 30.0), ([0, 15, 30, 45], 30.0), ([3], 24.0), ([0, 7, 14], 29.97)):
        theirs = Qwen3VLProcessor._calculate_timestamps(None, list(indices), fps, 2)
        assert temporal_patch_timestamps([i / fps for i in indices], 2) == theirs


@pytest.mark.parametrize("kind", KINDS)
def test_placeholder_equals_processor_replacement(tiny_models, kind):
    from transformers import Qwen2_5_VLProcessor, Qwen3VLProcessor
    from transformers.video_utils import VideoMetadata

    settings = QwenVLSettings.from_pretrained(tiny_models[kind])
    grid = np.array([[3, 4, 6]])
    indices, fps = [0, 12, 24, 36, 48], 24.0
    stand_in = SimpleNamespace(
        video_processor=SimpleNamespace(merge_size=settings.merge_size, temporal_patch_size=2),
        video_token=VIDEO_PAD, vision_start_token=VISION_START, vision_end_token=VISION_END,
    )
    inputs = {"video_grid_thw": grid,
              "video_metadata": [VideoMetadata(total_num_frames=60, fps=fps, frames_indices=list(indices))]}
    ours = video_placeholder(settings, grid[0], [i / fps for i in indices])
    if kind == "qwen3_vl":
        stand_in._calculate_timestamps = lambda *args: Qwen3VLProcessor._calculate_timestamps(stand_in, *args)
        theirs = Qwen3VLProcessor.replace_video_token(stand_in, inputs, 0)
        assert ours == theirs
        assert ours.startswith("<0.2 seconds><|vision_start|>" + VIDEO_PAD * 6 + "<|vision_end|><1.2 seconds>")
    else:
        theirs = Qwen2_5_VLProcessor.replace_video_token(stand_in, inputs, 0)
        assert ours == VISION_START + theirs + VISION_END
        assert ours.count(VIDEO_PAD) == 18


def test_qwen3_prompt_tokens_equal_processor_without_outer_markers(tiny_models, generators, monkeypatch):
    # Qwen3VLProcessor on frames that need no resizing (its resize and normalize need torchvision). 5.24
    # replaces only the template's <|video_pad|>, so its text keeps the template's <|vision_start|> before the
    # first timestamp and <|vision_end|> after the last group; Qwen's reference code (and ours) replaces the
    # whole <|vision_start|><|video_pad|><|vision_end|>. Otherwise the tokens are identical.
    import torch
    from transformers import Qwen2VLImageProcessorPil, Qwen3VLProcessor
    from transformers.models.qwen3_vl.video_processing_qwen3_vl import Qwen3VLVideoProcessor
    from transformers.processing_utils import ProcessorMixin
    from transformers.video_utils import VideoMetadata

    path, gen = tiny_models["qwen3_vl"], generators["qwen3_vl"]
    # Without torchvision the video-processor registry is a stub, which fails the class check only.
    monkeypatch.setattr(ProcessorMixin, "check_argument_for_proper_class", lambda self, name, arg: None)
    processor = Qwen3VLProcessor(
        image_processor=Qwen2VLImageProcessorPil.from_pretrained(path), tokenizer=gen.tokenizer,
        video_processor=Qwen3VLVideoProcessor.from_pretrained(path), chat_template=gen.tokenizer.chat_template,
    )
    frames, indices, fps = random_frames(3, 64, 64), [0, 15, 30], 30.0
    text = chat_text("What moves?", with_video=True, family="qwen3_vl", tokenizer=gen.tokenizer)
    theirs = processor(
        text=[text], videos=[frames], video_metadata=[VideoMetadata(total_num_frames=45, fps=fps, frames_indices=indices)],
        do_resize=False, do_normalize=False, do_convert_rgb=False, do_sample_frames=False,
        cap_pixels_per_frame=False, return_tensors="pt",
    )
    ours = gen.prepare([VideoQuery("What moves?", frames, [i / fps for i in indices])])
    assert ours["video_grid_thw"].tolist() == theirs["video_grid_thw"].tolist() == [[2, 4, 4]]
    ids = theirs["input_ids"][0].tolist()
    start, end = gen.tokenizer.convert_tokens_to_ids([VISION_START, VISION_END])
    outer_start = ids.index(start)
    outer_end = len(ids) - 1 - ids[::-1].index(end)
    assert gen.tokenizer.decode(ids[outer_start + 1 : outer_start + 2]) == "<"  # a timestamp follows
    keep = [i for i in range(len(ids)) if i not in (outer_start, outer_end)]
    assert ours["input_ids"][0].tolist() == [ids[i] for i in keep]
    assert ours["mm_token_type_ids"][0].tolist() == [theirs["mm_token_type_ids"][0].tolist()[i] for i in keep]
    assert torch.equal(ours["attention_mask"], torch.ones_like(ours["input_ids"]))


def test_qwen3_prompt_text(tiny_models, generators):
    gen = generators["qwen3_vl"]
    text, _, _ = gen.prompt(VideoQuery("Q?", random_frames(4), [0.0, 0.5, 1.0, 1.5]))
    pads = VIDEO_PAD * 4
    assert text == (
        "<|im_start|>user\n"
        f"<0.2 seconds>{VISION_START}{pads}{VISION_END}<1.2 seconds>{VISION_START}{pads}{VISION_END}"
        "Q?<|im_end|>\n<|im_start|>assistant\n"
    )
    with pytest.raises(ValueError, match="timestamps"):
        gen.prompt(VideoQuery("Q?", random_frames(4)))


@pytest.mark.parametrize("kind", KINDS)
def test_default_chat_text_equals_qwen_template(generators, kind):
    gen = generators[kind]
    for with_video in (True, False):
        for system in (None, "Be brief."):
            assert default_chat_text(kind, "Q?", with_video=with_video, system=system) == chat_text(
                "Q?", with_video=with_video, family=kind, tokenizer=gen.tokenizer, system=system)
    settings = gen.settings
    assert build_prompt(settings, "Q?") == chat_text("Q?", with_video=False, family=kind, tokenizer=gen.tokenizer)


def test_second_per_grid_equals_sampled_fps_rule():
    # transformers: temporal_patch_size / VideoMetadata.sampled_fps (n / clip duration); ours: spacing of the
    # sampled times. Equal for frames at a constant step from the clip's start, up to float rounding of the
    # two different expressions (hence approx at 1e-12, not ==).
    from transformers.video_utils import VideoMetadata

    settings = QwenVLSettings.defaults("qwen2_5_vl")
    for n, step, fps in ((4, 10, 30.0), (8, 3, 25.0), (16, 1, 29.97)):
        indices = list(range(0, n * step, step))
        meta = VideoMetadata(total_num_frames=n * step, fps=fps, frames_indices=indices)
        ours = seconds_per_grid(settings, [i / fps for i in indices])
        assert ours == pytest.approx(2 / meta.sampled_fps, rel=1e-12)
    assert sampling_rate([1.0]) == sampling_rate(None) == 24.0  # transformers' fallback without metadata
    assert seconds_per_grid(settings, [0.0, 1.0], sampled_fps=4.0) == 0.5


def test_qwen2_5_second_per_grid_in_inputs(generators):
    gen = generators["qwen2_5_vl"]
    frames = random_frames(4)
    from_times = gen.prepare([VideoQuery("Q?", frames, [0.0, 0.25, 0.5, 0.75])])["second_per_grid_ts"]
    overridden = gen.prepare([VideoQuery("Q?", frames, [0.0, 0.25, 0.5, 0.75], sampled_fps=1.0)])["second_per_grid_ts"]
    assert from_times.tolist() == [0.5] and overridden.tolist() == [2.0]


# ---------------------------------------------------------------- generation


@pytest.mark.parametrize("kind", KINDS)
def test_placeholders_match_video_features_and_generate(generators, kind):
    import torch

    gen = generators[kind]
    query = VideoQuery("What happens?", random_frames(4), [0.0, 0.5, 1.0, 1.5])
    inputs = gen.prepare([query])
    n_pads = int((inputs["input_ids"] == gen.video_token_id).sum())
    assert n_pads == gen.settings.num_video_tokens(inputs["video_grid_thw"][0].tolist()) == (
        12 if kind != "qwen3_vl" else 8)
    assert torch.equal(inputs["mm_token_type_ids"] == 2, inputs["input_ids"] == gen.video_token_id)
    with torch.inference_mode():
        features = gen.model.get_video_features(inputs["pixel_values_videos"], inputs["video_grid_thw"])
    assert sum(f.shape[0] for f in features.pooler_output) == n_pads
    if kind == "qwen2_5_vl":
        assert inputs["second_per_grid_ts"].tolist() == [1.0]  # 2 frames per patch at 2 fps
    else:
        assert "second_per_grid_ts" not in inputs
    answers = gen.generate([query], max_new_tokens=4)
    assert len(answers) == 1 and isinstance(answers[0], str)


@pytest.mark.parametrize("kind", KINDS)
def test_text_only_prompt(generators, kind):
    gen = generators[kind]
    inputs = gen.prepare([VideoQuery("Is the sky blue?")])
    assert set(inputs) == {"input_ids", "attention_mask", "mm_token_type_ids"}
    assert int((inputs["input_ids"] == gen.video_token_id).sum()) == 0
    assert int(inputs["mm_token_type_ids"].sum()) == 0
    answers = gen.generate(["Is the sky blue?"], max_new_tokens=4)
    assert len(answers) == 1 and isinstance(answers[0], str)


def mixed_queries():
    return [
        VideoQuery("What happens first?", random_frames(4, seed=1), [0.0, 0.5, 1.0, 1.5]),
        VideoQuery("Answer without the video: yes or no?"),
        ("Describe the motion of the hands in detail.", random_frames(3, 40, 120, seed=2), [0.2, 0.4, 0.6]),
        VideoQuery("Short?", random_frames(2, 96, 64, seed=3), [0.0, 1.0]),
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_batched_equals_one_at_a_time(generators, kind):
    gen = generators[kind]
    queries = mixed_queries()
    batched = gen.generate(queries, max_new_tokens=8)
    single = [gen.generate([query], max_new_tokens=8)[0] for query in queries]
    assert batched == single
    assert gen.generate(queries, max_new_tokens=8, batch_size=3) == single
    # Left padding: every row ends with the generation prompt.
    inputs = gen.prepare(queries)
    assert inputs["attention_mask"][:, -1].tolist() == [1, 1, 1, 1]
    assert inputs["attention_mask"][:, 0].tolist().count(0) == 3


def test_greedy_is_deterministic_and_sampling_follows_seed(generators):
    gen = generators["qwen2_5_vl"]
    queries = mixed_queries()[:2]
    assert gen.generate(queries, max_new_tokens=6) == gen.generate(queries, max_new_tokens=6)
    assert gen.generate(queries, max_new_tokens=6, temperature=0.0, do_sample=False) == gen.generate(
        queries, max_new_tokens=6)
    first = gen.generate(queries, max_new_tokens=6, temperature=1.5, seed=3)
    assert gen.generate(queries, max_new_tokens=6, temperature=1.5, seed=3) == first


def test_tiny_builder_is_deterministic(tmp_path, tiny_models):
    # Rebuilt in another process with another hash seed: byte-identical files.
    import os

    again = tmp_path / "again"
    code = f"from tiny_qwen_vl import build_tiny_qwen_vl; build_tiny_qwen_vl('qwen3_vl', {str(again)!r})"
    env = {**os.environ, "PYTHONHASHSEED": "123", "PYTHONPATH": str(Path(__file__).parent)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, cwd=tmp_path)
    original = tiny_models["qwen3_vl"]
    names = sorted(p.name for p in original.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    assert "video_preprocessor_config.json" in names and "model.safetensors" in names
    for name in names:
        assert (original / name).read_bytes() == (again / name).read_bytes(), name


def test_generator_checks_token_ids(tiny_models, tmp_path):
    import json

    folder = tmp_path / "broken"
    folder.mkdir()
    for path in tiny_models["qwen2_vl"].iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    config = json.loads((folder / "config.json").read_text())
    config["video_token_id"] = config["image_token_id"]
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="video_pad"):
        QwenVLGenerator(folder, device="cpu")
