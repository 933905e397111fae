"""Map MA-Bench Yes/No questions (SAD, MAD, MAS, PPR) to queries a clip's part-level descriptor can answer.

:func:`parse_question` first tries the exact MA-Synth templates (``synth.qa.parse_question``); a template
fact becomes a :class:`TemplateFact`, answered by ``synth.qa.evaluate``. Other wording (the official
MA-Bench questions) goes through a small rule-based reader: it finds the phase or time window, the asked
clause (the part after a leading "While ..., " or before a trailing "while ..."), the body parts in it with
the direction words that follow each, and a few relation cues (before/after, same/opposite direction,
larger amplitude, approach/apart/close, still, shaking). :func:`answer` checks the query against a
:class:`~finemotion_eval.synth.descriptors.ClipDescriptor` and returns True, False or None (not settled).

Directions are image directions as seen in the video; part names use the subject's own left and right.
"inward"/"outward" (toward/away from the body midline) are resolved per phase from the part's midline
position. A query without a phase covers the whole clip (the phase values are summed).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Union

from finemotion_eval.mabench_tasks.dataset import YES_NO_TASKS
from finemotion_eval.synth import qa
from finemotion_eval.synth.descriptors import PHASES, ClipDescriptor, PartPhase
from finemotion_eval.synth.qa import ACTIVITY_MIN_BH, DIR_DOMINANCE, DIR_MIN_BH, DISTANCE_MARGIN_BH, ONSET_GAP_S

# ----------------------------------------------------------------------------- thresholds
#
# Direction checks reuse synth.qa's DIR_MIN_BH (smallest clear displacement) and DIR_DOMINANCE; onset order
# reuses ONSET_GAP_S; "closer than" reuses DISTANCE_MARGIN_BH.

# A part is still in a phase when it travels less than this (BH): the same floor synth.qa asks of an active phase.
STILL_MAX_BH = ACTIVITY_MIN_BH
# "Same direction": the two displacement vectors lie within about 60 degrees (cosine at least this);
# "opposite": their cosine is at most minus this.
SAME_DIRECTION_COS = 0.5
# "A moves more than B": the larger amplitude must exceed the smaller by this factor, else not settled;
# phase amplitudes are path lengths, so a small ratio is within tracker noise.
AMPLITUDE_RATIO = 1.2
# Two parts are "close" when their mean distance is below this (BH): hands held together or a hand at the
# face sit within it, a hand resting on the lap is about 0.3 BH from the head-side parts.
NEAR_BH = 0.2
# The torso centre (mean of shoulders and hips) sits about 0.3 BH from a hand resting on the lap or held
# in front of the body, so pairs with the torso are "close" up to this distance.
NEAR_TORSO_BH = 0.35
# "Shaking side to side": back-and-forth motion mostly cancels within a phase, so only its leftover net
# displacement shows the axis; the named axis just has to carry more of it than the other (ratio above this).
RHYTHM_AXIS_DOMINANCE = 1.0

DIRECTIONS = ("right", "left", "up", "down", "inward", "outward")
OPPOSITE = {"right": "left", "left": "right", "up": "down", "down": "up", "inward": "outward", "outward": "inward"}
_AXIS = {"right": "x", "left": "x", "inward": "x", "outward": "x", "up": "y", "down": "y"}


# ----------------------------------------------------------------------------- query kinds

@dataclass(frozen=True)
class TimeWindow:
    """A time range in seconds named by the question ("(0.0-1.5 seconds)"), mapped to phases per clip."""

    start_s: float
    end_s: float


# When a query applies: phase names, a time window, or None for the whole clip.
When = Union[tuple[str, ...], TimeWindow, None]


@dataclass(frozen=True)
class Motion:
    """One part moving in all of ``directions`` (image directions, inward/outward); () means any movement."""

    part: str
    directions: tuple[str, ...] = ()


@dataclass(frozen=True)
class TemplateFact:
    """A fact parsed by the MA-Synth templates; answered by ``synth.qa.evaluate``."""

    items: tuple[tuple[str, Any], ...]

    @property
    def fact(self) -> dict[str, Any]:
        return dict(self.items)


@dataclass(frozen=True)
class Moves:
    """Every motion holds in ``when`` (one part: SAD; several parts moving at once: MAD)."""

    motions: tuple[Motion, ...]
    when: When = None


@dataclass(frozen=True)
class SameDirection:
    """Two parts move in the same (or, ``same=False``, opposite) direction; ``axis`` "x"/"y" restricts it."""

    parts: tuple[str, str]
    when: When = None
    same: bool = True
    axis: str | None = None


@dataclass(frozen=True)
class Still:
    """Each of ``parts`` stays still in ``when``."""

    parts: tuple[str, ...]
    when: When = None


@dataclass(frozen=True)
class Amplitude:
    """``part`` moves more than ``other`` (path length, or the displacement along ``direction`` when given)."""

    part: str
    other: str
    when: When = None
    direction: str | None = None


@dataclass(frozen=True)
class Order:
    """``first`` happens before ``second`` (onsets; with directions, the first phase showing that direction)."""

    first: Motion
    second: Motion


@dataclass(frozen=True)
class Activity:
    """``part`` is more active in ``phase`` than in ``phase_2`` (synth.qa's mas_activity rule)."""

    part: str
    phase: str
    phase_2: str


@dataclass(frozen=True)
class Proximity:
    """``part`` and ``other``: ``relation`` is approach, separate, near (stay close) or contact, in ``when``."""

    part: str
    other: str
    relation: str
    when: When = None


@dataclass(frozen=True)
class Closer:
    """The pair ``near`` is closer together than the pair ``far`` (mean distance) in ``when``."""

    near: tuple[str, str]
    far: tuple[str, str]
    when: When = None


@dataclass(frozen=True)
class Rhythm:
    """Each of ``parts`` moves repeatedly (back and forth, shaking; ``repeated=True``) or in a single stroke;
    ``axis`` "x" (side to side) or "y" (up and down) also asks that axis to carry more of the motion."""

    parts: tuple[str, ...]
    repeated: bool = True
    axis: str | None = None


@dataclass(frozen=True)
class Axis:
    """Each of ``parts`` moves mainly along ``axis`` ("x": horizontally, "y": vertically) in ``when``."""

    parts: tuple[str, ...]
    axis: str
    when: When = None


@dataclass(frozen=True)
class Position:
    """``part`` is at ``value`` of descriptor field ``field`` (midline: left/centre/right, height:
    high/middle/low) in every phase of ``when``."""

    part: str
    field: str
    value: str
    when: When = None


Query = Union[TemplateFact, Moves, SameDirection, Still, Amplitude, Order, Activity, Proximity, Closer, Rhythm, Axis,
              Position]


# ----------------------------------------------------------------------------- vocabulary

_PHASE_ADJ = {
    "early": "early", "initial": "early", "beginning": "early", "start": "early", "starting": "early",
    "first": "early", "opening": "early",
    "middle": "middle", "mid": "middle", "main": "middle", "central": "middle", "peak": "middle",
    "late": "late", "later": "late", "latter": "late", "final": "late", "end": "late", "ending": "late",
    "last": "late", "closing": "late", "concluding": "late",
}
_PHASE_NOUN = r"(?:phase|segment|stage|part|period|portion|half|section|sequence)s?"
_PHASE_WORD = "|".join(sorted(_PHASE_ADJ, key=len, reverse=True))
# "early segment", "mid-phase", "main activity phase", "initial and middle segments"
_PHASE_RE = re.compile(
    rf"\b(?P<a>{_PHASE_WORD})(?:(?:,| and| or| to)\s+(?:the\s+)?(?P<b>{_PHASE_WORD}))?"
    rf"(?:[- ](?:activity|movement|motion|action)[- ]|[- ])(?P<noun>{_PHASE_NOUN})\b"
    rf"|\b(?P<c>{_PHASE_WORD})[- ][a-z]+[- ](?P<noun2>phase|segment|stage|period)s?\b")
_PHASE_EXTRA = (
    (re.compile(r"\bat the (?:very )?(?:start|beginning|onset)\b|\binitially\b|\bat first\b"
                r"|\b(?:begin|begins|start|starts|initiat\w*)(?: the| its)?(?: \w+)? (?:by|with)\b"
                r"|\bfirst (?:mov|shift|turn|tilt|swing|sweep|drift|lift|rais)\w*"), "early"),
    (re.compile(r"\bmid-(?:action|sequence|movement|motion|way|video|clip)\b|\bmidway\b"), "middle"),
    (re.compile(r"\bat the (?:very )?end\b|\bfinally\b|\bin the end\b"), "late"),
)
_WINDOW_RE = re.compile(
    r"(?:between\s+)?(?P<a>\d+(?:\.\d+)?)\s*(?:s|sec|seconds?)?\s*(?:-|to|and)\s*(?P<b>\d+(?:\.\d+)?)\s*(?:s|sec|seconds?)\b")
_FIRST_SECONDS_RE = re.compile(r"\b(?:first|initial)\s+(?P<b>\d+(?:\.\d+)?)\s*(?:s|sec|seconds?)\b")

_LATERAL = {
    "hand": "Hand", "hands": "Hand", "palm": "Hand", "palms": "Hand", "finger": "Hand", "fingers": "Hand",
    "wrist": "Hand", "wrists": "Hand", "fist": "Hand", "fists": "Hand",
    "foot": "Foot", "feet": "Foot", "toe": "Foot", "toes": "Foot", "ankle": "Foot", "ankles": "Foot",
    "upper arm": "Upper Arm", "upper arms": "Upper Arm", "lower arm": "Lower Arm", "lower arms": "Lower Arm",
    "forearm": "Lower Arm", "forearms": "Lower Arm", "arm": "Lower Arm", "arms": "Lower Arm",
    "upper leg": "Upper Leg", "upper legs": "Upper Leg", "thigh": "Upper Leg", "thighs": "Upper Leg",
    "lower leg": "Lower Leg", "lower legs": "Lower Leg", "shin": "Lower Leg", "shins": "Lower Leg",
    "calf": "Lower Leg", "leg": "Lower Leg", "legs": "Lower Leg", "knee": "Lower Leg", "knees": "Lower Leg",
    "shoulder": "Upper Arm", "shoulders": "Torso",
    "upper limbs": "Lower Arm", "lower limbs": "Lower Leg",
}
_CENTRAL = {
    "head": "Head", "face": "Head", "nose": "Head", "chin": "Head", "forehead": "Head", "mouth": "Head",
    "cheek": "Head", "cheeks": "Head", "ear": "Head", "ears": "Head", "eye": "Head", "eyes": "Head",
    "neck": "Head", "hair": "Head", "temple": "Head", "glasses": "Head", "hindbrain": "Head",
    "torso": "Torso", "trunk": "Torso", "chest": "Torso", "upper body": "Torso", "whole body": "Torso",
    "hip": "Torso", "hips": "Torso", "waist": "Torso", "abdomen": "Torso", "belly": "Torso",
}
_PLURAL_BOTH = {"hands", "palms", "feet", "arms", "legs", "upper arms", "lower arms", "upper legs", "lower legs",
                "forearms", "thighs", "shins", "knees", "wrists", "ankles", "fists", "upper limbs", "lower limbs"}
_NOUNS = sorted({*_LATERAL, *_CENTRAL}, key=len, reverse=True)
_PART_RE = re.compile(
    r"\b(?:(?P<both>both(?: the)?(?: left and right| right and left)?|(?:left and right|right and left))\s+"
    r"|(?P<side>left|right)\s+)?"
    rf"(?P<noun>{'|'.join(n.replace(' ', r'[ -]') for n in _NOUNS)})\b")
# A part named right after one of these words is the target of a relation, not a moving subject.
_TARGET_WORDS = {
    "to", "toward", "towards", "near", "nearer", "approach", "approaches", "approaching", "approached", "from",
    "with", "than", "reach", "reaches", "reaching", "reached", "contact", "contacting", "touch", "touches",
    "touching", "touched", "across", "over", "beside", "around", "on", "at", "against", "into", "onto", "above",
    "below", "behind", "under", "between", "cover", "covering", "covers", "scratch", "scratching", "rub",
    "rubbing", "support", "supporting", "past", "by", "upon", "within", "along", "in",
}
# "in front of the chest", "the side of the head": a place named by "<word> of".
_PLACE_OF_WORDS = {"front", "side", "sides", "level", "height", "area", "region", "direction", "top", "back"}

# Direction words (after hyphens are split); "lower"/"upper" only count as verbs or in "upper-left" style.
_DIR_WORDS = {
    "up": "up", "upward": "up", "upwards": "up", "raise": "up", "raises": "up", "raised": "up", "raising": "up",
    "lift": "up", "lifts": "up", "lifted": "up", "lifting": "up", "rise": "up", "rises": "up", "rose": "up",
    "rising": "up", "risen": "up", "ascend": "up", "ascends": "up", "ascended": "up", "ascending": "up",
    "ascent": "up", "elevate": "up", "elevates": "up", "elevated": "up", "elevating": "up", "elevation": "up",
    "climb": "up", "climbs": "up", "upper": "up",
    "down": "down", "downward": "down", "downwards": "down", "lowers": "down", "lowered": "down",
    "lowering": "down", "drop": "down", "drops": "down", "dropped": "down", "dropping": "down",
    "descend": "down", "descends": "down", "descended": "down", "descending": "down", "descent": "down",
    "bow": "down", "bows": "down", "bowed": "down", "bowing": "down", "dip": "down", "dips": "down",
    "dipping": "down", "sink": "down", "sinks": "down", "sinking": "down", "fall": "down", "falls": "down",
    "falling": "down",
    "left": "left", "leftward": "left", "leftwards": "left",
    "right": "right", "rightward": "right", "rightwards": "right",
    "inward": "inward", "inwards": "inward", "outward": "outward", "outwards": "outward",
}
# Removed before reading directions: oscillation phrases (they mark rhythm), secondary ("slightly left")
# and negated ("without any downward motion") components, and start positions ("from the left side").
_RHYTHM_PHRASE_RE = re.compile(
    r"\b(?:up[- ]and[- ]down|down[- ]and[- ]up|side[- ]to[- ]side|left[- ]and[- ]right|right[- ]and[- ]left"
    r"|left-right|right-left|up-down|back[- ]and[- ]forth|to[- ]and[- ]fro|from side to side)\b")
_RHYTHM_WORD_RE = re.compile(
    r"\b(?:shak\w*|oscillat\w*|repeat\w*|repetitive\w*|rhythmic\w*|wav(?:e|es|ing)|swing\w*|sway\w*|trembl\w*"
    r"|bounc\w*|vibrat\w*|jiggl\w*|nod|nods|nodding|alternat\w*|reciprocat\w*|tapping|patting)\b")
# Words that make a question about rhythm even when a direction is named ("shake from right to left").
_STRONG_RHYTHM_RE = re.compile(r"\b(?:shak\w*|oscillat\w*|vibrat\w*|trembl\w*|repeat\w*|repetitive\w*|rhythmic\w*|"
                               r"alternat\w*|reciprocat\w*|jiggl\w*|bounc\w*)\b")
# "moves purely vertically", "a horizontal path": the axis of a motion (not "a sideways orientation")
_AXIS_RE = re.compile(
    r"\b(?P<axis>vertical|horizontal|lateral|sideways)(?:ly)?\s+(?:[a-z-]+\s+)?(?:motion|movement|path|direction|"
    r"displacement|manner|plane|trajectory|shift|pattern|oscillation|shaking)s?\b"
    r"|\b(?:mov\w*|shift\w*|travel\w*|motion|movement)\s+(?:is\s+)?(?:purely |only |primarily |mainly |predominantly |"
    r"strictly |exclusively |largely )?(?P<axis2>vertical|horizontal|lateral|sideways)(?:ly)?\b")
_POSITION_RES = (
    (re.compile(r"\babove (?:the )?(?:shoulder|head|chest)s?\b|\bhigh (?:level|position)\b"), "height", "high"),
    (re.compile(r"\bbelow (?:the )?(?:hip|waist|knee)s?\b|\blow (?:level|position)\b"), "height", "low"),
    (re.compile(r"\b(?:centered|centred|cent(?:er|re)d?) (?:on|at|along) (?:the )?(?:body'?s?\s*)?midline\b"
                r"|\b(?:on|at|near) (?:the )?(?:body'?s?\s*)?midline\b"), "midline", "centre"),
)
_SINGLE_RE = re.compile(r"\b(?:single|once|one-time|one time)\b")
_SLIGHT_RE = re.compile(r"\b(?:slightly|slight|a bit|minor|small|subtle|marginally)\s+(?:[a-z]+ly\s+)?(?:to the\s+)?"
                        r"(?:up|down|left|right|upward|downward|leftward|rightward|inward|outward)s?\b(?:[- ]\w+ward)?")
_NEGATED_RE = re.compile(r"\b(?:without|no|not|never|rather than|instead of)\b[^,;]*")
_FROM_RE = re.compile(r"\bfrom (?:the |a |its |his |her |their )?[\w\s'-]*?"
                      r"(?:side|position|area|region|corner|location|level|height|point|edge|start|midline|centre|center)\b")
# "from left to right", "from the upper left to the lower right": the direction of travel
_FROM_TO_RE = re.compile(r"\bfrom (?:the )?(?P<v1>upper|lower|top|bottom)?[- ]?(?P<h1>left|right)?(?: side)? "
                         r"to (?:the )?(?P<v2>upper|lower|top|bottom)?[- ]?(?P<h2>left|right)?\b")
_MIDLINE_IN_RE = re.compile(r"\b(?:toward|towards|to|into|near|across|reach\w*)\s+(?:the\s+)?(?:body'?s?\s+)?"
                            r"(?:midline|centre|center|middle of the body|centerline|body center)\b|\bconverg\w*\b")
_MIDLINE_OUT_RE = re.compile(r"\baway from (?:the )?(?:body'?s?\s*)?(?:midline|centre|center|body)\b|\bouter\s+side\b"
                             r"|\bextend\w* (?:outward|away)\b")
_SIDE_PLACE_RE = re.compile(r"\b(?P<to>(?:to|toward|towards|into) (?:the |its |his |her )?)?(?:outer |inner |upper |lower |far )?"
                            r"(?P<side>left|right)[- ](?:side|position|half|corner|area|region|edge)\b")
# "a position left of the body midline": a place
_PLACE_OF_RE = re.compile(r"\b(?:slightly |just |far |well )?(?:left|right) of (?:the )?(?:body'?s?\s*)?"
                          r"(?:midline|centre|center|torso|body|chest)\b")

_MOVE_RE = re.compile(
    r"\b(?:mov\w*|motion\w*|start\w*|begin\w*|began|begun|initiat\w*|commenc\w*|shift\w*|retract\w*|extend\w*|"
    r"extension|stretch\w*|sweep\w*|swept|drift\w*|turn\w*|tilt\w*|lean\w*|reach\w*|travel\w*|act\w*|"
    r"perform\w*|execut\w*|cross\w*|spread\w*|lift\w*|rais\w*|press\w*|push\w*|pull\w*|slid\w*|glid\w*|"
    r"curl\w*|clench\w*|rotat\w*|twist\w*|sway\w*|react\w*|respond\w*|adjust\w*|displac\w*|went|go|goes|"
    r"occur\w*|happen\w*|change\w*|engag\w*|follow\w*)\b")
_STILL_RE = re.compile(
    r"\b(?:still(?!\s+(?:mov|continu|perform|exhibit|show))|stationary|motionless|static|immobile|unmoving|in place|at rest)\b"
    r"|\b(?:remain\w*|stay\w*|kept|keeps?|held|holds?)\s+(?:\w+\s+)?(?:steady|stable|upright|fixed|unchanged)\b")
_APPROACH_RE = re.compile(
    r"\b(?:approach\w*|closer|nearer|converg\w*|come together|came together|brought together|bring\w* together|"
    r"(?:mov\w*|shift\w*|draw\w*|pull\w*|return\w*|com\w*|reach\w*|travel\w*|head\w*|back)\s+(?:\w+\s+)?"
    r"(?:toward|towards)|toward|towards|reduc\w* (?:the )?distance|decreas\w* (?:the )?distance|narrow\w*)\b")
_SEPARATE_RE = re.compile(
    r"\b(?:apart|away from|separat\w*|diverg\w*|further from|farther from|increas\w* (?:the )?distance|"
    r"widen\w*|distanc\w* from|distance itself)\b")
_NEAR_RE = re.compile(r"\b(?:close to|close together|close proximity|proximity|proximate|near|closely|"
                      r"close (?:to )?each other|remain\w* close|stay\w* close|kept close|keep\w* close)\b")
_CONTACT_RE = re.compile(r"\b(?:contact\w*|touch\w*|meet|meets|met)\b")
_AMPLITUDE_RE = re.compile(
    r"\b(?P<cmp>greater|larger|bigger|more|higher|wider|stronger|smaller|less|lesser|weaker|narrower)\b"
    r"(?:[\w\s-]{0,40}?)\b(?:amplitude|displacement|movement|motion|range|magnitude|extent|activity|"
    r"active|travel|excursion|intensity|pronounced|significant|prominent|vigorous|dynamic|intense)\b")
_SAME_RE = re.compile(r"\b(?:same|similar|identical|matching|parallel|consistent|corresponding)\s+(?:[\w-]+\s+){0,3}?"
                      r"(?:direction\w*|way|path|trajectory|manner|course)\b|\bin (?:unison|sync\w*|tandem)\b|\bmirror\w*")
_OPPOSITE_RE = re.compile(r"\b(?:opposite|opposing|contrary)\b")

# Comparisons no query kind reads (similar amplitude, faster tempo): never a plain "does it move" query.
_COMPARISON_RE = re.compile(r"\b(?:similar|comparable|same|opposite|equal\w*|faster|slower|quicker|tempo|speed|pace|"
                            r"amplitude|than)\b")
_AUX = r"(?:did|does|do|is|are|was|were|has|have|had|can|could|will)"
_LEAD_PREFIX_RE = re.compile(r"^(?:in|during|throughout) this\b[^,]*?,\s*")
_TRAILING_SPLIT_RE = re.compile(r"\s+(?:while|whilst|when|as|during|throughout|to (?:support|assist|facilitate))\s+"
                                r"(?!the (?:entire|whole|action|micro-action|video|clip|movement|motion|sequence)\b)")


# ----------------------------------------------------------------------------- reading helpers

@dataclass(frozen=True)
class _Mention:
    """Body parts named at [start, end) of a text; ``target`` when named as a relation's object."""

    parts: tuple[str, ...]
    start: int
    end: int
    target: bool


def _normalise(question: str) -> str:
    s = question.lower().strip()
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)
    s = s.replace("\u2019", "'").replace("`", "'").replace('"', " ")
    s = re.sub(r"(?<=[a-z])'s\b", "", s)  # "head's" -> "head"
    s = re.sub(r"(?<=s)'(?=\s)", "", s)  # "hands' " -> "hands "
    s = re.sub(r"(?:(?<=\s)|^)'|'(?=[\s,?.;:]|$)", " ", s)  # quoted words
    s = re.sub(r"[?.!]+$", "", s)
    return re.sub(r"\s+", " ", s).strip()


