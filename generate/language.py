"""The language stage: a clip's descriptor -> LLM summary -> structured description -> Yes/No questions.

Three requests per clip, each through the judges' OpenAI-compatible client and its reply cache
(``judges.runner.ask_cached``): every readable reply is stored the moment it arrives, so a build that is
killed and run again asks only what had no answer. A clip whose request fails or whose reply cannot be read
loses that stage and the ones after it (named and counted in the build report), never the build.

The model sees the descriptor as a *fact sheet* (:func:`fact_sheet`): per moving part its onset, rhythm and,
per phase, main direction, path length and rank, position; per pair the distance trends. Its questions are
then checked against the same descriptor (``generate.checks``) before any is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finemotion_eval.judges import JudgeConfig, JudgeUsage
from finemotion_eval.judges.runner import ask_cached
from finemotion_eval.prompts import read_prompt
from finemotion_eval.synth import qa
from finemotion_eval.synth.descriptors import PHASES, ClipDescriptor
from finemotion_eval.synth.parts import PARTS

#: The three requests of a clip, in order; each one's prompt is ``prompts/generate/<stage>.txt``.
STAGES = ("summary", "description", "questions")
#: Yes/No questions asked for per task and clip (the build may keep fewer: checks, filters, balance).
QUESTIONS_PER_TASK = 2


def fact_sheet(d: ClipDescriptor) -> str:
    """The descriptor as short lines of text: what the language model may state, and nothing else."""
    lines = []
    moving = [p for p in PARTS if d.part(p).onset_s is not None]
    for name in moving:
        part = d.part(name)
        phases = []
        for q in part.phases:
            direction = qa.dominant_direction(q)
            motion = f"mainly {qa.DIRECTION_WORDS[direction]}" if direction else "no clear direction"
            phases.append(f"{q.phase}: {motion}, path {q.amplitude:.3f} BH (rank {q.amplitude_rank} of {len(PARTS)}), "
                          f"{q.midline} of the midline, {q.height}")
        lines.append(f"- {name}: starts moving at {part.onset_s:.2f} s, rhythm {part.rhythm}; " + "; ".join(phases))
    still = [p for p in PARTS if p not in moving]
    if still:
        lines.append(f"- Still throughout: {', '.join(still)}")
    if d.leading_part:
        lines.append(f"- Leading part: {d.leading_part}")
    for pair in d.pairs:
        if pair.a not in moving and pair.b not in moving:
            continue
        changes = [f"{q.phase}: {'in contact, ' if q.contact else ''}{q.trend} (mean distance {q.mean_distance:.2f} BH)"
                   for q in pair.phases if q.trend != "steady" or q.contact]
        if changes:
            lines.append(f"- {pair.a} and {pair.b}: " + "; ".join(changes))
    spans = ", ".join(f"{s.name} {s.start_s:.1f}-{s.end_s:.1f} s" for s in d.phases)
    lines.append(f"- Phases: {spans} ({', '.join(PHASES)} thirds of the clip)")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- reading replies

def _text(reply: str) -> str:
    text = reply.strip()
    if not text:
        raise ValueError("the reply is empty")
    return text


def _json_in(reply: str, opening: str) -> Any:
    """The first JSON value in ``reply`` that starts with ``opening`` (a code fence around it is fine)."""
    start = reply.find(opening)
    if start < 0:
        raise ValueError(f"no JSON {'object' if opening == '{' else 'array'} in the reply")
    try:
        value, _ = json.JSONDecoder().raw_decode(reply[start:])
    except json.JSONDecodeError as err:
        raise ValueError(f"the reply's JSON does not parse: {err}") from None
    return value


def _description(reply: str) -> dict[str, str]:
    value = _json_in(reply, "{")
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    missing = [key for key in ("description", "reasoning") if not isinstance(value.get(key), str) or not value[key].strip()]
    if missing:
        raise ValueError(f"the object lacks a text for {', '.join(missing)}")
    return {"description": value["description"].strip(), "reasoning": value["reasoning"].strip()}


def _questions(reply: str) -> list[Any]:
    """The reply's JSON array as it is: each element is checked (and counted when malformed) later."""
    value = _json_in(reply, "[")
    if not isinstance(value, list):
        raise ValueError("expected a JSON array")
    return value


READERS = {"summary": _text, "description": _description, "questions": _questions}


# ----------------------------------------------------------------------------- the stage

@dataclass
class ClipText:
    """What the language model wrote for one clip; ``error`` names the first stage that failed, and why."""

    summary: str | None = None
    description: str | None = None
    reasoning: str | None = None
    questions: list[Any] = field(default_factory=list)
    error: str | None = None


def _messages(stage: str, **slots: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": read_prompt(f"generate/{stage}.txt").format(**slots)}]


async def write_texts(
    clips: Mapping[str, ClipDescriptor],
    labels: Mapping[str, str | None],
    config: JudgeConfig,
    cache_path: str | Path,
    usage: JudgeUsage,
    per_task: int = QUESTIONS_PER_TASK,
) -> dict[str, ClipText]:
    """Run the three requests for every clip (each stage for all clips at once, concurrently)."""
    names = sorted(clips)
    sheets = {name: fact_sheet(clips[name]) for name in names}
    texts = {name: ClipText() for name in names}
    usage.items += len(names) * len(STAGES)

    async def stage(name_stage: str, ready: Sequence[str], requests: list[list[dict[str, str]]]) -> list[str]:
        outcomes = await ask_cached(requests, READERS[name_stage], config, cache_path, usage,
                                    progress=f"LLM {name_stage}")
        done = []
        for name, (value, error, reply) in zip(ready, outcomes):
            if value is None:
                texts[name].error = f"{name_stage}: {error}"
                usage.failed += 1
                continue
            if name_stage == "summary":
                texts[name].summary = value
            elif name_stage == "description":
                texts[name].description, texts[name].reasoning = value["description"], value["reasoning"]
            else:
                texts[name].questions = value
            done.append(name)
        return done

    ready = await stage("summary", names, [_messages("summary", facts=sheets[n]) for n in names])
    ready = await stage("description", ready, [
        _messages("description", facts=sheets[n], summary=texts[n].summary, label=labels.get(n) or "not given")
        for n in ready])
    await stage("questions", ready, [
        _messages("questions", facts=sheets[n], description=texts[n].description, per_task=str(per_task)) for n in ready])
    return texts


def normalise_question(text: str) -> str:
    """One line, single spaces: how a generated question is stored and compared."""
    return re.sub(r"\s+", " ", text).strip()
