"""MA-Bench style questions from a synthetic clip's descriptor record, with exactly derivable answers.

``generate_questions(truth, video_name, seed, index)`` returns the 12 questions MA-Bench asks per video
(1 CMAR, 1 FMAR, 2 SAD, 2 MAD, 2 MAS, 2 PPR, 1 MADU, 1 MARE) as rows of the official answered-sample
layout ``{"video", "task", "qid", "question", "answer"}``. Wording comes from the template files in
``prompts/synth/``.

Every Yes/No question states one *fact* of the descriptor (a part's main direction in a phase, the order
of two onsets, a pair's distance trend, ...). Only clear facts are used: directions need a component of
at least DIR_MIN_BH that dominates the perpendicular one, onsets must differ by ONSET_GAP_S, and so on.
Per task and clip one true fact is asked (answer Yes) and one fact is flipped (opposite direction,
swapped order, opposite trend; answer No), in random order. When a clip has no fact of a task's main
kind (e.g. a clip where nothing moves), the task falls back to the next kind in ``FAMILIES`` (position
and distance facts exist for every clip). :func:`verify_question` parses a question back through the
templates and re-derives its answer from the descriptor.

Directions are image directions (as seen in the video, the descriptor's convention); part names use the
subject's own left and right (COCO convention), as in MA-Bench.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from finemotion_eval.mabench_tasks.dataset import CHOICE_TASKS, YES_NO_TASKS, format_question, split_question
from finemotion_eval.mabench_tasks.taxonomy import COARSE_LABELS, FINE_TO_COARSE
from finemotion_eval.metrics import DEFAULT_LETTERS
from finemotion_eval.synth.descriptors import PHASES, ClipDescriptor, PartPhase
from finemotion_eval.synth.parts import PARTS
from finemotion_eval.synth.qa_templates import compile_template, load_keyed, load_templates, slot_kind

# A phase direction is clear when its component is at least this (BH) and DIR_DOMINANCE times the
# larger component of the perpendicular axis.
DIR_MIN_BH = 0.015
DIR_DOMINANCE = 1.5
# Two onsets are ordered when they differ by at least this.
ONSET_GAP_S = 0.2
# "More active in phase A than B": amplitude ratio and minimum amplitude (BH path length).
ACTIVITY_RATIO = 2.0
ACTIVITY_MIN_BH = 0.02
# "Closer to B than to C": the two mean distances differ by at least this (BH).
DISTANCE_MARGIN_BH = 0.05
# A phase amplitude (BH) above which a part without a clear direction is said to move back and forth.
BACK_AND_FORTH_BH = 0.05
# Facts are drawn at random among the this many best-ranked candidates.
TOP_K = 4

TASK_COUNTS: dict[str, int] = {"CMAR": 1, "FMAR": 1, "SAD": 2, "MAD": 2, "MAS": 2, "PPR": 2, "MADU": 1, "MARE": 1}

OPPOSITE = {"right": "left", "left": "right", "up": "down", "down": "up", "approach": "separate",
            "separate": "approach", "high": "low", "low": "high"}
DIRECTION_WORDS = {"right": "rightward", "left": "leftward", "up": "upward", "down": "downward"}
PHASE_WORDS = {"early": ("early", "initial", "beginning"), "middle": ("middle", "mid"), "late": ("late", "final")}
# (descriptor field, value) -> phrase
POSITION_WORDS = {
    ("midline", "left"): "to the left of the body's midline in the frame",
    ("midline", "right"): "to the right of the body's midline in the frame",
    ("height", "high"): "above shoulder level",
    ("height", "low"): "below hip level",
}
RELATION_WORDS = {"approach": ("noticeably approach", "move closer to"),
                  "separate": ("noticeably move apart from", "move away from")}
# Parts of one limb (or the head, or the torso) move together; pairs across groups are preferred.
GROUPS = {p: ("left arm" if p.startswith("Left") and ("Hand" in p or "Arm" in p) else
              "right arm" if p.startswith("Right") and ("Hand" in p or "Arm" in p) else
              "left leg" if p.startswith("Left") else "right leg" if p.startswith("Right") else p)
          for p in PARTS}

_VOCAB_VALUES: dict[str, dict[str, Any]] = {
    "part": {p.lower(): p for p in PARTS},
    "phase": {w: ph for ph, words in PHASE_WORDS.items() for w in words},
    "direction": {w: d for d, w in DIRECTION_WORDS.items()},
    "position": {w: key for key, w in POSITION_WORDS.items()},
    "relation": {w: r for r, words in RELATION_WORDS.items() for w in words},
}
_VOCAB = {kind: list(values) for kind, values in _VOCAB_VALUES.items()}

#: In every MA-Synth question id (``CMAR_SYN0007``): MA-Bench's are ``CMAR_0007``, and the two must never mix.
QID_PREFIX = "SYN"


# ----------------------------------------------------------------------------- descriptor facts

def dominant_direction(pp: PartPhase) -> str | None:
    """The clear main direction of one part in one phase, or None."""
    comps = {"right": pp.right, "left": pp.left, "up": pp.up, "down": pp.down}
    best = max(comps, key=comps.get)
    perp = max(pp.up, pp.down) if best in ("left", "right") else max(pp.left, pp.right)
    return best if comps[best] >= DIR_MIN_BH and comps[best] >= DIR_DOMINANCE * perp else None


def _pp(d: ClipDescriptor, part: str, phase: str) -> PartPhase:
    return next(q for q in d.part(part).phases if q.phase == phase)


def _dir(d: ClipDescriptor, part: str, phase: str) -> str | None:
    return dominant_direction(_pp(d, part, phase))


def _position(d: ClipDescriptor, part: str, phase: str, field: str) -> str:
    return getattr(_pp(d, part, phase), field)


def _first_phase(d: ClipDescriptor, part: str, direction: str) -> int | None:
    return next((i for i, ph in enumerate(PHASES) if _dir(d, part, ph) == direction), None)


def _total_amp(d: ClipDescriptor, part: str) -> float:
    return sum(q.amplitude for q in d.part(part).phases)


def _rank(d: ClipDescriptor, part: str, phase: str) -> int:
    return _pp(d, part, phase).amplitude_rank


# ----------------------------------------------------------------------------- fact kinds
#
# Per kind: ``_<kind>_facts(d)`` lists its true facts in a descriptor as (score, slots), lower score
# preferred, and ``_<kind>_truth(fact, d)`` is True, False or None when the descriptor does not settle it.
# Each kind is then one FactKind entry of FACT_KINDS.

Negate = Callable[[dict, np.random.Generator], dict]


def _flip(*slots: str) -> Negate:
    """Negation that turns one of ``slots`` (drawn at random when there are several) to its opposite."""
    def negate(fact: dict, rng: np.random.Generator) -> dict:
        slot = slots[int(rng.integers(len(slots)))] if len(slots) > 1 else slots[0]
        value = fact[slot]
        # A position is a (descriptor field, value) pair: only the value flips.
        return {**fact, slot: (value[0], OPPOSITE[value[1]]) if slot.startswith("position") else OPPOSITE[value]}
    return negate


def _swap(a: str, b: str) -> Negate:
    """Negation that swaps slots ``a`` and ``b`` (two parts, directions or phases: the order flips)."""
    def negate(fact: dict, rng: np.random.Generator) -> dict:
        return {**fact, a: fact[b], b: fact[a]}
    return negate


def _sad_direction_facts(d: ClipDescriptor) -> list[tuple[float, dict]]:
    return [(_rank(d, p, ph), {"part": p, "phase": ph, "direction": dr})
            for p in PARTS for ph in PHASES if (dr := _dir(d, p, ph)) is not None]


def _sad_direction_truth(fact: Mapping[str, Any], d: ClipDescriptor) -> bool | None:
    actual = _dir(d, fact["part"], fact["phase"])
    return None if actual is None else actual == fact["direction"]


def _sad_position_facts(d: ClipDescriptor) -> list[tuple[float, dict]]:
    out = []
    for p in PARTS:
        for ph in PHASES:
            for field in ("midline", "height"):
                v = _position(d, p, ph, field)
                if (field, v) in POSITION_WORDS:
                    out.append((_rank(d, p, ph) + (0.5 if field == "height" else 0),
                                {"part": p, "phase": ph, "position": (field, v)}))
    return out


def _positions_truth(fact: Mapping[str, Any], d: ClipDescriptor) -> bool | None:
    """Truth of the position of ``part`` and, when the fact has one, of ``other`` (sad_position, mad_position)."""
    values = []
    for part_key, pos_key in (("part", "position"), ("other", "position_2")):
        if part_key not in fact:
            continue
        field, value = fact[pos_key]
        actual = _position(d, fact[part_key], fact["phase"], field)
        if actual not in (value, OPPOSITE.get(value)):
            return None
        values.append(actual == value)
    return all(values)


def _mad_directions_facts(d: ClipDescriptor) -> list[tuple[float, dict]]:
    out = []
    for ph in PHASES:
        clear = [(p, dr) for p in PARTS if (dr := _dir(d, p, ph)) is not None]
        for i, (a, da) in enumerate(clear):
            for b, db in clear[i + 1:]:
                score = _rank(d, a, ph) + _rank(d, b, ph) + (30 if GROUPS[a] == GROUPS[b] else 0)
                out.append((score, {"part": a, "other": b, "phase": ph, "direction": da, "direction_2": db}))
    return out


def _mad_directions_truth(fact: Mapping[str, Any], d: ClipDescriptor) -> bool | None:
    da, db = _dir(d, fact["part"], fact["phase"]), _dir(d, fact["other"], fact["phase"])
    if da is None or db is None or fact["part"] == fact["other"]:
        return None
    return da == fact["direction"] and db == fact["direction_2"]


def _mad_still_facts(d: ClipDescriptor) -> list[tuple[float, dict]]:
    out = []
    still = [p for p in PARTS if d.part(p).onset_s is None]
    for ph in PHASES:
        for a in PARTS:
            if (da := _dir(d, a, ph)) is None:
                continue
            for b in still:
                if b != a:
                    out.append((_rank(d, a, ph) + (10 if GROUPS[a] == GROUPS[b] else 0),
                                {"part": a, "other": b, "phase": ph, "direction": da}))
    return out


def _mad_still_truth(fact: Mapping[str, Any], d: ClipDescriptor) -> bool | None:
    da = _dir(d, fact["part"], fact["phase"])
    if da is None or d.part(fact["other"]).onset_s is not None:
        return None
    return da == fact["direction"]


def _mad_position_facts(d: ClipDescriptor) -> list[tuple[float, dict]]:
    out = []
    for ph in PHASES:
        pos = [(p, ("midline", v)) for p in PARTS if (v := _position(d, p, ph, "midline")) in ("left", "right")]
        for i, (a, pa) in enumerate(pos):
            for b, pb in pos[i + 1:]:
                score = _rank(d, a, ph) + _rank(d, b, ph) + (30 if GROUPS[a] == GROUPS[b] else 0)
                out.append((score, {"part": a, "other": b, "phase": ph, "position": pa, "position_2": pb}))
    return out


def _mas_onset_facts(d: ClipDescriptor) -> list[tuple[float, dict]]:
    out = []
    moving = [p for p in PARTS if d.part(p).onset_s is not None]
    for a in moving:
        for b in moving:
            if d.part(b).onset_s - d.part(a).onset_s >= ONSET_GAP_S:
                score = -_total_amp(d, a) - _total_amp(d, b) + (1.0 if GROUPS[a] == GROUPS[b] else 0)
                out.append((score, {"part": a, "other": b}))
    return out


def _mas_onset_truth(fact: Mapping[str, Any], d: ClipDescriptor) -> bool | None:
    oa, ob = d.part(fact["part"]).onset_s, d.part(fact["other"]).onset_s
    if oa is None or ob is None or abs(ob - oa) < ONSET_GAP_S:
        return None
    return oa < ob


def _mas_sequence_facts(d: ClipDescriptor) -> list[tuple[float, dict]]:
    out = []
    for p in PARTS:
        dirs = [dr for ph in PHASES if (dr := _dir(d, p, ph)) is not None]
        firsts = list(dict.fromkeys(dirs))
        for i, a in enumerate(firsts):
            for b in firsts[i + 1:]:
                out.append((-_total_amp(d, p), {"part": p, "direction": a, "direction_2": b}))
    return out


def _mas_sequence_truth(fact: Mapping[str, Any], d: ClipDescriptor) -> bool | None:
    i, j = _first_phase(d, fact["part"], fact["direction"]), _first_phase(d, fact["part"], fact["direction_2"])
    return None if i is None or j is None or i == j else i < j


def _mas_activity_facts(d: ClipDescriptor) -> list[tuple[float, dict]]:
    out = []
    for p in PARTS:
        for pa in PHASES:
            for pb in PHASES:
                fact = {"part": p, "phase": pa, "phase_2": pb}
                if pa != pb and _mas_activity_truth(fact, d) is True:
                    out.append((-_total_amp(d, p), fact))
    return out


def _mas_activity_truth(fact: Mapping[str, Any], d: ClipDescriptor) -> bool | None:
    a, b = _pp(d, fact["part"], fact["phase"]).amplitude, _pp(d, fact["part"], fact["phase_2"]).amplitude
    if a >= ACTIVITY_RATIO * b and a >= ACTIVITY_MIN_BH:
        return True
    if b >= ACTIVITY_RATIO * a and b >= ACTIVITY_MIN_BH:
        return False
    return None


def _ppr_trend_facts(d: ClipDescriptor) -> list[tuple[float, dict]]:
    out = []
    for pair in d.pairs:
        for q in pair.phases:
            if q.trend == "steady":
                continue
            a, b = sorted((pair.a, pair.b), key=lambda p: _rank(d, p, q.phase))
            score = _rank(d, a, q.phase) + 0.5 * _rank(d, b, q.phase) + (30 if GROUPS[a] == GROUPS[b] else 0)
            out.append((score, {"part": a, "other": b, "phase": q.phase, "relation": q.trend}))
    return out


def _ppr_trend_truth(fact: Mapping[str, Any], d: ClipDescriptor) -> bool | None:
    if fact["part"] == fact["other"]:
        return None
    trend = next(q.trend for q in d.pair(fact["part"], fact["other"]).phases if q.phase == fact["phase"])
    return None if trend == "steady" else trend == fact["relation"]


def _ppr_closer_facts(d: ClipDescriptor) -> list[tuple[float, dict]]:
    out = []
    for ph in PHASES:
        tops = sorted(PARTS, key=lambda p: _rank(d, p, ph))[:3]
        for p in tops:
            others = [o for o in PARTS if GROUPS[o] != GROUPS[p]]
            for o in others:
                for t in others:
                    fact = {"part": p, "other": o, "third": t, "phase": ph}
                    if o != t and _ppr_closer_truth(fact, d) is True:
                        out.append((_rank(d, p, ph), fact))
    return out


def _ppr_closer_truth(fact: Mapping[str, Any], d: ClipDescriptor) -> bool | None:
    if len({fact["part"], fact["other"], fact["third"]}) < 3:
        return None
    dist = {o: next(q.mean_distance for q in d.pair(fact["part"], o).phases if q.phase == fact["phase"])
            for o in (fact["other"], fact["third"])}
    diff = dist[fact["third"]] - dist[fact["other"]]
    return None if abs(diff) < DISTANCE_MARGIN_BH else diff > 0


@dataclass(frozen=True)
class SharedSlot:
    """Templates in ``file`` word the facts whose ``copy`` slot equals ``slot``, naming the value once."""

    file: str
    slot: str
    copy: str


@dataclass(frozen=True)
class FactKind:
    """One kind of Yes/No fact: the task asking it, its true facts, its truth, its negation, its templates.

    Templates come from ``prompts/synth/<name>.txt``, and from ``shared.file`` for facts it covers.
    """

    name: str
    task: str
    facts: Callable[[ClipDescriptor], list[tuple[float, dict]]]
    truth: Callable[[Mapping[str, Any], ClipDescriptor], bool | None]
    negate: Negate
    shared: SharedSlot | None = None

    @property
    def template_files(self) -> tuple[str, ...]:
        return (self.name,) if self.shared is None else (self.name, self.shared.file)

    def template_file(self, fact: Mapping[str, Any]) -> str:
        """The template file that words ``fact``."""
        shared = self.shared
        return shared.file if shared is not None and fact[shared.copy] == fact[shared.slot] else self.name

    def complete(self, parsed: dict) -> dict:
        """``parsed`` with the slot a shared-slot template names only once filled in."""
        if self.shared is not None:
            parsed.setdefault(self.shared.copy, parsed[self.shared.slot])
        return parsed


# One entry per fact kind; within a task, earlier kinds are preferred and later ones are fallbacks.
FACT_KINDS: dict[str, FactKind] = {kind.name: kind for kind in (
    FactKind("sad_direction", "SAD", _sad_direction_facts, _sad_direction_truth, _flip("direction")),
    FactKind("sad_position", "SAD", _sad_position_facts, _positions_truth, _flip("position")),
    FactKind("mad_directions", "MAD", _mad_directions_facts, _mad_directions_truth, _flip("direction", "direction_2"),
             shared=SharedSlot("mad_same", "direction", "direction_2")),
    FactKind("mad_still", "MAD", _mad_still_facts, _mad_still_truth, _flip("direction")),
    FactKind("mad_position", "MAD", _mad_position_facts, _positions_truth, _flip("position", "position_2")),
    FactKind("mas_onset", "MAS", _mas_onset_facts, _mas_onset_truth, _swap("part", "other")),
    FactKind("mas_sequence", "MAS", _mas_sequence_facts, _mas_sequence_truth, _swap("direction", "direction_2")),
    FactKind("mas_activity", "MAS", _mas_activity_facts, _mas_activity_truth, _swap("phase", "phase_2")),
    FactKind("ppr_trend", "PPR", _ppr_trend_facts, _ppr_trend_truth, _flip("relation")),
    FactKind("ppr_closer", "PPR", _ppr_closer_facts, _ppr_closer_truth, _swap("other", "third")),
)}
# Fact kinds per Yes/No task, most preferred first.
FAMILIES: dict[str, tuple[str, ...]] = {
    task: tuple(kind.name for kind in FACT_KINDS.values() if kind.task == task) for task in YES_NO_TASKS}
# Last resort for any Yes/No task when a clip has none of the task's own facts (e.g. nothing moves).
UNIVERSAL_FALLBACK = "sad_position"


def families(task: str) -> tuple[str, ...]:
    """Fact kinds tried for ``task``, in order, ending with the universal fallback."""
    own = FAMILIES[task]
    return own if UNIVERSAL_FALLBACK in own else (*own, UNIVERSAL_FALLBACK)


def fact_kind(name: str) -> FactKind:
    """The registered fact kind ``name``."""
    if name not in FACT_KINDS:
        raise ValueError(f"unknown fact kind {name!r}")
    return FACT_KINDS[name]


def evaluate(fact: Mapping[str, Any], d: ClipDescriptor) -> bool | None:
    """Truth of ``fact`` in descriptor ``d``: True, False, or None when the descriptor does not settle it."""
    return fact_kind(fact["kind"]).truth(fact, d)


def candidates(kind: str, d: ClipDescriptor) -> list[tuple[float, dict]]:
    """True facts of ``kind`` in ``d`` as (score, fact), lower score preferred."""
    return [(score, {"kind": kind, **slots}) for score, slots in fact_kind(kind).facts(d)]


def negate(fact: dict, rng: np.random.Generator) -> dict:
    """The matched false statement: flip a direction, position or trend, or swap an order."""
    return fact_kind(fact["kind"]).negate(fact, rng)


# ----------------------------------------------------------------------------- wording

def _part_word(part: str, task: str) -> str:
    return part if task == "PPR" else part.lower()


def render_fact(fact: dict, task: str, rng: np.random.Generator) -> str:
    """Question text of ``fact`` from a randomly chosen template of its kind."""
    templates = load_templates(fact_kind(fact["kind"]).template_file(fact))
    template = templates[int(rng.integers(len(templates)))]
    slots: dict[str, str] = {}
    for key, value in fact.items():
        if key in ("part", "other", "third"):
            slots[key] = _part_word(value, task)
        elif key.startswith("phase"):
            words = PHASE_WORDS[value]
            slots[key] = words[int(rng.integers(len(words)))]
        elif key.startswith("direction"):
            slots[key] = DIRECTION_WORDS[value]
        elif key.startswith("position"):
            slots[key] = POSITION_WORDS[tuple(value)]
        elif key == "relation":
            words = RELATION_WORDS[value]
            slots[key] = words[int(rng.integers(len(words)))]
    return template.format(**slots)


def parse_question(question: str, task: str) -> dict | None:
    """The fact a Yes/No question of ``task`` states, parsed through the templates; None if no template fits."""
    for name in families(task):
        kind = FACT_KINDS[name]
        for file in kind.template_files:
            for template in load_templates(file):
                m = compile_template(template, _VOCAB).fullmatch(question.strip())
                if m is None:
                    continue
                fact: dict[str, Any] = {"kind": name}
                for slot, text in m.groupdict().items():
                    fact[slot] = _VOCAB_VALUES[slot_kind(slot)][text.lower()]
                return kind.complete(fact)
    return None


# ----------------------------------------------------------------------------- inputs

@dataclass
class _Clip:
    descriptor: ClipDescriptor
    label: str | None


def _as_clip(source: Any, label: str | None = None) -> _Clip:
    """Accept a ClipTruth, a ClipDescriptor, a truth dict (``write_truth``) or a descriptor dict."""
    if isinstance(source, ClipDescriptor):
        return _Clip(source, label)
    if isinstance(source, Mapping):
        if "descriptor" in source:
            return _Clip(ClipDescriptor.from_dict(source["descriptor"]), label or source.get("label"))
        return _Clip(ClipDescriptor.from_dict(dict(source)), label)
    if hasattr(source, "descriptor"):
        return _Clip(source.descriptor, label or getattr(source, "label", None))
    raise TypeError(f"expected a ClipTruth, ClipDescriptor or dict, got {type(source).__name__}")


def _labels(labels: Any) -> tuple[str | None, str | None]:
    """(fine, coarse) from a fine label string, a (fine, coarse) pair, a mapping or a ClipTruth."""
    if labels is None:
        return None, None
    if isinstance(labels, str):
        return labels, FINE_TO_COARSE.get(labels)
    if isinstance(labels, Mapping):
        fine = labels.get("label") or labels.get("fine")
        return fine, labels.get("coarse_label") or labels.get("coarse") or FINE_TO_COARSE.get(fine)
    if isinstance(labels, (tuple, list)):
        return labels[0], labels[1] if len(labels) > 1 else FINE_TO_COARSE.get(labels[0])
    fine = getattr(labels, "label", None)
    return fine, getattr(labels, "coarse_label", None) or FINE_TO_COARSE.get(fine)


def sentence_case(label: str) -> str:
    """``"touching nose"`` -> ``"Touching nose"``."""
    return label[:1].upper() + label[1:]


# ----------------------------------------------------------------------------- generation

def _rng(seed: int, index: int, task: str) -> np.random.Generator:
    return np.random.default_rng([seed, index, sum(ord(c) << (8 * i) for i, c in enumerate(task))])


def _balanced_position(seed: int, index: int, n: int, task: str) -> int:
    """Answer position: a seeded permutation of 0..n-1 per block of n consecutive indices (exactly uniform)."""
    perm = _rng(seed, index // n, task + "/pos").permutation(n)
    return int(perm[index % n])


def _pick(cands: list[tuple[float, dict]], rng: np.random.Generator, exclude: list[dict]) -> dict | None:
    pool = [f for _, f in sorted(cands, key=lambda sf: sf[0]) if f not in exclude]
    if not pool:
        return None
    return pool[int(rng.integers(min(TOP_K, len(pool))))]


def yes_no_facts(task: str, d: ClipDescriptor, rng: np.random.Generator) -> list[tuple[dict, str]]:
    """One true and one flipped fact for ``task``, in random order, as (fact, "Yes"/"No")."""
    chosen: list[dict] = []
    for kind in families(task):
        cands = candidates(kind, d)
        while len(chosen) < 2 and (fact := _pick(cands, rng, chosen)) is not None:
            chosen.append(fact)
        if len(chosen) == 2:
            break
    if not chosen:
        raise ValueError(f"no clear {task} fact in this descriptor")
    if len(chosen) == 1:
        chosen.append(chosen[0])  # the same fact, asked once true and once flipped
    yes, no = chosen[0], negate(chosen[1], rng)
    if evaluate(yes, d) is not True or evaluate(no, d) is not False:
        raise AssertionError(f"{task}: fact check failed for {yes} / {no}")
    pairs = [(yes, "Yes"), (no, "No")]
    if rng.integers(2):
        pairs.reverse()
    return pairs


def _choice_question(stem: str, options: list[str]) -> str:
    return format_question(stem, options)


def _cmar(coarse: str, seed: int, index: int, rng: np.random.Generator) -> tuple[str, list[str], str]:
    templates = load_templates("cmar")
    others = [c for c in COARSE_LABELS if c != coarse]
    others = [others[i] for i in rng.permutation(len(others))]
    pos = _balanced_position(seed, index, len(COARSE_LABELS), "CMAR")
    options = others[:pos] + [coarse] + others[pos:]
    return templates[int(rng.integers(len(templates)))], options, DEFAULT_LETTERS[pos]


def fmar_distractors(fine: str, rng: np.random.Generator, n: int = 4) -> list[str]:
    """``n`` other MA-52 labels: two or three from the GT's coarse group where it has them, the rest from others."""
    same = [f for f, c in FINE_TO_COARSE.items() if c == FINE_TO_COARSE[fine] and f != fine]
    other = [f for f, c in FINE_TO_COARSE.items() if c != FINE_TO_COARSE[fine]]
    n_hard = min(len(same), 2 + int(rng.integers(2)), n)
    hard = [same[i] for i in rng.permutation(len(same))[:n_hard]]
    easy = [other[i] for i in rng.permutation(len(other))[:n - n_hard]]
    picked = hard + easy
    return [picked[i] for i in rng.permutation(len(picked))]


