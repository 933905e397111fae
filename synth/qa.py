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

from mabench_tasks.dataset import format_question, split_question
from synth.actions import COARSE_LABELS, FINE_TO_COARSE
from synth.descriptors import PHASES, ClipDescriptor, PartPhase
from synth.parts import PARTS
from synth.qa_templates import compile_template, load_keyed, load_templates, slot_kind

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
# Fact kinds per Yes/No task, most preferred first; later kinds are fallbacks.
FAMILIES: dict[str, tuple[str, ...]] = {
    "SAD": ("sad_direction", "sad_position"),
    "MAD": ("mad_directions", "mad_still", "mad_position"),
    "MAS": ("mas_onset", "mas_sequence", "mas_activity"),
    "PPR": ("ppr_trend", "ppr_closer"),
}
# Last resort for any Yes/No task when a clip has none of the task's own facts (e.g. nothing moves).
UNIVERSAL_FALLBACK = "sad_position"


def families(task: str) -> tuple[str, ...]:
    """Fact kinds tried for ``task``, in order, ending with the universal fallback."""
    own = FAMILIES[task]
    return own if UNIVERSAL_FALLBACK in own else (*own, UNIVERSAL_FALLBACK)


# Template files per fact kind (mad_directions uses mad_same when both directions agree).
_TEMPLATE_FILES: dict[str, tuple[str, ...]] = {
    **{f: (f,) for fams in FAMILIES.values() for f in fams},
    "mad_directions": ("mad_directions", "mad_same"),
}

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


def evaluate(fact: Mapping[str, Any], d: ClipDescriptor) -> bool | None:
    """Truth of ``fact`` in descriptor ``d``: True, False, or None when the descriptor does not settle it."""
    kind = fact["kind"]
    if kind == "sad_direction":
        actual = _dir(d, fact["part"], fact["phase"])
        return None if actual is None else actual == fact["direction"]
    if kind in ("sad_position", "mad_position"):
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
    if kind == "mad_directions":
        da, db = _dir(d, fact["part"], fact["phase"]), _dir(d, fact["other"], fact["phase"])
        if da is None or db is None or fact["part"] == fact["other"]:
            return None
        return da == fact["direction"] and db == fact["direction_2"]
    if kind == "mad_still":
        da = _dir(d, fact["part"], fact["phase"])
        if da is None or d.part(fact["other"]).onset_s is not None:
            return None
        return da == fact["direction"]
    if kind == "mas_onset":
        oa, ob = d.part(fact["part"]).onset_s, d.part(fact["other"]).onset_s
        if oa is None or ob is None or abs(ob - oa) < ONSET_GAP_S:
            return None
        return oa < ob
    if kind == "mas_sequence":
        i, j = _first_phase(d, fact["part"], fact["direction"]), _first_phase(d, fact["part"], fact["direction_2"])
        return None if i is None or j is None or i == j else i < j
    if kind == "mas_activity":
        a, b = _pp(d, fact["part"], fact["phase"]).amplitude, _pp(d, fact["part"], fact["phase_2"]).amplitude
        if a >= ACTIVITY_RATIO * b and a >= ACTIVITY_MIN_BH:
            return True
        if b >= ACTIVITY_RATIO * a and b >= ACTIVITY_MIN_BH:
            return False
        return None
    if kind == "ppr_trend":
        if fact["part"] == fact["other"]:
            return None
        trend = next(q.trend for q in d.pair(fact["part"], fact["other"]).phases if q.phase == fact["phase"])
        return None if trend == "steady" else trend == fact["relation"]
    if kind == "ppr_closer":
        if len({fact["part"], fact["other"], fact["third"]}) < 3:
            return None
        dist = {o: next(q.mean_distance for q in d.pair(fact["part"], o).phases if q.phase == fact["phase"])
                for o in (fact["other"], fact["third"])}
        diff = dist[fact["third"]] - dist[fact["other"]]
        return None if abs(diff) < DISTANCE_MARGIN_BH else diff > 0
    raise ValueError(f"unknown fact kind {kind!r}")


def _rank(d: ClipDescriptor, part: str, phase: str) -> int:
    return _pp(d, part, phase).amplitude_rank


