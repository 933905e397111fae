"""Sampling protocols against hand-computed indices and frame sizes (pure arithmetic, no video files).

Each expected list below was worked out from the reference formula by hand; the comments show the
arithmetic. References: lmms-eval 0.7.3 ``read_video`` / ``load_video_decord``; qwen-vl-utils 0.0.14
``smart_nframes`` / ``fetch_video``; VLMEvalKit 0.2rc1 ``VideoBaseDataset.save_video_frames``.
"""

from __future__ import annotations

import pickle

import pytest

from finemotion_eval.video_io import (
    DEFAULT_PROTOCOL,
    FAVOR_OFFICIAL_PROTOCOL,
    PROTOCOL_NAMES,
    SamplingProtocol,
    lmms_decord_indices,
    lmms_indices,
    qwen_frame_size,
    qwen_indices,
    qwen_nframes,
    torch_linspace_rounded,
    vlmeval_fps_indices,
    vlmeval_indices,
)

NTSC = 30000 / 1001  # 29.97...

# ---------------------------------------------------------------- indices, protocol by protocol

INDEX_CASES = [
    # starter_kit: step = max(1, min(round(fps / 3), total // 8)), frames 0, step, ... (at most 8)
    ("starter_kit", 48, 24.0, [0, 6, 12, 18, 24, 30, 36, 42]),  # min(8, 6) = 6
    ("starter_kit", 61, 30.0, [0, 7, 14, 21, 28, 35, 42, 49]),  # min(10, 7) = 7
    ("starter_kit", 300, 29.97, [0, 10, 20, 30, 40, 50, 60, 70]),  # min(10, 37) = 10
    ("starter_kit", 7, 30.0, [0, 1, 2, 3, 4, 5, 6]),  # min(10, 0) -> 1
    ("starter_kit", 1, 30.0, [0]),
    ("starter_kit", 0, 30.0, []),
    # uniform:8: floor((2i + 1) * total / 16)
    ("uniform:8", 48, 24.0, [3, 9, 15, 21, 27, 33, 39, 45]),
    ("uniform:8", 61, 30.0, [3, 11, 19, 26, 34, 41, 49, 57]),
    ("uniform:8", 7, 24.0, [0, 1, 2, 3, 4, 5, 6]),
    ("uniform:8", 0, 24.0, []),
    # fps:1: floor(k * fps) while below the clip's length
    ("fps:1", 61, 30.0, [0, 30, 60]),
    ("fps:1", 300, 29.97, [0, 29, 59, 89, 119, 149, 179, 209, 239, 269, 299]),  # 10 * 29.97 = 299.7
    ("fps:1:2", 300, 29.97, [59, 239]),  # uniform:2 over those 11
    ("fps:48", 7, 24.0, [0, 1, 2, 3, 4, 5, 6]),  # above the clip's rate: every frame once
    # lmms:N: linspace(0, total - 1, min(N, total)) truncated
    ("lmms:8", 48, 24.0, [0, 6, 13, 20, 26, 33, 40, 47]),  # step 47/7 = 6.71
    ("lmms:8", 61, 30.0, [0, 8, 17, 25, 34, 42, 51, 60]),  # step 60/7 = 8.57
    ("lmms:16", 300, NTSC, [0, 19, 39, 59, 79, 99, 119, 139, 159, 179, 199, 219, 239, 259, 279, 299]),  # 299/15 = 19.93
    ("lmms:8", 7, 24.0, [0, 1, 2, 3, 4, 5, 6]),  # count min(8, 7) = 7: no repeats
    ("lmms:8", 1, 30.0, [0]),
    ("lmms:8", 0, 30.0, []),
    # lmms:N:fps=R: count first capped at int(total / rate * R)
    ("lmms:8:fps=1", 48, 24.0, [0, 47]),  # int(2.0) = 2
    ("lmms:8:fps=2", 61, 30.0, [0, 20, 40, 60]),  # int(4.07) = 4
    ("lmms:32:fps=1", 300, NTSC, [0, 33, 66, 99, 132, 166, 199, 232, 265, 299]),  # int(10.01) = 10, step 33.2
    ("lmms:8:fps=48", 7, 24.0, [0, 1, 2, 3, 4, 5, 6]),  # int(14.0) = 14, then min(8, 7)
    ("lmms:8:fps=1", 20, 30.0, list(range(20))),  # int(0.67) = 0: lmms-eval falls back to every frame
    ("lmms:8:fps=1", 61, 0.0, list(range(61))),  # unknown rate: the same fallback
    # lmms_decord:N: linspace(0, total - 1, N) truncated, not capped
    ("lmms_decord:8", 48, 24.0, [0, 6, 13, 20, 26, 33, 40, 47]),
    ("lmms_decord:8", 7, 24.0, [0, 0, 1, 2, 3, 4, 5, 6]),  # step 6/7 = 0.857: frame 0 twice
    ("lmms_decord:4", 1, 30.0, [0, 0, 0, 0]),
    ("lmms_decord:8", 0, 30.0, []),
    # qwen (fps=2, min_frames 4, max_frames min(768, total)): n = floor_even(clamp(total / fps * 2)),
    # then torch.linspace(0, total - 1, n).round()
    ("qwen", 48, 24.0, [0, 16, 31, 47]),  # n = 4; 47/3 = 15.67 -> 16, 47 - 15.67 = 31.33 -> 31
    ("qwen", 61, 30.0, [0, 20, 40, 60]),  # 4.07 -> 4
    ("qwen", 7, 24.0, [0, 2, 4, 6]),  # 0.58 raised to min_frames 4
    ("qwen", 3, 30.0, [0, 2]),  # max_frames floor_even(3) = 2 wins over min_frames
    ("qwen", 0, 30.0, []),
    ("qwen:fps=60.0", 7, 24.0, [0, 1, 2, 4, 5, 6]),  # 17.5 -> max_frames 6; step 1.2: 3.6 -> 4, 4.8 -> 5
    ("qwen:fps=2.0:min_frames=5:max_frames=9", 61, 30.0, [0, 12, 24, 36, 48, 60]),  # bounds 6..8, 4.07 -> 6
    # FAVOR official: fps=1; 300 frames at 29.97 -> n = floor_even(10.01) = 10, step 299/9 = 33.22
    ("qwen:fps=1.0:max_pixels=151200", 300, NTSC, [0, 33, 66, 100, 133, 166, 199, 233, 266, 299]),
    # qwen:nframes=N: n = round(N / 2) * 2
    ("qwen:nframes=8", 48, 24.0, [0, 7, 13, 20, 27, 34, 40, 47]),  # step 6.71: 6.71 -> 7, 26.86 -> 27
    ("qwen:nframes=7", 61, 30.0, [0, 9, 17, 26, 34, 43, 51, 60]),  # 7 -> 8; step 8.57
    ("qwen:nframes=5", 61, 30.0, [0, 20, 40, 60]),  # 5 -> round(2.5) * 2 = 4
    ("qwen:nframes=8", 61, 0.0, [0, 9, 17, 26, 34, 43, 51, 60]),  # the nframes form needs no frame rate
    # vlmeval:N: int(i * total / (N + 1)) for i = 1..N
    ("vlmeval:8", 48, 24.0, [5, 10, 16, 21, 26, 32, 37, 42]),  # step 5.33
    ("vlmeval:8", 61, 30.0, [6, 13, 20, 27, 33, 40, 47, 54]),  # step 6.78
    ("vlmeval:8", 300, NTSC, [33, 66, 100, 133, 166, 200, 233, 266]),  # step 33.33
    ("vlmeval:8", 7, 24.0, [0, 1, 2, 3, 3, 4, 5, 6]),  # step 0.78: frame 3 twice
    ("vlmeval:8", 1, 30.0, [0] * 8),
    ("vlmeval:8", 0, 30.0, []),
    # vlmeval:fps=R: int(total / fps * R) frames int(i * fps / R)
    ("vlmeval:fps=1", 48, 24.0, [0, 24]),
    ("vlmeval:fps=1", 61, 30.0, [0, 30]),  # int(2.03) = 2, where fps:1 gives 3
    ("vlmeval:fps=2", 61, 30.0, [0, 15, 30, 45]),
    ("vlmeval:fps=1", 300, 29.97, [0, 29, 59, 89, 119, 149, 179, 209, 239, 269]),  # int(10.01) = 10
    ("vlmeval:fps=48", 7, 24.0, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]),  # above the clip's rate: repeats
    ("vlmeval:fps=1", 1, 30.0, []),  # int(0.03) = 0
    ("vlmeval:fps=1", 0, 30.0, []),
]