def _phases_in(text: str) -> tuple[str, ...]:
    """Phase names mentioned in ``text``, in clip order; "early part of the middle phase" counts as middle."""
    found: list[tuple[int, str]] = []
    matches = list(_PHASE_RE.finditer(text))
    for i, m in enumerate(matches):
        nxt = matches[i + 1] if i + 1 < len(matches) else None
        if nxt is not None and re.fullmatch(r"\s+of\s+(?:the\s+)?", text[m.end():nxt.start()]):
            continue  # a sub-part of the next phase
        if m["noun"] and m["noun"].startswith("sequence") and m["a"] not in ("mid", "middle"):
            continue  # "first sequence" and the like are not phases
        for key in ("a", "b", "c"):
            if m[key]:
                found.append((m.start(key), _PHASE_ADJ[m[key]]))
    for pattern, phase in _PHASE_EXTRA:
        found.extend((m.start(), phase) for m in pattern.finditer(text))
    return tuple(sorted({ph for _, ph in found}, key=PHASES.index))


def _window_in(text: str) -> TimeWindow | None:
    """"(0.0-1.5 seconds)", "between 0.3 and 0.6 seconds", "the first 0.4 seconds"."""
    m = _WINDOW_RE.search(text)
    if m is not None and float(m["b"]) > float(m["a"]):
        return TimeWindow(float(m["a"]), float(m["b"]))
    m = _FIRST_SECONDS_RE.search(text)
    return TimeWindow(0.0, float(m["b"])) if m is not None and float(m["b"]) > 0 else None


