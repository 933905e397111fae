"""lmms-eval's requests, unpacked into what our adapters ask a model: prompt, clips, frames, sampling."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from finemotion_eval.video_io import SamplingProtocol
from finemotion_eval.video_io.sampling import DEFAULT_PROTOCOL

__all__ = ["Question", "protocol_of_request", "questions_of", "sampling_of"]


@dataclass(frozen=True)
class Question:
    """One generation request. ``error`` says why it cannot be asked (its clip is missing); then it fails alone."""

    task: str
    doc_id: int
    prompt: str
    gen_kwargs: Mapping[str, Any]
    videos: tuple[str, ...]
    protocol: SamplingProtocol
    error: str | None = None

    @property
    def name(self) -> str:
        """How failures name the question: its task and doc id (the doc's question id is not always at hand)."""
        return f"{self.task}#{self.doc_id}"


def protocol_of_request(request: Any) -> SamplingProtocol:
    """The frame protocol the request's task declares in its YAML (``metadata: {frames: SPEC}``, which lmms-eval
    copies into every request's metadata), else the starter kit's."""
    metadata = getattr(request, "metadata", None)
    spec = metadata.get("frames") if isinstance(metadata, Mapping) else None
    return SamplingProtocol.parse(spec) if spec else DEFAULT_PROTOCOL


def questions_of(requests: Sequence[Any], task_dict: Mapping[str, Any], frames: SamplingProtocol | None) -> list[Question]:
    """A :class:`Question` per lmms-eval ``Instance`` of a ``generate_until`` task (protocol: ``frames`` or the task's)."""
    questions = []
    for request in requests:
        args = request.args
        if len(args) != 6 or not callable(args[2]):
            raise TypeError(f"{request.task_name}: only generate_until tasks with (prompt, gen_kwargs, doc_to_visual, "
                            "doc_id, task, split) arguments are supported (chat-message tasks are not)")
        prompt, gen_kwargs, doc_to_visual, doc_id, task, split = args
        protocol = frames or protocol_of_request(request)
        try:
            visuals = doc_to_visual(task_dict[task][split][doc_id]) or []
        except Exception as err:  # noqa: BLE001 - a missing clip fails its question, never the run
            questions.append(Question(task, doc_id, prompt, gen_kwargs, (), protocol, f"{type(err).__name__}: {err}"))
            continue
        if not all(isinstance(v, str) for v in visuals):
            raise TypeError(f"{task}: doc_to_visual gave {type(visuals[0]).__name__}, our adapters take video paths")
        questions.append(Question(task, doc_id, prompt, gen_kwargs, tuple(visuals), protocol))
    return questions


def sampling_of(gen_kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """OpenAI-style sampling parameters from a task's lmms-eval ``generation_kwargs``.

    Greedy unless the task asks for sampling (``do_sample: true``); ``until`` becomes ``stop`` when it names any.
    """
    sampling: dict[str, Any] = {"max_tokens": int(gen_kwargs.get("max_new_tokens", 1024))}
    do_sample = bool(gen_kwargs.get("do_sample", False))
    sampling["temperature"] = float(gen_kwargs.get("temperature", 0.0)) if do_sample else 0.0
    if do_sample and gen_kwargs.get("top_p") is not None:
        sampling["top_p"] = float(gen_kwargs["top_p"])
    until = gen_kwargs.get("until") or []
    if isinstance(until, str):
        until = [until]
    if until:
        sampling["stop"] = list(until)
    return sampling