def candidates(kind: str, d: ClipDescriptor) -> list[tuple[float, dict]]:
    """True facts of ``kind`` in ``d`` as (score, fact), lower score preferred."""
    out: list[tuple[float, dict]] = []
    moving = [p for p in PARTS if d.part(p).onset_s is not None]
    if kind == "sad_direction":
        for p in PARTS:
            for ph in PHASES:
                if (dr := _dir(d, p, ph)) is not None:
                    out.append((_rank(d, p, ph), {"kind": kind, "part": p, "phase": ph, "direction": dr}))
    elif kind == "sad_position":
        for p in PARTS:
            for ph in PHASES:
                for field in ("midline", "height"):
                    v = _position(d, p, ph, field)
                    if (field, v) in POSITION_WORDS:
                        out.append((_rank(d, p, ph) + (0.5 if field == "height" else 0),
                                    {"kind": kind, "part": p, "phase": ph, "position": (field, v)}))
    elif kind == "mad_directions":
        for ph in PHASES:
            clear = [(p, dr) for p in PARTS if (dr := _dir(d, p, ph)) is not None]
            for i, (a, da) in enumerate(clear):
                for b, db in clear[i + 1:]:
                    score = _rank(d, a, ph) + _rank(d, b, ph) + (30 if GROUPS[a] == GROUPS[b] else 0)
                    out.append((score, {"kind": kind, "part": a, "other": b, "phase": ph,
                                        "direction": da, "direction_2": db}))
    elif kind == "mad_still":
        still = [p for p in PARTS if d.part(p).onset_s is None]
        for ph in PHASES:
            for a in PARTS:
                if (da := _dir(d, a, ph)) is None:
                    continue
                for b in still:
                    if b != a:
                        out.append((_rank(d, a, ph) + (10 if GROUPS[a] == GROUPS[b] else 0),
                                    {"kind": kind, "part": a, "other": b, "phase": ph, "direction": da}))
    elif kind == "mad_position":
        for ph in PHASES:
            pos = [(p, ("midline", v)) for p in PARTS if (v := _position(d, p, ph, "midline")) in ("left", "right")]
            for i, (a, pa) in enumerate(pos):
                for b, pb in pos[i + 1:]:
                    score = _rank(d, a, ph) + _rank(d, b, ph) + (30 if GROUPS[a] == GROUPS[b] else 0)
                    out.append((score, {"kind": kind, "part": a, "other": b, "phase": ph,
                                        "position": pa, "position_2": pb}))
    elif kind == "mas_onset":
        for a in moving:
            for b in moving:
                if d.part(b).onset_s - d.part(a).onset_s >= ONSET_GAP_S:
                    score = -_total_amp(d, a) - _total_amp(d, b) + (1.0 if GROUPS[a] == GROUPS[b] else 0)
                    out.append((score, {"kind": kind, "part": a, "other": b}))
    elif kind == "mas_sequence":
        for p in PARTS:
            dirs = [dr for ph in PHASES if (dr := _dir(d, p, ph)) is not None]
            firsts = list(dict.fromkeys(dirs))
            for i, a in enumerate(firsts):
                for b in firsts[i + 1:]:
                    out.append((-_total_amp(d, p), {"kind": kind, "part": p, "direction": a, "direction_2": b}))
    elif kind == "mas_activity":
        for p in PARTS:
            for pa in PHASES:
                for pb in PHASES:
                    fact = {"kind": kind, "part": p, "phase": pa, "phase_2": pb}
                    if pa != pb and evaluate(fact, d) is True:
                        out.append((-_total_amp(d, p), fact))
    elif kind == "ppr_trend":
        for pair in d.pairs:
            for q in pair.phases:
                if q.trend == "steady":
                    continue
                a, b = sorted((pair.a, pair.b), key=lambda p: _rank(d, p, q.phase))
                score = _rank(d, a, q.phase) + 0.5 * _rank(d, b, q.phase) + (30 if GROUPS[a] == GROUPS[b] else 0)
                out.append((score, {"kind": kind, "part": a, "other": b, "phase": q.phase, "relation": q.trend}))
    elif kind == "ppr_closer":
        for ph in PHASES:
            tops = sorted(PARTS, key=lambda p: _rank(d, p, ph))[:3]
            for p in tops:
                others = [o for o in PARTS if GROUPS[o] != GROUPS[p]]
                for o in others:
                    for t in others:
                        fact = {"kind": kind, "part": p, "other": o, "third": t, "phase": ph}
                        if o != t and evaluate(fact, d) is True:
                            out.append((_rank(d, p, ph), fact))
    else:
        raise ValueError(f"unknown fact kind {kind!r}")
    return out