def _when_in(text: str) -> When:
    """Phases named in ``text``, else its time window, else None; an explicit "entire" span means the whole clip."""
    phases = _phases_in(text)
    if phases:
        return None if len(phases) == len(PHASES) else phases
    return _window_in(text)


def _mentions(text: str) -> list[_Mention]:
    """Body parts named in ``text``: sides, plurals ("both hands") and free words ("chest") mapped to PARTS names."""
    out = []
    for m in _PART_RE.finditer(text):
        noun = m["noun"].replace("-", " ")
        if noun in _CENTRAL:
            parts: tuple[str, ...] = (_CENTRAL[noun],)
        else:
            base = _LATERAL[noun]
            if base == "Torso":
                parts = ("Torso",)
            elif m["side"]:
                parts = (f"{m['side'].title()} {base}",)
            elif m["both"] or noun in _PLURAL_BOTH:
                parts = (f"Left {base}", f"Right {base}")
            else:
                continue  # "the hand": side unknown
        before = re.findall(r"[a-z]+", text[:m.start()])
        while before and before[-1] in ("the", "a", "his", "her", "their", "its", "each", "both", "other", "own",
                                         "person", "subject"):
            before.pop()
        target = bool(before) and (before[-1] in _TARGET_WORDS or before[-2:] in ([w, "of"] for w in _PLACE_OF_WORDS))
        if target and noun in ("leg", "legs"):
            # a hand reaching "the leg" meets the thigh
            parts = tuple(p.replace("Lower Leg", "Upper Leg") for p in parts)
        out.append(_Mention(parts, m.start(), m.end(), target))
    return out