@pytest.mark.parametrize(("spec", "total", "fps", "expected"), INDEX_CASES)
def test_protocol_indices_match_hand_computed(spec, total, fps, expected):
    assert SamplingProtocol.parse(spec).indices(total, fps) == expected


def test_every_protocol_has_hand_computed_cases():
    assert {spec.split(":")[0] for spec, *_ in INDEX_CASES} == set(PROTOCOL_NAMES)


def test_lmms_truncates_numpys_float_products():
    # linspace(0, 30, 23)[11] = 11 * (30 / 22) is 15 exactly, but 14.999999999999998 in float64: 14.
    assert lmms_indices(31, 30.0, 23) == [0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 19, 20, 21, 23, 24, 25, 27, 28, 30]


def test_lmms_fps_cap_divides_by_the_exact_stream_rate():
    # 24000 frames at 24000/1001 fps last 1001 s exactly: lmms-eval's Fraction arithmetic caps at 1001
    # frames, where 24000 / 23.976... in floats would give 1000.9999999999999 -> 1000.
    indices = lmms_indices(24000, 24000 / 1001, 2000, 1.0)
    assert len(indices) == 1001
    assert indices[:3] == [0, 23, 47] and indices[-1] == 23999


def test_lmms_and_vlmeval_reject_bad_arguments():
    with pytest.raises(ValueError, match="num_frames"):
        lmms_indices(10, 30.0, 0)
    with pytest.raises(ValueError, match="num_frames"):
        lmms_decord_indices(10, 0)
    with pytest.raises(ValueError, match="num_frames"):
        vlmeval_indices(10, 0)
    with pytest.raises(ValueError, match="frame rate"):
        vlmeval_fps_indices(10, 0.0, 1.0)