def _fmar(fine: str, seed: int, index: int, rng: np.random.Generator) -> tuple[str, list[str], str]:
    templates = load_templates("fmar")
    distractors = [sentence_case(f) for f in fmar_distractors(fine, rng)]
    pos = _balanced_position(seed, index, 5, "FMAR")
    options = distractors[:pos] + [sentence_case(fine)] + distractors[pos:]
    return templates[int(rng.integers(len(templates)))], options, DEFAULT_LETTERS[pos]


def generate_questions(source: Any, video_name: str, seed: int, index: int, *, label: str | None = None,
                       rewrite: Callable[[str], str] | None = None) -> list[dict]:
    """The 12 MA-Bench questions of one clip as official answered-sample rows.

    ``source`` is a ClipTruth, a truth dict, a ClipDescriptor or a descriptor dict (then ``label``, the
    fine MA-52 label, gives CMAR/FMAR/MARE; without one those three are left out). ``index`` numbers the clip: its qids are
    ``CMAR_SYN<index>``, ``SAD_SYN<2 index>`` and ``SAD_SYN<2 index + 1>``, and so on (``SYN``: an MA-Synth
    question id never equals an MA-Bench one). ``rewrite``, when given,
    is applied to every question stem (e.g. an LLM paraphraser); rewritten Yes/No questions can no longer
    be parsed by :func:`verify_question`. The same (source, seed, index) gives the same rows.
    """
    clip = _as_clip(source, label)
    fine = clip.label
    d = clip.descriptor
    stem_fn = rewrite or (lambda s: s)
    video = f"{video_name}.mp4"
    rows: list[dict] = []

    def row(task: str, n: int, question: str, answer: str) -> None:
        rows.append({"video": video, "task": task, "qid": f"{task}_{QID_PREFIX}{n:04d}", "question": question, "answer": answer})

    if fine is not None:
        stem, options, ans = _cmar(FINE_TO_COARSE[fine], seed, index, _rng(seed, index, "CMAR"))
        row("CMAR", index, _choice_question(stem_fn(stem), options), ans)
        stem, options, ans = _fmar(fine, seed, index, _rng(seed, index, "FMAR"))
        row("FMAR", index, _choice_question(stem_fn(stem), options), ans)
    for task in ("SAD", "MAD", "MAS", "PPR"):
        rng = _rng(seed, index, task)
        for k, (fact, answer) in enumerate(yes_no_facts(task, d, rng)):
            row(task, 2 * index + k, stem_fn(render_fact(fact, task, rng)), answer)
    rng = _rng(seed, index, "MADU")
    stems = load_templates("madu")
    row("MADU", index, stem_fn(stems[int(rng.integers(len(stems)))]), describe(d, rng))
    if fine is not None:
        rng = _rng(seed, index, "MARE")
        stems = load_templates("mare")
        row("MARE", index, stem_fn(stems[int(rng.integers(len(stems)))]), reason(d, fine, rng))
    return rows