def _directions(text: str) -> tuple[tuple[str, ...], bool]:
    """Direction words of a clause (parts already removed) and whether it speaks of back-and-forth motion."""
    head, sep, _ = text.partition(" with ")
    if sep and _directions(head)[0]:
        text = head  # "moves left with a slight upward lift": what follows "with" is detail
    t = _NEGATED_RE.sub(" ", re.sub(r"\bnon-\w+", " ", text))
    rhythm = bool(_RHYTHM_PHRASE_RE.search(t))
    t = _PLACE_OF_RE.sub(" ", _RHYTHM_PHRASE_RE.sub(" ", t))
    found: list[str] = []
    m = _FROM_TO_RE.search(t)
    if m is not None and (m["h1"] or m["v1"]) and (m["h2"] or m["v2"]):
        if m["v1"] and m["v2"] and (m["v1"] in ("upper", "top")) != (m["v2"] in ("upper", "top")):
            found.append("up" if m["v2"] in ("upper", "top") else "down")
        if m["h2"] and m["h2"] != m["h1"]:
            found.append(m["h2"])
        t = t[:m.start()] + " " + t[m.end():]
    if _MIDLINE_OUT_RE.search(t):
        found.append("outward")
    t = _MIDLINE_OUT_RE.sub(" ", t)
    t = _FROM_RE.sub(" ", t)
    if _MIDLINE_IN_RE.search(t):
        found.append("inward")
    t = _MIDLINE_IN_RE.sub(" ", t)
    main = _SLIGHT_RE.sub(" ", t)
    # "up and slightly left": the slight component is detail, unless it is the only one named
    found.extend(_directions_raw(main) if found or _directions_raw(main) else _directions_raw(t))
    dirs = tuple(dict.fromkeys(found))
    if any(_AXIS[x] == "x" and x not in ("inward", "outward") for x in dirs):
        dirs = tuple(x for x in dirs if x not in ("inward", "outward"))  # the named image direction decides
    if any(OPPOSITE[a] in dirs for a in dirs):
        # "moves left ... right": back and forth, no single direction
        return (), True
    return dirs, rhythm