def negate(fact: dict, rng: np.random.Generator) -> dict:
    """The matched false statement: flip a direction, position or trend, or swap an order."""
    neg = dict(fact)
    kind = fact["kind"]
    if kind in ("sad_direction", "mad_still"):
        neg["direction"] = OPPOSITE[fact["direction"]]
    elif kind == "mad_directions":
        key = ("direction", "direction_2")[int(rng.integers(2))]
        neg[key] = OPPOSITE[fact[key]]
    elif kind == "sad_position":
        field, v = fact["position"]
        neg["position"] = (field, OPPOSITE.get(v, "left" if v == "right" else "right"))
    elif kind == "mad_position":
        key = ("position", "position_2")[int(rng.integers(2))]
        field, v = fact[key]
        neg[key] = (field, "left" if v == "right" else "right")
    elif kind == "mas_onset":
        neg["part"], neg["other"] = fact["other"], fact["part"]
    elif kind == "mas_sequence":
        neg["direction"], neg["direction_2"] = fact["direction_2"], fact["direction"]
    elif kind == "mas_activity":
        neg["phase"], neg["phase_2"] = fact["phase_2"], fact["phase"]
    elif kind == "ppr_trend":
        neg["relation"] = OPPOSITE[fact["relation"]]
    elif kind == "ppr_closer":
        neg["other"], neg["third"] = fact["third"], fact["other"]
    return neg


# ----------------------------------------------------------------------------- wording

def _part_word(part: str, task: str) -> str:
    return part if task == "PPR" else part.lower()


def render_fact(fact: dict, task: str, rng: np.random.Generator) -> str:
    """Question text of ``fact`` from a randomly chosen template of its kind."""
    kind = fact["kind"]
    file = kind
    if kind == "mad_directions" and fact["direction"] == fact["direction_2"]:
        file = "mad_same"
    elif kind == "mad_directions":
        file = "mad_directions"
    templates = load_templates(file)
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
    for kind in families(task):
        for file in _TEMPLATE_FILES[kind]:
            for template in load_templates(file):
                m = compile_template(template, _VOCAB).fullmatch(question.strip())
                if m is None:
                    continue
                fact: dict[str, Any] = {"kind": kind}
                for name, text in m.groupdict().items():
                    fact[name] = _VOCAB_VALUES[slot_kind(name)][text.lower()]
                if kind == "mad_directions" and "direction_2" not in fact:
                    fact["direction_2"] = fact["direction"]
                return fact
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
    return templates[int(rng.integers(len(templates)))], options, "ABCDEFG"[pos]


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
    return templates[int(rng.integers(len(templates)))], options, "ABCDE"[pos]


def generate_questions(source: Any, video_name: str, seed: int, index: int, *, label: str | None = None,
                       rewrite: Callable[[str], str] | None = None) -> list[dict]:
    """The 12 MA-Bench questions of one clip as official answered-sample rows.

    ``source`` is a ClipTruth, a truth dict, a ClipDescriptor or a descriptor dict (then ``label``, the
    fine MA-52 label, is needed for CMAR/FMAR/MARE). ``index`` numbers the clip: its qids are
    ``CMAR_<index>``, ``SAD_<2 index>`` and ``SAD_<2 index + 1>``, and so on. ``rewrite``, when given,
    is applied to every question stem (e.g. an LLM paraphraser); rewritten Yes/No questions can no longer
    be parsed by :func:`verify_question`. The same (source, seed, index) gives the same rows.
    """
    clip = _as_clip(source, label)
    if clip.label is None:
        raise ValueError("a fine label is needed: pass a ClipTruth or label=")
    fine, coarse = clip.label, FINE_TO_COARSE[clip.label]
    d = clip.descriptor
    stem_fn = rewrite or (lambda s: s)
    video = f"{video_name}.mp4"
    rows: list[dict] = []

    def row(task: str, n: int, question: str, answer: str) -> None:
        rows.append({"video": video, "task": task, "qid": f"{task}_{n:04d}", "question": question, "answer": answer})

    stem, options, ans = _cmar(coarse, seed, index, _rng(seed, index, "CMAR"))
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
            secondary=f"the {_join(sec)} {'move' if len(sec) > 1 else 'moves'} less" if sec else "the rest of the body stays still")
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
    if task in ("CMAR", "FMAR"):
        stem, options = split_question(question)
        letters = "ABCDEFG"[: len(options)]
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