# ----------------------------------------------------------------------------- MADU / MARE references

RHYTHM_WORDS = {"single": "single-stroke", "repetitive": "repetitive", "oscillatory": "continuous back-and-forth",
                "still": "still"}
MIDLINE_WORDS = {"left": "to the left of the body midline (as seen in the video)", "centre": "near the body midline",
                 "right": "to the right of the body midline (as seen in the video)"}
HEIGHT_WORDS = {"high": "above shoulder level", "middle": "between shoulder and hip level", "low": "below hip level"}
_COUNT_WORDS = {0: "none", 1: "one", 2: "two", 3: "all"}


def _choose(rng: np.random.Generator, variants: tuple[str, ...]) -> str:
    return variants[int(rng.integers(len(variants)))]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def dominant_part(d: ClipDescriptor) -> str | None:
    """The moving part ranked first by amplitude in most phases (ties: larger total amplitude); None if none moves."""
    moving = [p for p in PARTS if d.part(p).onset_s is not None]
    if not moving:
        return None
    return max(moving, key=lambda p: (sum(q.amplitude_rank == 1 for q in d.part(p).phases), _total_amp(d, p)))


def _phase_motion(d: ClipDescriptor, part: str, phase: str) -> str:
    dr = _dir(d, part, phase)
    if dr is not None:
        return f"moves {DIRECTION_WORDS[dr]}"
    return "moves back and forth" if _pp(d, part, phase).amplitude >= BACK_AND_FORTH_BH else "stays nearly in place"