def _directions_raw(t: str) -> list[str]:
    """Image direction words of ``t``, without the place phrases ("right side", "lower-left position")."""
    # "right side", "left position": a place, not a direction, unless after "to"/"toward" ("to the outer right side")
    t = _SIDE_PLACE_RE.sub(lambda m: f" {m['side']}ward " if m["to"] else " ", t)
    t = re.sub(r"\b(?:upper|lower)[- ](?:left|right)[- ](?:side|position|area|region|corner)\b", " ", t)
    t = _PLACE_OF_RE.sub(" ", t)
    return [_DIR_WORDS[w] for w in re.findall(r"[a-z]+", t) if w in _DIR_WORDS]


def _strip_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    out, pos = [], 0
    for a, b in sorted(spans):
        out.append(text[pos:a])
        out.append(" ")
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _subjects(text: str) -> list[tuple[tuple[str, ...], str]]:
    """Moving parts of a clause, each with the text that follows it up to the next moving part (targets removed)."""
    mentions = _mentions(text)
    subj = [m for m in mentions if not m.target]
    out = []
    for i, m in enumerate(subj):
        end = subj[i + 1].start if i + 1 < len(subj) else len(text)
        spans = [(t.start - m.end, t.end - m.end) for t in mentions if t.target and m.end <= t.start < end]
        out.append((m.parts, _strip_spans(text[m.end:end], spans)))
    return out


def _strip_parts(text: str) -> str:
    return _strip_spans(text, [(m.start, m.end) for m in _mentions(text)])


def _motions(text: str, *, allow_bare: bool) -> tuple[list[Motion], bool]:
    """Motions named in a clause: each moving part with its directions (a part followed only by "and"
    shares the next part's directions) and whether back-and-forth motion was said."""
    subj = _subjects(text)
    groups: list[tuple[tuple[str, ...], tuple[str, ...], bool]] = []
    for i, (parts, tail) in enumerate(subj):
        dirs, rhythm = _directions(tail)
        if i == 0 and not dirs:
            # "the downward drift of the right hand", "the bowing of the head": directions named before the part
            first = next(m for m in _mentions(text) if not m.target)
            dirs, rhythm_before = _directions(_strip_parts(text[:first.start]))
            rhythm |= rhythm_before
        groups.append((parts, dirs, rhythm))
    out: list[Motion] = []
    any_rhythm = False
    for i, (parts, dirs, rhythm) in enumerate(groups):
        any_rhythm |= rhythm
        tail = subj[i][1]
        if not dirs and i + 1 < len(groups) and re.fullmatch(r"\s*(?:,|and|as well as|along with|with)?\s*(?:the\s+)?",
                                                               tail):
            dirs = groups[i + 1][1]
        for p in parts:
            d = tuple(x for x in dirs if not (x in ("inward", "outward") and p in ("Head", "Torso")))
            if d or allow_bare:
                out.append(Motion(p, d))
    return list(dict.fromkeys(out)), any_rhythm


def _split_asked(s: str) -> tuple[str, str, str]:
    """(asked clause, context, full asked clause): the question after a leading subordinate clause, without
    (and, last, with) a trailing one."""
    s = _LEAD_PREFIX_RE.sub("", s)
    m = re.match(rf"(?={_AUX}\b)", s) or re.search(rf",\s*(?={_AUX}\b)", s) or re.search(r"\s(?=(?:did|does|do)\b)", s)
    if m is None:
        return s, "", s
    lead, asked = s[:m.start()], s[m.end():]
    full = asked.strip(" ,")
    if not lead.strip():
        lead = ""
    ctx = [lead] if lead else []
    t = _TRAILING_SPLIT_RE.search(asked)
    # keep "in the same direction as the head" whole
    if t is not None and not (t[0].strip() == "as" and re.search(r"\b(?:same|similar|opposite)\b[\w\s-]*$", asked[:t.start()])):
        ctx.append(asked[t.start():])
        asked = asked[:t.start()]
    return asked.strip(" ,"), " ".join(ctx), full


def _first_subject(text: str) -> tuple[str, ...] | None:
    subj = _subjects(text)
    return subj[0][0] if subj else None


# ----------------------------------------------------------------------------- general parser

_TRANSITION_RE = re.compile(r"\b(?:transition\w*|chang\w*|switch\w*|revers\w*|shift\w* (?:its |the )?(?:movement )?direction)"
                            r"(?:\s+[\w-]+){0,3}?\s+from (?P<x>.+?) to (?P<y>.+)$")


def _parse_order(s: str, asked: str, full: str, ctx: str) -> Order | None:
    """"A ... before B ..." (MAS), "Before B ..., did A ..." (MAD), "A ... after B ...", "X then Y",
    "transition from moving X to Y" (one part's directions in order)."""
    lead = re.match(r"^(before|after|once|prior to)\b", s)
    transition = _TRANSITION_RE.search(full)
    if lead is not None and ctx:
        first_text, second_text = asked, ctx
        if lead[1] in ("after", "once"):
            first_text, second_text = second_text, first_text
    elif transition is not None:
        first_text, second_text = full[:transition.start()] + " " + transition["x"], transition["y"]
    else:
        m = re.search(r"\b(before|after|prior to|followed by|then)\b", full)
        if m is None:
            return None
        first_text, second_text = full[:m.start()], full[m.end():]
        if m[1] == "after":
            first_text, second_text = second_text, first_text
    a, _ = _motions(first_text, allow_bare=True)
    b, _ = _motions(second_text, allow_bare=True)
    if not a and not b:
        return None
    # A side naming no part ("... before shifting to the left") continues the other side's part.
    if not a or not b:
        part = (a or b)[0].part
        dirs, _ = _directions(_strip_parts(first_text if not a else second_text))
        if not dirs:
            return None
        if not a:
            a = [Motion(part, dirs)]
        else:
            b = [Motion(part, dirs)]
    first, second = a[0], b[0]
    if first == second or (first.part == second.part and not (first.directions and second.directions)):
        return None
    return Order(first, second)