# ---------------------------------------------------------------- qwen-vl-utils specifics


@pytest.mark.parametrize(("requested", "sampled"), [(2, 2), (3, 4), (4, 4), (5, 4), (7, 8), (9, 8), (10, 10), (11, 12)])
def test_qwen_nframes_rounds_half_to_even(requested, sampled):
    assert qwen_nframes(100, 30.0, nframes=requested) == sampled


def test_qwen_fps_form_bounds():
    assert qwen_nframes(48, 24.0) == 4  # 48 / 24 * 2 = 4
    assert qwen_nframes(300, 29.97, sample_fps=1.0) == 10
    assert qwen_nframes(100_000, 30.0) == 768  # 6666.7 capped at FPS_MAX_FRAMES
    assert qwen_nframes(100_000, 30.0, max_frames=33) == 32  # max_frames rounded down to even
    assert qwen_nframes(61, 30.0, min_frames=5) == 6  # min_frames rounded up to even
    assert qwen_nframes(7, 24.0, sample_fps=60.0) == 6  # 17.5 -> floor_even(7) = 6


@pytest.mark.parametrize(
    ("total", "fps", "kwargs"),
    [
        (1, 30.0, {}),  # max_frames floor_even(1) = 0
        (7, 24.0, {"nframes": 8}),  # more frames than the clip has
        (3, 30.0, {"nframes": 5}),  # 5 -> 4 > 3
        (48, 0.0, {}),  # fps form needs the clip's rate
        (48, 24.0, {"nframes": 8, "sample_fps": 1.0}),  # both forms at once
    ],
)
def test_qwen_value_errors(total, fps, kwargs):
    with pytest.raises(ValueError):
        qwen_indices(total, fps, **kwargs)