def _path(d: ClipDescriptor, part: str) -> str:
    steps = [f"in the {ph} phase it {_phase_motion(d, part, ph)}" for ph in PHASES]
    return sentence_case(_join(steps)) + " (image directions)"


def _relation(d: ClipDescriptor, part: str) -> str | None:
    """The clearest distance change between ``part`` and a part of another group, as a clause."""
    best = None
    for pair in d.pairs:
        if part not in (pair.a, pair.b):
            continue
        other = pair.b if pair.a == part else pair.a
        if GROUPS[other] == GROUPS[part]:
            continue
        for q in pair.phases:
            if q.trend != "steady" or q.contact:
                key = (q.contact, _rank(d, other, q.phase) * -1)
                if best is None or key > best[0]:
                    best = (key, other, q)
    if best is None:
        return None
    _, other, q = best
    verb = {"approach": "approaches", "separate": "moves away from", "steady": "stays close to"}[q.trend]
    text = f"it {verb} the {other.lower()} in the {q.phase} phase"
    return text + (" and comes into contact with it" if q.contact else "")


def _secondary(d: ClipDescriptor, main: str) -> list[str]:
    rest = [p for p in PARTS if p != main and d.part(p).onset_s is not None and GROUPS[p] != GROUPS[main]]
    return [p.lower() for p in sorted(rest, key=lambda p: -_total_amp(d, p))[:2]]