_CLOSER_RE = re.compile(r"\b(?:closer|nearer) to (?:the )?(?P<x>[\w\s-]+?) than (?P<to>to )?(?:that of )?(?:the )?"
                        r"(?P<y>[\w\s-]+)$")


def _parse_proximity(asked: str, when: When) -> Query | None:
    """Two parts approaching, separating, staying close or touching; "A closer to B than to C"."""
    mentions = _mentions(asked)
    if not mentions:
        return None
    if len(mentions[0].parts) == 2:
        # "do the hands approach each other": the pair itself; "do the hands move away from the chest": two pairs
        mutual = re.search(r"\b(?:each other|one another)\b", asked)
        if not mutual and (len(mentions) > 1 or not re.search(r"\b(?:together|apart|converg\w*|diverg\w*)\b", asked)):
            return None
        a, b = mentions[0].parts
    elif len(mentions) < 2 or len(mentions[1].parts) != 1:
        return None
    else:
        a, b = mentions[0].parts[0], mentions[1].parts[0]
    m = _CLOSER_RE.search(asked)
    if m is not None:
        x, y = _mentions(m["x"]), _mentions(m["y"])
        if x and y and len(x[0].parts) == 1 and len(y[0].parts) == 1:
            px, py = x[0].parts[0], y[0].parts[0]
            if m["to"]:  # A closer to X than to Y
                near, far = (a, px), (a, py)
            else:  # A closer to X than Y is (to X)
                near, far = (a, px), (py, px)
            if len({*near}) == 2 and len({*far}) == 2 and {*near} != {*far}:
                return Closer(near, far, when)
        return None
    if a == b:
        return None
    if _SEPARATE_RE.search(asked):
        relation = "separate"
    elif _NEAR_RE.search(asked) and re.search(r"\b(?:remain\w*|stay\w*|maintain\w*|kept|keep\w*|stays|held|hold\w*|"
                                              r"close proximity|proximity|proximate)\b", asked):
        relation = "near"
    elif _APPROACH_RE.search(asked):
        relation = "approach"
    elif _CONTACT_RE.search(asked):
        relation = "contact"
    elif _NEAR_RE.search(asked):
        relation = "near"
    else:
        return None
    return Proximity(a, b, relation, when)


def _parse_amplitude(asked: str, ctx: str, when: When) -> Query | None:
    """"A shows a larger amplitude than B", "Compared to B, did A move more", "more active in X than in Y"."""
    by_phase = re.search(r"\b(?P<cmp>more|less|greater|larger|smaller)\b(?P<a>.*)\bthan\b(?P<b>.*)$", asked)
    if by_phase is not None:
        subj = _first_subject(asked)
        ph_a, ph_b = _phases_in(by_phase["a"]), _phases_in(by_phase["b"])
        if subj is not None and len(subj) == 1 and len(ph_a) == 1 and len(ph_b) == 1 and ph_a != ph_b \
                and not _mentions(by_phase["b"]):
            first, second = (ph_a[0], ph_b[0]) if by_phase["cmp"] in ("more", "greater", "larger") else (ph_b[0], ph_a[0])
            return Activity(subj[0], first, second)
    m = _AMPLITUDE_RE.search(asked)
    if m is None:
        return None
    subj = _first_subject(asked)
    if subj is None or len(subj) != 1:
        return None
    other = None
    than = re.search(r"\bthan\b(.*)$", asked)
    if than is not None:
        ms = _mentions(than[1])
        if ms and len(ms[0].parts) == 1:
            other = ms[0].parts[0]
    if other is None:
        comp = re.search(r"\b(?:compared (?:to|with)|relative to|in comparison (?:to|with)|versus|vs)\b(.*)", ctx + " " + asked)
        if comp is not None:
            ms = _mentions(comp[1])
            if ms and len(ms[0].parts) == 1:
                other = ms[0].parts[0]
    if other is None or other == subj[0]:
        return None
    dirs, _ = _directions(_strip_parts(asked[m.start():m.end()]))
    direction = dirs[0] if len(dirs) == 1 and dirs[0] not in ("inward", "outward") else None
    if m["cmp"] in ("smaller", "less", "lesser", "weaker", "narrower"):
        return Amplitude(other, subj[0], when, direction)
    return Amplitude(subj[0], other, when, direction)


def _parse_same(asked: str, ctx: str, when: When) -> Query | None:
    """"A and B move in the same/opposite direction", or one part compared with the context's part."""
    same_m, opp_m = _SAME_RE.search(asked), _OPPOSITE_RE.search(asked)
    if same_m is None and opp_m is None:
        return None
    same = opp_m is None
    axis = "x" if re.search(r"\b(?:horizontal\w*|lateral\w*|left-right|side)\b", asked) else (
        "y" if re.search(r"\bvertical\w*\b", asked) else None)
    groups = [parts for parts, _ in _subjects(asked)]
    targets = [m.parts for m in _mentions(asked) if m.target]
    refs = targets + [m.parts for m in _mentions(ctx)]
    if not groups and re.search(r"\b(?:they|both|the two)\b", asked):
        named = list(dict.fromkeys(p for r in refs for p in r))
        if len(named) != 2:
            return None
        groups, refs = [tuple(named)], []  # "did they move in opposite directions": the context's pair
    if not groups:
        return None
    if len(groups[0]) == 2:
        # "both hands": the pair itself, unless the question names another reference ("opposite to the head")
        if len(groups) > 1 or any(set(r) != set(groups[0]) for r in targets):
            return None
        motions, _ = _motions(asked, allow_bare=False)
        if same and len(motions) == 2 and all(mo.directions for mo in motions):
            return Moves(tuple(motions), when)  # "both move in the same rightward direction"
        return SameDirection((groups[0][0], groups[0][1]), when, same, axis)
    subj = [g[0] for g in groups if len(g) == 1]
    motions, _ = _motions(asked, allow_bare=False)
    if len(subj) >= 2:
        if len(motions) >= 2 and all(mo.directions for mo in motions) and same:
            return Moves(tuple(motions), when)
        return SameDirection((subj[0], subj[1]), when, same, axis) if subj[0] != subj[1] else None
    part = subj[0]
    if motions and motions[0].directions and same:
        return Moves((motions[0],), when)  # "in the same leftward direction"
    # One part asked; the reference is a target in the question ("opposite to the head") or the context's part.
    ref_parts = [r[0] for r in refs if len(r) == 1 and r[0] != part]
    if not ref_parts:
        return None
    ref_motions, _ = _motions(ctx, allow_bare=True)
    ref_dirs = next((m.directions for m in ref_motions if m.part == ref_parts[0]), ())
    if ref_dirs:
        dirs = ref_dirs if same else tuple(OPPOSITE[x] for x in ref_dirs)
        if axis is not None:
            dirs = tuple(x for x in dirs if _AXIS[x] == axis) or dirs
        dirs = tuple(x for x in dirs if not (x in ("inward", "outward") and part in ("Head", "Torso")))
        if dirs:
            return Moves((Motion(part, dirs),), when)
    return SameDirection((ref_parts[0], part), when, same, axis)