def test_qwen_nframes_above_clip_length_raises_through_the_protocol():
    with pytest.raises(ValueError, match=r"nframes <= total_frames \(7\), got 8"):
        SamplingProtocol.parse("qwen:nframes=8").indices(7, 24.0)


def test_torch_linspace_rounds_half_to_even():
    assert torch_linspace_rounded(5, 3) == [0, 2, 5]  # 2.5 -> 2
    assert torch_linspace_rounded(7, 3) == [0, 4, 7]  # 3.5 -> 4
    assert torch_linspace_rounded(9, 5) == [0, 2, 4, 7, 9]  # 2.25, 4.5 -> 4, 6.75
    assert torch_linspace_rounded(0, 2) == [0, 0]
    assert torch_linspace_rounded(10, 1) == [0]


def test_qwen_indices_follow_torch_float32():
    # 12360 frames at 30 fps: n = 768 and value 551 is 8878.4993 exactly, 8878.5 in float32: half to even, 8878.
    assert SamplingProtocol.parse("qwen").indices(12360, 30.0)[550:553] == [8862, 8878, 8895]
    # 18946 frames at 29.97 fps: value 762 is 18821.4993 exactly, 18821.5 in float32: 18822, where
    # np.rint(np.linspace(...)) in float64 gives 18821.
    assert SamplingProtocol.parse("qwen").indices(18946, 29.97)[760:765] == [18772, 18797, 18822, 18846, 18871]


def test_torch_linspace_emulation_matches_torch():
    torch = pytest.importorskip("torch")
    cases = [(end, steps) for end in range(1, 300, 7) for steps in range(2, min(end + 1, 64) + 1, 2)]
    cases += [(12359, 768), (18945, 768), (19942, 512), (13960, 768), (29912, 512), (200_000, 768)]
    for end, steps in cases:
        assert torch_linspace_rounded(end, steps) == torch.linspace(0, end, steps).round().long().tolist(), (end, steps)


FRAME_SIZE_CASES = [
    # FAVOR official (max_pixels 151200, factor 28): 1296x1080 rounds to 1288x1092, too large:
    # beta = sqrt(1296 * 1080 / 151200) = 3.043; floor(425.96 / 28) * 28 = 420, floor(354.97 / 28) * 28 = 336
    ("qwen:fps=1.0:max_pixels=151200", 1296, 1080, 10, (420, 336)),
    # 160x192 rounds to 168x196 = 32928 < min_pixels 128 * 28**2 = 100352: beta = sqrt(100352 / 30720) = 1.807;
    # ceil(289.2 / 28) * 28 = 308, ceil(347.0 / 28) * 28 = 364
    ("qwen:fps=1.0:max_pixels=151200", 160, 192, 10, (308, 364)),
    # default, 8 frames: bound min(768 * 784, 90316800 / 8 * 2) = 602112; beta 1.525: 850.0 -> 840, 708.4 -> 700
    ("qwen", 1296, 1080, 8, (840, 700)),
    # default, 768 frames: bound 90316800 / 768 * 2 = 235200; beta 2.439: 531.3 -> 504, 442.7 -> 420
    ("qwen", 1296, 1080, 768, (504, 420)),
    ("qwen", 160, 192, 8, (308, 364)),
    # total_pixels 1e6, 10 frames: bound 200000; beta 2.645: 489.9 -> 476, 408.3 -> 392
    ("qwen:total_pixels=1000000", 1296, 1080, 10, (476, 392)),
    # total_pixels 1000: bound falls to int(100352 * 1.05) = 105369; beta 3.645: 355.6 -> 336, 296.3 -> 280
    ("qwen:total_pixels=1000", 1296, 1080, 8, (336, 280)),
    # min_pixels 200000: beta = sqrt(200000 / 30720) = 2.552: ceil(408.2 / 28) * 28 = 420, ceil(489.9 / 28) * 28 = 504
    ("qwen:min_pixels=200000:max_pixels=300000", 160, 192, 8, (420, 504)),
    # patch 16 (factor 32, bound 768 * 1024 = 786432): 1296x1080 rounds to 1280x1088; beta 1.334: 971.4 -> 960, 809.5 -> 800
    ("qwen:patch=16", 1296, 1080, 8, (960, 800)),
    # patch 16, min_pixels 128 * 1024 = 131072: beta 2.066: ceil(330.5 / 32) * 32 = 352, ceil(396.6 / 32) * 32 = 416
    ("qwen:patch=16", 160, 192, 8, (352, 416)),
    # other protocols send the decoded size
    ("starter_kit", 1296, 1080, 8, (1296, 1080)),
    ("lmms:8", 160, 192, 8, (160, 192)),
    ("vlmeval:fps=1", 1296, 1080, 3, (1296, 1080)),
]