def describe(d: ClipDescriptor, rng: np.random.Generator) -> str:
    """MADU reference paragraph from the descriptor (dominant part, rhythm, path, place, relation, order)."""
    t = load_keyed("madu_answer")
    main = dominant_part(d)
    if main is None:
        a, b = "Left Hand", "Right Hand"
        rest = _choose(rng, t["rest"]).format(
            part=a.lower(), other=b.lower(), midline=MIDLINE_WORDS[_position(d, a, "middle", "midline")],
            height=HEIGHT_WORDS[_position(d, a, "middle", "height")],
            midline_2=MIDLINE_WORDS[_position(d, b, "middle", "midline")],
            height_2=HEIGHT_WORDS[_position(d, b, "middle", "height")])
        return " ".join([_choose(rng, t["still"]), sentence_case(rest)])
    part = d.part(main)
    out = [_choose(rng, t["dominant"]).format(part=main.lower(), rhythm=RHYTHM_WORDS[part.rhythm]),
           _choose(rng, t["path"]).format(path=_path(d, main)),
           _choose(rng, t["place"]).format(midline=MIDLINE_WORDS[_position(d, main, "middle", "midline")],
                                           height=HEIGHT_WORDS[_position(d, main, "middle", "height")])]
    rel = _relation(d, main)
    out.append(_choose(rng, t["relation"]).format(relation=sentence_case(rel) if rel else
                                                  "Its distance to the other body parts stays roughly constant"))
    order = sorted((p for p in PARTS if d.part(p).onset_s is not None), key=lambda p: d.part(p).onset_s)
    lead = d.leading_part or order[0]
    followers = [p.lower() for p in order if p != lead and GROUPS[p] != GROUPS[lead]][:2]
    follow = f"followed by the {_join(followers)}" if followers else "and no other body part follows"
    out.append(_choose(rng, t["lead"]).format(part=lead.lower(), onset=f"{d.part(lead).onset_s:.1f}", follow=follow))
    sec = _secondary(d, main)
    out.append(_choose(rng, t["secondary"]).format(
        secondary=f"The {_join(sec)} {'show' if len(sec) > 1 else 'shows'} smaller secondary movements" if sec else
        "The rest of the body stays still"))
    return " ".join(out)