def _parse_still(asked: str, when: When) -> Query | None:
    """"Does the torso remain completely stationary" (not "remain centred on the midline": a position)."""
    if not _STILL_RE.search(asked):
        return None
    subj = _subjects(asked)
    if not subj:
        return None
    if re.search(r"\b(?:centered|centred|midline)\b", asked):
        return None
    parts = subj[0][0]
    return Still(parts, when)


def _rhythm_axis(text: str) -> str | None:
    """"x" for side-to-side words, "y" for up-and-down words, None when neither or both are said."""
    x = re.search(r"\b(?:side[- ]to[- ]side|left[- ]and[- ]right|right[- ]and[- ]left|left-right|right-left|"
                  r"horizontal\w*|lateral\w*|sideways)\b", text)
    y = re.search(r"\b(?:up[- ]and[- ]down|down[- ]and[- ]up|up-down|vertical\w*)\b", text)
    return "x" if x and not y else "y" if y and not x else None


def _position_in(text: str) -> tuple[str, str] | None:
    return next(((field, value) for pattern, field, value in _POSITION_RES if pattern.search(text)), None)


def _parse_general(question: str, task: str) -> Query | None:
    """The official-wording reader: relation cues first (proximity for PPR, order, amplitude, same/opposite
    direction, still), then the parts' directions, then position, axis and rhythm words."""
    s = _normalise(question)
    asked, ctx, full = _split_asked(s)
    pronoun = re.match(rf"^{_AUX} (it|they)\b", asked)
    ref = next((m for m in _mentions(ctx) if not m.target), None)
    if pronoun is not None and ref is not None:
        # "when the left hand moves rightward, does it approach the torso": "it" is the context's part
        named = ctx[ref.start:ref.end]
        asked, full = (x[:pronoun.start(1)] + "the " + named + x[pronoun.end(1):] for x in (asked, full))
    # The asked clause's own phase (a trailing "during the middle segment" included), else the question's.
    when = _when_in(full) if (_phases_in(full) or _window_in(full)) else _when_in(s)
    if re.search(r"\b(?:entire|whole|throughout the (?:action|video|clip|movement|micro-action|sequence))\b", full) \
            and not _phases_in(full) and not _window_in(full):
        when = None
    if task == "PPR":
        q = _parse_proximity(asked, when)
        if q is not None:
            return q
    order = _parse_order(s, asked, full, ctx)
    if order is not None:
        return order
    for fn in (_parse_amplitude, _parse_same):
        q = fn(asked, ctx, when)
        if q is not None:
            return q
    q = _parse_still(asked, when)
    if q is not None:
        return q
    motions, rhythm = _motions(asked, allow_bare=False)
    subj = _subjects(asked)
    words = _strip_parts(asked)
    plain = _FROM_RE.sub(" ", _NEGATED_RE.sub(" ", re.sub(r"\bnon-\w+", " ", words)))
    own = subj[0][1] if subj else ""
    head, sep, _ = own.partition(" with ")
    own = head if sep and _directions(head)[0] else own  # "moves left in coordination with the head's shake"
    if subj and _STRONG_RHYTHM_RE.search(_NEGATED_RE.sub(" ", own)) and len(motions) <= len(subj[0][0]):
        return Rhythm(subj[0][0], True, _rhythm_axis(plain))  # "does the head shake from right to left"
    if motions:
        return Moves(tuple(motions), when)
    if subj:
        parts = subj[0][0]
        if _position_in(plain) is not None and len(parts) == 1:
            field, value = _position_in(plain)
            return Position(parts[0], field, value, when)
        axis = _AXIS_RE.search(plain)
        if axis is not None and not (_SAME_RE.search(plain) or _OPPOSITE_RE.search(plain)):
            return Axis(parts, "y" if (axis["axis"] or axis["axis2"]) == "vertical" else "x", when)
        if rhythm or _RHYTHM_WORD_RE.search(plain):
            return Rhythm(parts, True, _rhythm_axis(plain))
        if _SINGLE_RE.search(plain) or _RHYTHM_WORD_RE.search(words) or _RHYTHM_PHRASE_RE.search(words):
            # "a single stroke", "without back-and-forth movements"
            return Rhythm(parts, False)
    if task != "PPR":
        q = _parse_proximity(asked, when)
        if q is not None:
            return q
    if subj and _MOVE_RE.search(subj[0][1]) and when is not None and not _COMPARISON_RE.search(plain):
        # "did the left hand begin moving in the late segment": activity of the part in that phase
        return Moves(tuple(Motion(p) for p in subj[0][0]), when)
    return None


def parse_question(question: str, task: str, templates: bool = True) -> Query | None:
    """The descriptor query a Yes/No question of ``task`` asks, or None when no rule reads it.

    ``templates=False`` skips MA-Synth's exact templates and reads the question as free wording.
    """
    fact = qa.parse_question(question, task) if templates and task in qa.FAMILIES else None
    if fact is not None:
        return TemplateFact(tuple(fact.items()))
    return _parse_general(question, task)


def coverage(rows: Iterable[Mapping[str, Any]]) -> dict[str, tuple[int, int]]:
    """Per Yes/No task, (questions parsed to a query, questions) over rows with ``task`` and ``question``."""
    out = {task: [0, 0] for task in YES_NO_TASKS}
    for row in rows:
        task = row["task"]
        if task in out:
            out[task][1] += 1
            out[task][0] += parse_question(row["question"], task) is not None
    return {task: (n, total) for task, (n, total) in out.items()}


# ----------------------------------------------------------------------------- answering

def phases_of(when: When, d: ClipDescriptor) -> tuple[str, ...]:
    """The clip's phases a query covers: a time window maps to the phases it mostly overlaps."""
    if when is None:
        return PHASES
    if isinstance(when, tuple):
        return when
    overlaps = [(max(0.0, min(when.end_s, sp.end_s) - max(when.start_s, sp.start_s)), sp) for sp in d.phases]
    chosen = tuple(sp.name for ov, sp in overlaps
                   if ov > 0 and ov >= 0.5 * min(sp.end_s - sp.start_s, when.end_s - when.start_s))
    if chosen:
        return chosen
    # Window beyond the clip (its times need not match ours): the phase nearest to its centre.
    centre = 0.5 * (when.start_s + when.end_s)
    return (min(d.phases, key=lambda sp: abs(0.5 * (sp.start_s + sp.end_s) - centre)).name,)


def _pp(d: ClipDescriptor, part: str, phase: str) -> PartPhase:
    return next(q for q in d.part(part).phases if q.phase == phase)


def _inward(part: str, pp: PartPhase) -> str | None:
    """The image direction toward the body midline for ``part`` in one phase."""
    if pp.midline == "left":
        return "right"
    if pp.midline == "right":
        return "left"
    # Near the midline: a subject facing the camera has their left side on the image's right.
    if part.startswith("Left"):
        return "left"
    return "right" if part.startswith("Right") else None