@pytest.mark.parametrize(("spec", "height", "width", "frames", "size"), FRAME_SIZE_CASES)
def test_frame_size(spec, height, width, frames, size):
    assert SamplingProtocol.parse(spec).frame_size(height, width, frames) == size


def test_qwen_frame_size_errors():
    with pytest.raises(ValueError, match="num_frames"):
        qwen_frame_size(1296, 1080, 0)
    with pytest.raises(ValueError, match="aspect ratio"):
        qwen_frame_size(4000, 10, 8)


# ---------------------------------------------------------------- specs

SPECS = [
    # (spec as written, canonical str, fields)
    ("starter_kit", "starter_kit:8:3.0", SamplingProtocol("starter_kit", 8, 3.0)),
    ("uniform:16", "uniform:16", SamplingProtocol("uniform", 16, None)),
    ("fps:2:32", "fps:2.0:32", SamplingProtocol("fps", 32, 2.0)),
    ("lmms:8", "lmms:8", SamplingProtocol("lmms", 8, None)),
    ("lmms:32:fps=1", "lmms:32:fps=1.0", SamplingProtocol("lmms", 32, 1.0)),
    ("lmms_decord:8", "lmms_decord:8", SamplingProtocol("lmms_decord", 8, None)),
    ("qwen", "qwen:fps=2.0", SamplingProtocol("qwen", None, 2.0)),
    ("qwen:nframes=8", "qwen:nframes=8", SamplingProtocol("qwen", 8, None)),
    ("qwen:max_pixels=151200:fps=1", "qwen:fps=1.0:max_pixels=151200", SamplingProtocol("qwen", None, 1.0, max_pixels=151200)),
    (
        " qwen:patch=16:total_pixels=9000000:min_pixels=50000:max_frames=64:min_frames=8:fps=0.5 ",
        "qwen:fps=0.5:min_frames=8:max_frames=64:min_pixels=50000:total_pixels=9000000:patch=16",
        SamplingProtocol("qwen", 64, 0.5, min_frames=8, min_pixels=50000, total_pixels=9000000, patch_size=16),
    ),
    (
        "qwen:nframes=16:max_pixels=151200",
        "qwen:nframes=16:max_pixels=151200",
        SamplingProtocol("qwen", 16, None, max_pixels=151200),
    ),
    ("vlmeval:8", "vlmeval:8", SamplingProtocol("vlmeval", 8, None)),
    ("vlmeval:fps=0.5", "vlmeval:fps=0.5", SamplingProtocol("vlmeval", None, 0.5)),
]


@pytest.mark.parametrize(("spec", "canonical", "protocol"), SPECS)
def test_spec_parse_and_round_trip(spec, canonical, protocol):
    parsed = SamplingProtocol.parse(spec)
    assert parsed == protocol
    assert str(parsed) == canonical
    assert SamplingProtocol.parse(canonical) == parsed
    assert "," not in canonical


def test_specs_survive_lmms_eval_model_args():
    from lmms_eval.utils import simple_parse_args_string

    specs = [canonical for _, canonical, _ in SPECS]
    args = ",".join(f"sampling{i}={spec}" for i, spec in enumerate(specs))
    assert list(simple_parse_args_string(f"pretrained=m,{args}").values())[1:] == specs