def label_line(fine: str) -> str:
    """``[Body part (coarse-grained)] X | [Micro-action (fine-grained)] Y`` for fine label ``fine``."""
    return _choose(np.random.default_rng(0), load_keyed("mare_answer")["label"]).format(
        coarse=FINE_TO_COARSE[fine], fine=sentence_case(fine))


def reason(d: ClipDescriptor, fine: str, rng: np.random.Generator) -> str:
    """MARE reference reasoning: amplitude ranking, rhythm, direction, spatial relation, therefore, labels."""
    t = load_keyed("mare_answer")
    coarse = FINE_TO_COARSE[fine]
    main = dominant_part(d)
    if main is None:
        text = _choose(rng, t["still"]).format(part="right hand",
                                                midline=MIDLINE_WORDS[_position(d, "Right Hand", "middle", "midline")],
                                                height=HEIGHT_WORDS[_position(d, "Right Hand", "middle", "height")])
    else:
        part = d.part(main)
        n1 = sum(q.amplitude_rank == 1 for q in part.phases)
        text = _choose(rng, t["evidence"]).format(part=main.lower(), rank_phases=_COUNT_WORDS[n1],
                                                  rhythm=RHYTHM_WORDS[part.rhythm])
        text += _choose(rng, t["direction"]).format(path=_path(d, main)[:1].lower() + _path(d, main)[1:])
        rel = _relation(d, main)
        text += _choose(rng, t["spatial"]).format(
            midline=MIDLINE_WORDS[_position(d, main, "middle", "midline")],
            height=HEIGHT_WORDS[_position(d, main, "middle", "height")], relation=f", and {rel}" if rel else "")
        sec = _secondary(d, main)
        text += _choose(rng, t["secondary"]).format(
            secondary=f"the {_join(sec)} {'move' if len(sec) > 1 else 'moves'} less" if sec else
            "the rest of the body stays still")
    text += _choose(rng, t["therefore"]).format(coarse_lower=coarse.lower(), fine_lower=fine,
                                                label_line=label_line(fine))
    return text