def components(d: ClipDescriptor, part: str, phases: Iterable[str]) -> dict[str, float]:
    """Displacement components (BH) of ``part`` summed over ``phases``: right/left/up/down/inward/outward, dx, dy."""
    comps = dict.fromkeys((*DIRECTIONS, "dx", "dy", "amplitude"), 0.0)
    for ph in phases:
        pp = _pp(d, part, ph)
        for k in ("right", "left", "up", "down", "dx", "dy", "amplitude"):
            comps[k] += getattr(pp, k)
        inward = _inward(part, pp)
        if inward is not None:
            comps["inward"] += getattr(pp, inward)
            comps["outward"] += getattr(pp, OPPOSITE[inward])
    return comps


def _holds(comps: Mapping[str, float], directions: tuple[str, ...]) -> bool:
    """Each direction is a real (>= DIR_MIN_BH), net (beats its opposite) and not a minor component of the motion."""
    for dr in directions:
        c, opp = comps[dr], comps[OPPOSITE[dr]]
        if dr in ("inward", "outward"):
            perp = max(comps["up"], comps["down"])
        else:
            perp = max(comps[x] for x in ("right", "left", "up", "down") if _AXIS[x] != _AXIS[dr])
        if len(directions) > 1 and any(_AXIS.get(x) != _AXIS[dr] for x in directions):
            perp = 0.0  # a diagonal names both axes
        if c < DIR_MIN_BH or c <= opp or DIR_DOMINANCE * c < perp:
            return False
    return True


def _moves(d: ClipDescriptor, motion: Motion, phases: tuple[str, ...]) -> bool:
    """``motion`` holds over ``phases``; without directions, the part is active (not still) in one of them."""
    if not motion.directions:
        return any(_pp(d, motion.part, ph).amplitude >= STILL_MAX_BH for ph in phases)
    return _holds(components(d, motion.part, phases), motion.directions)


def _event_time(d: ClipDescriptor, motion: Motion) -> float | None:
    """When ``motion`` starts: the part's onset, no earlier than the first phase showing its directions."""
    onset = d.part(motion.part).onset_s
    if onset is None:
        return None
    if not motion.directions:
        return onset
    for span in d.phases:
        if _holds(components(d, motion.part, (span.name,)), motion.directions):
            return max(onset, span.start_s)
    return None


def _along(d: ClipDescriptor, part: str, phases: tuple[str, ...], axis: str, dominance: float) -> bool:
    """``part`` moves at least DIR_MIN_BH along ``axis``, ``dominance`` times its motion across it."""
    c = components(d, part, phases)
    along, across = c["right"] + c["left"], c["up"] + c["down"]
    if axis == "y":
        along, across = across, along
    return along >= DIR_MIN_BH and along > dominance * across


def _distance(d: ClipDescriptor, a: str, b: str, phases: tuple[str, ...]) -> float:
    qs = [q for q in d.pair(a, b).phases if q.phase in phases]
    return sum(q.mean_distance for q in qs) / len(qs)


def _ratio_truth(a: float, b: float) -> bool | None:
    if a >= AMPLITUDE_RATIO * b and a > 0:
        return True
    if b >= AMPLITUDE_RATIO * a and b > 0:
        return False
    return None


def answer(query: Query, d: ClipDescriptor) -> bool | None:
    """Truth of ``query`` in descriptor ``d``: True, False, or None when the descriptor does not settle it."""
    if isinstance(query, TemplateFact):
        return qa.evaluate(query.fact, d)
    if isinstance(query, Moves):
        phases = phases_of(query.when, d)
        return all(_moves(d, m, phases) for m in query.motions)
    if isinstance(query, SameDirection):
        phases = phases_of(query.when, d)
        va, vb = (components(d, p, phases) for p in query.parts)
        if query.axis is not None:
            key = "dx" if query.axis == "x" else "dy"
            a, b = va[key], vb[key]
            if abs(a) < DIR_MIN_BH or abs(b) < DIR_MIN_BH:
                return False
            return (a * b > 0) == query.same
        na, nb = math.hypot(va["dx"], va["dy"]), math.hypot(vb["dx"], vb["dy"])
        if na < DIR_MIN_BH or nb < DIR_MIN_BH:
            return False
        cos = (va["dx"] * vb["dx"] + va["dy"] * vb["dy"]) / (na * nb)
        return cos >= SAME_DIRECTION_COS if query.same else cos <= -SAME_DIRECTION_COS
    if isinstance(query, Still):
        phases = phases_of(query.when, d)
        return all((query.when is None and d.part(p).onset_s is None)
                   or all(_pp(d, p, ph).amplitude < STILL_MAX_BH for ph in phases) for p in query.parts)
    if isinstance(query, Amplitude):
        phases = phases_of(query.when, d)
        key = query.direction or "amplitude"
        return _ratio_truth(components(d, query.part, phases)[key], components(d, query.other, phases)[key])
    if isinstance(query, Order):
        t1, t2 = _event_time(d, query.first), _event_time(d, query.second)
        if t1 is None:
            return None if t2 is None else False
        if t2 is None:
            return True
        return None if abs(t2 - t1) < ONSET_GAP_S else t1 < t2
    if isinstance(query, Activity):
        return qa.evaluate({"kind": "mas_activity", "part": query.part, "phase": query.phase,
                            "phase_2": query.phase_2}, d)
    if isinstance(query, Proximity):
        phases = phases_of(query.when, d)
        qs = [q for q in d.pair(query.part, query.other).phases if q.phase in phases]
        if query.relation == "contact":
            return any(q.contact for q in qs)
        if query.relation == "near":
            limit = NEAR_TORSO_BH if "Torso" in (query.part, query.other) else NEAR_BH
            return all(q.contact or q.mean_distance < limit for q in qs)
        hits = sum(q.trend == query.relation for q in qs)
        against = sum(q.trend == qa.OPPOSITE[query.relation] for q in qs)
        return hits > against
    if isinstance(query, Closer):
        phases = phases_of(query.when, d)
        diff = _distance(d, *query.far, phases) - _distance(d, *query.near, phases)
        return None if abs(diff) < DISTANCE_MARGIN_BH else diff > 0
    if isinstance(query, Rhythm):
        rhythms = [d.part(p).rhythm for p in query.parts]
        if query.repeated:
            ok = all(r in ("repetitive", "oscillatory") for r in rhythms)
            return ok and (query.axis is None or
                           all(_along(d, p, PHASES, query.axis, RHYTHM_AXIS_DOMINANCE) for p in query.parts))
        return all(r == "single" for r in rhythms)
    if isinstance(query, Axis):
        phases = phases_of(query.when, d)
        return all(_along(d, p, phases, query.axis, DIR_DOMINANCE) for p in query.parts)
    if isinstance(query, Position):
        phases = phases_of(query.when, d)
        return all(getattr(_pp(d, query.part, ph), query.field) == query.value for ph in phases)
    raise TypeError(f"not a query: {query!r}")
