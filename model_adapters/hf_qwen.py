"""``finemotion_hf``: Qwen2-VL / Qwen2.5-VL / Qwen3-VL through transformers, on CPU or GPU, without torchvision.

Frames come from our reader through the decode-ahead pool (decoding the next clips while the model
generates), become the model's inputs with numpy (``model_adapters.qwen_vl``), and go through the model in
batches. Data parallel: launched with ``accelerate launch --num_processes N -m lmms_eval ...`` each process
holds a copy of the model and answers its share of the questions, as lmms-eval's own HF adapters do.

model_args: ``pretrained`` (required: a model folder or hub name), ``frames`` (a sampling spec; default: each
task's own), ``batch_size`` (lmms-eval's ``--batch_size``), ``device`` (default: this process's GPU, else
CPU), ``dtype`` (default: bfloat16 on GPU, float32 on CPU), ``device_map``, ``attn_implementation``,
``decode_workers`` (decoding processes; 0 decodes in this process).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import Any

from lmms_eval.api.instance import Instance
from lmms_eval.api.model import lmms
from tqdm import tqdm

from finemotion_eval.model_adapters import provenance
from finemotion_eval.model_adapters.failures import failed_output, failure_reason
from finemotion_eval.model_adapters.frames import decode_ahead, frame_provenance
from finemotion_eval.model_adapters.questions import Question, questions_of, sampling_of
from finemotion_eval.model_adapters.qwen_vl import QwenVLGenerator, VideoQuery
from finemotion_eval.video_io import SampledFrames, SamplingProtocol

__all__ = ["HFQwenVL"]


class HFQwenVL(lmms):
    adapter = "finemotion_hf"

    def __init__(
        self,
        pretrained: str = "",
        frames: str | None = None,
        batch_size: int | str = 1,
        device: str | None = None,
        dtype: str | None = None,
        device_map: str | None = None,
        attn_implementation: str | None = None,
        decode_workers: int | None = None,
        **_harness_args: Any,
    ) -> None:
        super().__init__()
        if not pretrained:
            raise ValueError(f"{self.adapter}: pass the model: --model_args pretrained=PATH_OR_NAME")
        import torch
        from accelerate import Accelerator

        accelerator = Accelerator()
        self.accelerator = accelerator
        self._rank, self._world_size = accelerator.process_index, accelerator.num_processes
        if self._world_size > 1:
            if device_map not in (None, "", "auto"):
                raise ValueError(f"{self.adapter}: device_map={device_map} cannot be combined with data parallel")
            device, device_map = str(accelerator.device), None  # one whole model per process
        elif device is None or device in ("", "cuda"):
            device = f"cuda:{torch.cuda.current_device()}" if torch.cuda.is_available() else "cpu"
        self.pretrained = str(pretrained)
        self.frames = SamplingProtocol.parse(str(frames)) if frames else None
        self.batch_size_per_process = int(batch_size) if str(batch_size).isdigit() else 1
        self.decode_workers = None if decode_workers in (None, "") else int(decode_workers)
        self.generator = QwenVLGenerator(self.pretrained, device=device, dtype=dtype or None,
                                         device_map=device_map or None, attn_implementation=attn_implementation or None)

    @property
    def rank(self) -> int:
        return self._rank

    @property
    def world_size(self) -> int:
        return self._world_size

    @property
    def device(self) -> Any:
        """This process's device (lmms-eval counts the requests of each rank on it)."""
        return self.accelerator.device

    def generate_until(self, requests: list[Instance]) -> list[str]:
        questions = questions_of(requests, self.task_dict, self.frames)
        outputs: list[str | None] = [None] * len(questions)
        progress = tqdm(total=len(questions), desc=self.adapter, disable=self._rank != 0 or len(questions) < 20,
                        file=sys.stderr)
        batch: list[tuple[int, VideoQuery, dict[str, Any]]] = []

        def flush() -> None:
            if batch:
                self._answer(questions, batch, outputs)
                progress.update(len(batch))
                batch.clear()

        for i, prepared in self._prepared(questions):
            if isinstance(prepared, str):  # a failure marker: nothing to generate
                outputs[i] = prepared
                progress.update()
                continue
            if batch and sampling_of(questions[i].gen_kwargs) != sampling_of(questions[batch[0][0]].gen_kwargs):
                flush()  # one batch, one set of generation settings
            batch.append((i, *prepared))
            if len(batch) == self.batch_size_per_process:
                flush()
        flush()
        progress.close()
        if self._world_size > 1:  # every rank's provenance, so rank 0's sample logs have all of it
            gathered = [None] * self._world_size
            import torch.distributed as dist

            dist.all_gather_object(gathered, provenance.records())
            for entries in gathered:
                provenance.merge(entries or [])
        failed = sum(failure_reason(o) is not None for o in outputs if o is not None)
        print(f"finemotion: {self.adapter} rank {self._rank}: {len(questions)} requests, {failed} failed",
              file=sys.stderr, flush=True)
        return [o if o is not None else failed_output("no answer was produced") for o in outputs]

    def _prepared(self, questions: list[Question]) -> Iterator[tuple[int, tuple[VideoQuery, dict] | str]]:
        """``(index, (query, provenance))`` per question, or ``(index, failure marker)``; clips decoded ahead."""
        clips = []
        for i, question in enumerate(questions):
            if question.error is not None or len(question.videos) > 1:
                yield i, failed_output(question.error or "one clip per question is supported")
            elif not question.videos:
                yield i, (VideoQuery(question.prompt), self._record(question, "text_only"))
            else:
                clips.append((i, question.videos[0], question.protocol))
        for i, clip in decode_ahead(clips, self.decode_workers):
            yield i, self._query(questions[i], clip)

    def _query(self, question: Question, clip: SampledFrames | Exception) -> tuple[VideoQuery, dict] | str:
        if isinstance(clip, Exception):
            return failed_output(f"{type(clip).__name__}: {clip}")
        height, width, count = clip.info.height, clip.info.width, len(clip.indices)
        # The protocol's size (qwen-vl-utils' max_pixels, say), then the model's own rule on top, as its processor
        # would apply it; both in one resize from the decoded frames.
        size = self.generator.settings.frame_size(*question.protocol.frame_size(height, width, count), count)
        query = VideoQuery(question.prompt, clip.frames, clip.timestamps, size)
        record = {**self._record(question, "frames"), **frame_provenance(clip, question.protocol, size)}
        return query, record

    def _record(self, question: Question, mode: str) -> dict[str, Any]:
        return {"adapter": self.adapter, "model": self.pretrained, "mode": mode,
                "encoding": "pixel_values (numpy)" if mode == "frames" else None,
                "prompt_sha256": provenance.prompt_sha256(question.prompt)}

    def _answer(self, questions: list[Question], batch: list, outputs: list[str | None]) -> None:
        """Generate for ``batch``; a batch that fails is retried one question at a time, so a failure is one sample's."""
        sampling = sampling_of(questions[batch[0][0]].gen_kwargs)
        try:
            texts = self.generator.generate([query for _, query, _ in batch], max_new_tokens=sampling["max_tokens"],
                                            temperature=sampling["temperature"], top_p=sampling.get("top_p"))
        except Exception as err:  # noqa: BLE001 - one bad input must not cost the others their answers
            if len(batch) > 1:
                for item in batch:
                    self._answer(questions, [item], outputs)
                return
            outputs[batch[0][0]] = failed_output(f"{type(err).__name__}: {err}")
            return
        for (i, _, record), text in zip(batch, texts):
            outputs[i] = text
            provenance.record(questions[i].task, questions[i].doc_id, record)

    def loglikelihood(self, requests: Sequence[Instance]) -> list[tuple[float, bool]]:
        raise NotImplementedError(f"{self.adapter} only answers generation tasks")

    def generate_until_multi_round(self, requests: Sequence[Instance]) -> list[str]:
        raise NotImplementedError(f"{self.adapter} only answers single-turn generation tasks")