# ----------------------------------------------------------------------------- checking

def verify_question(row: Mapping[str, Any], descriptor: Any, labels: Any = None) -> bool:
    """Re-derive the answer of a generated row from the descriptor (and labels for CMAR/FMAR/MARE).

    ``descriptor`` is anything :func:`generate_questions` accepts; ``labels`` is the fine label, a
    (fine, coarse) pair, a mapping with ``label``/``coarse_label`` or a ClipTruth (default: taken from
    ``descriptor`` when it is a truth). Yes/No rows must parse through the templates and their fact must
    be settled by the descriptor; open rows only need a non-empty answer (MARE: ending in its label line).
    """
    clip = _as_clip(descriptor)
    fine, coarse = _labels(labels if labels is not None else clip.label)
    task, question, answer = row["task"], row["question"], row["answer"]
    if task in CHOICE_TASKS:
        stem, options = split_question(question)
        letters = DEFAULT_LETTERS[: len(options)]
        if not isinstance(answer, str) or answer not in letters:
            return False
        chosen = options[letters.index(answer)]
        if task == "CMAR":
            return sorted(options) == sorted(COARSE_LABELS) and chosen == coarse and coarse not in stem
        valid = {sentence_case(f) for f in FINE_TO_COARSE}
        return (len(options) == 5 and len(set(options)) == 5 and set(options) <= valid
                and chosen == sentence_case(fine) and fine.lower() not in stem.lower())
    if task in FAMILIES:
        fact = parse_question(question, task)
        if fact is None:
            return False
        truth = evaluate(fact, clip.descriptor)
        return truth is not None and answer == ("Yes" if truth else "No")
    if task == "MADU":
        return isinstance(answer, str) and bool(answer.strip())
    if task == "MARE":
        return isinstance(answer, str) and fine is not None and answer.endswith(label_line(fine))
    return False
