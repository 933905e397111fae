"""Tiny random Qwen2-VL / Qwen2.5-VL / Qwen3-VL model folders, built offline for tests.

``build_tiny_qwen_vl(kind, dest)`` writes what a real hub folder holds: ``config.json`` and weights
(``save_pretrained`` of a randomly initialised model, fixed seed), a byte-level BPE tokenizer trained
here with ``tokenizers`` (Qwen's special tokens, a chat template in the Qwen format), the image
processor's ``preprocessor_config.json`` and, for Qwen3-VL, the ``video_preprocessor_config.json``
(Qwen2-VL and Qwen2.5-VL checkpoints ship only the image file; transformers falls back to it for video).

Sizes are chosen so that a 64x80 frame keeps a handful of tokens: Qwen2/2.5 resize it to 56x84 (6 tokens
per temporal patch), Qwen3 to 64x64 (4 tokens per temporal patch).
"""

from __future__ import annotations

import json
from pathlib import Path

KINDS = ("qwen2_vl", "qwen2_5_vl", "qwen3_vl")

# Qwen's added tokens, in the order the real vocabulary numbers them (151643...).
SPECIAL_TOKENS = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
)

_CORPUS = [
    "The person raises the left arm above the head and then lowers it slowly.",
    "A man bends his knees, jumps forward and lands on both feet.",
    "She turns her head to the right while walking towards the camera.",
    "The athlete rotates the torso, swings the right leg and kicks the ball.",
    "Question: which action happens first? Answer with the letter of the option.",
    "Options: A. wave B. clap C. nod D. shrug E. point. Answer: A",
    "Yes or no: does the person touch the face during the video? No.",
    "Describe the motion of the hands in detail, frame by frame, in order.",
    "0 1 2 3 4 5 6 7 8 9 seconds frames clip video image motion gesture",
]

# Qwen's chat format (no whitespace control: every newline is literal): each video as <|vision_start|><|video_pad|><|vision_end|> in the user turn.
_SYSTEM = (
    "{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "{% endif %}"
)
_TURNS = (
    "{% for message in messages %}"
    "SYSTEM"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'video' %}<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif part['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}"
    "{% endif %}{% endfor %}{% endif %}"
    "<|im_end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def chat_template(kind: str) -> str:
    """The tiny model's chat template: Qwen2/2.5 add a default system turn, Qwen3 does not."""
    return _TURNS.replace("SYSTEM", "" if kind == "qwen3_vl" else _SYSTEM)


def build_tokenizer(kind: str):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=list(SPECIAL_TOKENS[1:]),
    )
    fast.chat_template = chat_template(kind)
    return fast


def _config(kind: str, ids: dict[str, int], vocab_size: int):
    text = {
        "vocab_size": vocab_size,
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "max_position_embeddings": 2048,
        "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 3, 3]},
        "initializer_range": 0.2,  # larger than the real 0.02, so that greedy choices are not near-ties
        "bos_token_id": ids["<|endoftext|>"],
        "eos_token_id": ids["<|im_end|>"],
        "pad_token_id": ids["<|endoftext|>"],
    }
    tokens = {
        "image_token_id": ids["<|image_pad|>"],
        "video_token_id": ids["<|video_pad|>"],
        "vision_start_token_id": ids["<|vision_start|>"],
        "vision_end_token_id": ids["<|vision_end|>"],
    }
    if kind == "qwen2_vl":
        from transformers import Qwen2VLConfig

        vision = {"depth": 2, "embed_dim": 32, "hidden_size": 64, "mlp_ratio": 2, "num_heads": 2,
                  "patch_size": 14, "spatial_merge_size": 2, "temporal_patch_size": 2}
        return Qwen2VLConfig(text_config=text, vision_config=vision, **tokens)
    if kind == "qwen2_5_vl":
        from transformers import Qwen2_5_VLConfig

        vision = {"depth": 2, "hidden_size": 32, "intermediate_size": 64, "num_heads": 2, "out_hidden_size": 64,
                  "patch_size": 14, "spatial_merge_size": 2, "temporal_patch_size": 2, "window_size": 56,
                  "fullatt_block_indexes": [1], "tokens_per_second": 2}
        return Qwen2_5_VLConfig(text_config=text, vision_config=vision, **tokens)
    if kind == "qwen3_vl":
        from transformers import Qwen3VLConfig

        text.update(head_dim=16)
        text["rope_parameters"] = dict(text["rope_parameters"], mrope_interleaved=True)
        vision = {"depth": 2, "hidden_size": 32, "intermediate_size": 64, "num_heads": 2, "out_hidden_size": 64,
                  "patch_size": 16, "spatial_merge_size": 2, "temporal_patch_size": 2, "num_position_embeddings": 64,
                  "deepstack_visual_indexes": [0]}
        return Qwen3VLConfig(text_config=text, vision_config=vision, **tokens)
    raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")


def _processor_configs(kind: str, dest: Path) -> None:
    from transformers import Qwen2VLImageProcessorPil

    if kind == "qwen3_vl":
        # Qwen3-VL's real folders: both files, patch 16, mean/std 0.5; the video budget covers all frames.
        Qwen2VLImageProcessorPil(
            patch_size=16, image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5],
            size={"shortest_edge": 32 * 32, "longest_edge": 32 * 32 * 16},
        ).save_pretrained(dest)
        from transformers.models.qwen3_vl.video_processing_qwen3_vl import Qwen3VLVideoProcessor

        Qwen3VLVideoProcessor(size={"shortest_edge": 4096, "longest_edge": 32 * 32 * 64}).save_pretrained(dest)
    else:
        # Qwen2-VL / Qwen2.5-VL folders hold only the image file, in the legacy min/max_pixels form.
        Qwen2VLImageProcessorPil(min_pixels=28 * 28 * 4, max_pixels=28 * 28 * 16).save_pretrained(dest)
        path = dest / "preprocessor_config.json"
        data = json.loads(path.read_text())
        size = data.pop("size")
        data.update(min_pixels=size["shortest_edge"], max_pixels=size["longest_edge"])
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def build_tiny_qwen_vl(kind: str, dest: Path, seed: int = 0) -> Path:
    """Write a tiny random ``kind`` model folder (``qwen2_vl``, ``qwen2_5_vl`` or ``qwen3_vl``) to ``dest``."""
    import torch
    from transformers import AutoModelForImageTextToText, GenerationConfig

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(kind)
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in SPECIAL_TOKENS}
    config = _config(kind, ids, vocab_size=len(tokenizer))
    torch.manual_seed(seed)
    model = AutoModelForImageTextToText.from_config(config, dtype=torch.float32)
    model.generation_config = GenerationConfig(
        eos_token_id=[ids["<|im_end|>"], ids["<|endoftext|>"]], pad_token_id=ids["<|endoftext|>"],
        bos_token_id=ids["<|endoftext|>"],
    )
    model.save_pretrained(dest)
    tokenizer.save_pretrained(dest)
    _processor_configs(kind, dest)
    return dest
