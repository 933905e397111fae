"""``finemotion_vllm``: offline batched generation with vLLM's Python API (Qwen2.5-VL / Qwen3-VL class models).

Our reader decodes the frames (the task's protocol, or ``frames=SPEC``), and vLLM gets them as the video
input with the metadata Qwen3-VL needs for its timestamps (the clip's fps, the sampled frame indices, its
frame count), so vLLM samples nothing itself (``do_sample_frames: False``). All requests go to one
``LLM.generate`` call, which batches them. ``import vllm`` happens only when this model is built.

model_args: ``pretrained`` (required), ``frames`` (a sampling spec), ``tensor_parallel_size`` (1),
``max_model_len``, ``gpu_memory_utilization`` (0.9), ``dtype`` ("auto"), ``decode_workers``; any other
``vllm.LLM`` argument can be given as ``llm_<name>=value``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

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
        **kwargs: Any,
    ) -> None:
        super().__init__()
        if not pretrained:
            raise ValueError(f"{self.adapter}: pass the model: --model_args pretrained=PATH_OR_NAME")
        self.pretrained = str(pretrained)
        self.frames = SamplingProtocol.parse(str(frames)) if frames else None
        self.decode_workers = int(decode_workers) if decode_workers else None
        llm_args = {key[len("llm_"):]: value for key, value in kwargs.items() if key.startswith("llm_")}
        if max_model_len:
            llm_args["max_model_len"] = int(max_model_len)
        self.engine = VLLMEngine(self.pretrained, tensor_parallel_size=int(tensor_parallel_size), dtype=dtype,
                                 gpu_memory_utilization=float(gpu_memory_utilization), **llm_args)

    def generate_until(self, requests: list[Instance]) -> list[str]:
        questions = questions_of(requests, self.task_dict, self.frames)
        outputs: list[str | None] = [None] * len(questions)
        inputs: dict[int, dict[str, Any]] = {}
        records: dict[int, dict[str, Any]] = {}
        for i, question in enumerate(questions):
            if question.error is not None or len(question.videos) > 1:
                outputs[i] = failed_output(question.error or "one clip per question is supported")
            elif not question.videos:
                inputs[i] = engine_input(self.engine.chat_prompt(question.prompt, False))
                records[i] = self._record(question)
        clips = [(i, q.videos[0], q.protocol) for i, q in enumerate(questions) if outputs[i] is None and q.videos]
        for i, clip in decode_ahead(clips, self.decode_workers):
            if isinstance(clip, Exception):
                outputs[i] = failed_output(f"{type(clip).__name__}: {clip}")
                continue
            question = questions[i]
            size = question.protocol.frame_size(clip.info.height, clip.info.width, len(clip.indices))
            metadata = video_metadata(clip.info.fps, clip.indices, clip.info.num_frames, clip.info.duration, clip.backend)
            inputs[i] = engine_input(self.engine.chat_prompt(question.prompt, True), resized(clip.frames, size), metadata)
            records[i] = {**self._record(question), **frame_provenance(clip, question.protocol, size)}
        order = sorted(inputs)
        generated = self.engine.generate([inputs[i] for i in order], [sampling_of(questions[i].gen_kwargs) for i in order])
        for i, text in zip(order, generated):
            outputs[i] = text
            provenance.record(questions[i].task, questions[i].doc_id, records[i])
        failed = sum(failure_reason(o) is not None for o in outputs if o is not None)
        print(f"finemotion: {self.adapter} ({self.pretrained}): {len(questions)} requests, {len(order)} generated, "
              f"{failed} failed", file=sys.stderr, flush=True)
        return [o if o is not None else failed_output("no answer was produced") for o in outputs]

    def _record(self, question: Question) -> dict[str, Any]:
        mode = "frames" if question.videos else "text_only"
        return {"adapter": self.adapter, "model": self.pretrained, "mode": mode, "encoding": "rgb24 array",
                "prompt_sha256": provenance.prompt_sha256(question.prompt)}

    def loglikelihood(self, requests: Sequence[Instance]) -> list[tuple[float, bool]]:
        raise NotImplementedError(f"{self.adapter} only answers generation tasks")

    def generate_until_multi_round(self, requests: Sequence[Instance]) -> list[str]:
        raise NotImplementedError(f"{self.adapter} only answers single-turn generation tasks")
