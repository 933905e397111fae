"""vLLM's offline engine as ``finemotion_vllm`` uses it, free of any harness import (``import vllm`` is lazy).

Kept apart from the lmms-eval model class so that it can run where vLLM runs, which need not be where
lmms-eval is installed (vLLM's CPU build pins its own torch and transformers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["VLLMEngine", "engine_input", "video_metadata"]


def video_metadata(fps: float, indices: Sequence[int], total_frames: int, duration: float, decoder: str) -> dict[str, Any]:
    """What Qwen-VL processors read about frames they are given: the clip's rate and length, the frames' indices."""
    return {"fps": fps, "frames_indices": list(indices), "total_num_frames": total_frames, "duration": duration,
            "video_backend": decoder}


def engine_input(prompt: str, frames: Any | None = None, metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One ``LLM.generate`` input: the chat-formatted prompt and, for a clip, its frames (T, H, W, 3) and metadata.

    ``do_sample_frames: False``: the frames are already the protocol's; vLLM must not sample them again.
    """
    if frames is None:
        return {"prompt": prompt}
    return {"prompt": prompt, "multi_modal_data": {"video": (frames, dict(metadata or {}))},
            "mm_processor_kwargs": {"do_sample_frames": False}}


class VLLMEngine:
    """A ``vllm.LLM`` and its tokenizer; ``generate`` sends a whole batch in one call (vLLM schedules it)."""

    def __init__(self, pretrained: str, *, multimodal: bool = True, **llm_args: Any) -> None:
        try:
            import vllm
        except ImportError as err:
            raise ImportError(f"finemotion_vllm needs vLLM: pip install 'finemotion-eval[vllm]' ({err})") from err
        self._vllm = vllm
        if multimodal:
            llm_args.setdefault("limit_mm_per_prompt", {"video": 1})
        self.llm = vllm.LLM(model=pretrained, **llm_args)
        self.tokenizer = self.llm.get_tokenizer()

    def chat_prompt(self, text: str, with_video: bool) -> str:
        """The model's own chat template around ``text``, with a video slot first when there is a clip."""
        content = ([{"type": "video"}] if with_video else []) + [{"type": "text", "text": text}]
        return self.tokenizer.apply_chat_template([{"role": "user", "content": content}], tokenize=False,
                                                  add_generation_prompt=True)

    def generate(self, inputs: Sequence[Mapping[str, Any]], sampling: Sequence[Mapping[str, Any]]) -> list[str]:
        """The first completion of every input, in input order; ``sampling`` holds OpenAI-style parameters."""
        params = [self._vllm.SamplingParams(max_tokens=s["max_tokens"], temperature=s["temperature"],
                                            top_p=s.get("top_p", 1.0), stop=s.get("stop")) for s in sampling]
        return [result.outputs[0].text for result in self.llm.generate(list(inputs), params, use_tqdm=False)]