def test_named_protocols():
    assert str(DEFAULT_PROTOCOL) == "starter_kit:8:3.0"
    assert FAVOR_OFFICIAL_PROTOCOL == SamplingProtocol.parse("qwen:fps=1.0:max_pixels=151200")
    assert str(FAVOR_OFFICIAL_PROTOCOL) == "qwen:fps=1.0:max_pixels=151200"
    assert "qwen-vl-utils 0.0.14" in FAVOR_OFFICIAL_PROTOCOL.reference
    assert PROTOCOL_NAMES == ("starter_kit", "uniform", "fps", "lmms", "lmms_decord", "qwen", "vlmeval")


def test_protocol_is_a_small_value_object():
    protocol = SamplingProtocol.parse("qwen:fps=1.0:max_pixels=151200")
    assert pickle.loads(pickle.dumps(protocol)) == protocol
    assert len({protocol, SamplingProtocol.parse("qwen:max_pixels=151200:fps=1"), DEFAULT_PROTOCOL}) == 2
    with pytest.raises(AttributeError):
        protocol.rate = 2.0  # type: ignore[misc]


BAD_SPECS = [
    ("", "unknown protocol ''; known: starter_kit, uniform, fps, lmms, lmms_decord, qwen, vlmeval"),
    ("random:8", "unknown protocol 'random'; known: starter_kit"),
    ("qwen:fps=1.0,max_pixels=151200", "never contains ','"),
    ("uniform:8:", "empty part"),
    ("lmms", "number of frames is missing"),
    ("lmms:0", "num_frames must be an integer >= 1"),
    ("lmms:8.5", "num_frames must be an integer"),
    ("lmms:8:rate=2", "unknown option 'rate' (options: fps)"),
    ("lmms:fps=1:8", "positional value '8' after a key=value option"),
    ("lmms:8:fps=0", "fps must be a finite number > 0"),
    ("lmms_decord:8:fps=1", "unknown option 'fps'"),
    ("lmms_decord:4:4", "at most 1 positional"),
    ("qwen:8", "at most 0 positional"),
    ("qwen:nframes=1", "nframes must be an integer >= 2"),
    ("qwen:nframes=8:fps=1", "nframes and fps exclude each other"),
    ("qwen:nframes=8:max_frames=8", "nframes and max_frames exclude each other"),
    ("qwen:fps=1:fps=2", "option 'fps' given twice"),
    ("qwen:fps=", "fps must be a number, got ''"),
    ("qwen:fps=nan", "fps must be a finite number > 0"),
    ("qwen:fps=inf", "fps must be a finite number > 0"),
    ("qwen:max_frames=1", "max_frames must be an integer >= 2"),
    ("qwen:max_pixels=151200.0", "max_pixels must be an integer"),
    ("qwen:max_pixels=1000", "max_pixels (1000) is below min_pixels (100352)"),
    ("qwen:patch=15", "patch must be one of (14, 16)"),
    ("qwen:size=3", "unknown option 'size'"),
    ("vlmeval", "either a number of frames or fps=RATE"),
    ("vlmeval:8:fps=1", "either a number of frames or fps=RATE"),
    ("fps:-1", "sample_fps must be a finite number > 0"),
    ("starter_kit:8:3:1", "at most 2 positional"),
]


@pytest.mark.parametrize(("spec", "message"), BAD_SPECS)
def test_bad_specs_are_named_and_explained(spec, message):
    with pytest.raises(ValueError) as err:
        SamplingProtocol.parse(spec)
    assert f"bad sampling spec {spec!r}" in str(err.value)
    assert message in str(err.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "nope"},
        {"name": "uniform", "max_frames": 8, "rate": None, "max_pixels": 151200},  # qwen-only option
        {"name": "uniform", "max_frames": 8, "rate": 2.0},
        {"name": "starter_kit", "max_frames": None},
        {"name": "qwen", "max_frames": None, "rate": None},
        {"name": "qwen", "max_frames": 8, "rate": None, "min_frames": 4},
        {"name": "vlmeval", "max_frames": 8, "rate": 1.0},
        {"name": "lmms", "max_frames": True, "rate": None},
    ],
)
def test_constructor_validates(kwargs):
    with pytest.raises(ValueError, match="bad sampling protocol"):
        SamplingProtocol(**kwargs)
