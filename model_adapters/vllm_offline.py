"""``finemotion_vllm``: offline batched generation with vLLM's Python API (Qwen2.5-VL / Qwen3-VL class models).

Our reader decodes the frames (the task's protocol, or ``frames=SPEC``), and vLLM gets them as the video
input with the metadata Qwen3-VL needs for its timestamps (the clip's fps, the sampled frame indices, its
frame count), so vLLM samples nothing itself (``do_sample_frames: False``). Requests go to ``LLM.generate``
in chunks, which vLLM batches. ``import vllm`` happens only when this model is built.

model_args: ``pretrained`` (required), ``frames`` (a sampling spec), ``tensor_parallel_size`` (1),
``max_model_len``, ``gpu_memory_utilization`` (0.9), ``dtype`` ("auto"), ``decode_workers``, ``chunk_size``
(questions per ``LLM.generate`` call, 256: bounds the decoded frames held at once); any other ``vllm.LLM``
argument can be given as ``llm_<name>=value``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
from lmms_eval.api.instance import Instance
from lmms_eval.api.model import lmms

from finemotion_eval.model_adapters import provenance
from finemotion_eval.model_adapters.failures import failed_output, failure_reason
from finemotion_eval.model_adapters.frames import decode_ahead, frame_provenance, resized
from finemotion_eval.model_adapters.questions import Question, questions_of, sampling_of
from finemotion_eval.model_adapters.vllm_engine import VLLMEngine, engine_input, video_metadata
from finemotion_eval.video_io import SamplingProtocol

__all__ = ["VLLMOffline"]


class VLLMOffline(lmms):
    adapter = "finemotion_vllm"

    def __init__(
        self,
        pretrained: str = "",
        frames: str | None = None,
        tensor_parallel_size: int = 1,
        max_model_len: int | None = None,
        gpu_memory_utilization: float = 0.9,
        dtype: str = "auto",
        decode_workers: int | None = None,
        chunk_size: int = 256,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        if not pretrained:
            raise ValueError(f"{self.adapter}: pass the model: --model_args pretrained=PATH_OR_NAME")
        self.pretrained = str(pretrained)
        self.frames = SamplingProtocol.parse(str(frames)) if frames else None
        self.decode_workers = int(decode_workers) if decode_workers else None
        self.chunk_size = max(1, int(chunk_size))
        llm_args = {key[len("llm_"):]: value for key, value in kwargs.items() if key.startswith("llm_")}
        if max_model_len:
            llm_args["max_model_len"] = int(max_model_len)
        self.engine = VLLMEngine(self.pretrained, tensor_parallel_size=int(tensor_parallel_size), dtype=dtype,
                                 gpu_memory_utilization=float(gpu_memory_utilization), **llm_args)

    def generate_until(self, requests: list[Instance]) -> list[str]:
        questions = questions_of(requests, self.task_dict, self.frames)
        outputs: list[str | None] = [None] * len(questions)
        pending: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}  # index -> (engine input, provenance)
        for i, question in enumerate(questions):
            if question.error is not None or len(question.videos) > 1:
                outputs[i] = failed_output(question.error or "one clip per question is supported")
            elif not question.videos:
                pending[i] = engine_input(self.engine.chat_prompt(question.prompt, False)), self._record(question)
        clips = [(i, q.videos[0], q.protocol) for i, q in enumerate(questions) if outputs[i] is None and q.videos]
        shown: tuple[Any, np.ndarray | None] = (None, None)  # (clip, its resized frames): a clip's questions share them
        for i, clip in decode_ahead(clips, self.decode_workers):
            if isinstance(clip, Exception):
                outputs[i] = failed_output(f"{type(clip).__name__}: {clip}")
                continue
            question = questions[i]
            size = question.protocol.frame_size(clip.info.height, clip.info.width, len(clip.indices))
            if shown[0] is not clip:  # decode_ahead gives a clip's questions one after another
                shown = (clip, resized(clip.frames, size))
            metadata = video_metadata(clip.info.fps, clip.indices, clip.info.num_frames, clip.info.duration, clip.backend)
            pending[i] = (engine_input(self.engine.chat_prompt(question.prompt, True), shown[1], metadata),
                          {**self._record(question), **frame_provenance(clip, question.protocol, size)})
            if len(pending) >= self.chunk_size:  # bounded memory: decoded frames wait for at most one chunk
                self._generate(questions, pending, outputs)
        self._generate(questions, pending, outputs)
        failed = sum(failure_reason(o) is not None for o in outputs if o is not None)
        print(f"finemotion: {self.adapter} ({self.pretrained}): {len(questions)} requests, {failed} failed",
              file=sys.stderr, flush=True)
        return [o if o is not None else failed_output("no answer was produced") for o in outputs]

    def _generate(self, questions: list[Question], pending: dict[int, tuple[dict, dict]], outputs: list[str | None]) -> None:
        """One ``LLM.generate`` call for the pending questions (vLLM batches them), then forget their frames."""
        order = sorted(pending)
        if not order:
            return
        texts = self.engine.generate([pending[i][0] for i in order], [sampling_of(questions[i].gen_kwargs) for i in order])
        for i, text in zip(order, texts):
            outputs[i] = text
            provenance.record(questions[i].task, questions[i].doc_id, pending[i][1])
        pending.clear()

    def _record(self, question: Question) -> dict[str, Any]:
        mode = "frames" if question.videos else "text_only"
        return {"adapter": self.adapter, "model": self.pretrained, "mode": mode, "encoding": "rgb24 array",
                "prompt_sha256": provenance.prompt_sha256(question.prompt)}

    def loglikelihood(self, requests: Sequence[Instance]) -> list[tuple[float, bool]]:
        raise NotImplementedError(f"{self.adapter} only answers generation tasks")

    def generate_until_multi_round(self, requests: Sequence[Instance]) -> list[str]:
        raise NotImplementedError(f"{self.adapter} only answers single-turn generation tasks")
