"""Step 1 of the FAVOR LLM-free metric: caption -> structured record (SPEC 3.3), deterministic.

A re-implementation of the heuristics of the official notebook (``VideoDescriptionParser``) from
the SPEC's description, deterministic for any PYTHONHASHSEED (subject nouns keyed by
``(-len(w), w)``; verbs are only looked up, never iterated). The official code is not available
here, so the subject and action rules are an APPROXIMATION: against the official outputs
(``step1_outputs.json``) about 7% of records match exactly; the camera field matches on ~99%,
``num_subjects`` on ~67%. Output format is the official one (``model_caption``, ``camera_motion``, ``num_subjects``,
``motion_list``, ``chronological_motion_list``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from metrics.favor_caption.resources import check_nltk_resources

_GENERAL_CAMERA_VERBS: tuple[str, ...] = (
    "pan|pans|panned|panning",
    "tilt|tilts|tilted|tilting",
    "zoom|zooms|zoomed|zooming",
    "follow|follows|followed|following",
    "shake|shakes|shaking|shaky",
    "move|moves|moved|moving|movement",
    "rotate|rotates|rotated|rotating|rotation",
    "remains|stays|keeps|is|holds",
    "shift|shifts|shifted|shifting|tracks|tracking|pulls|pushes|rises|lowers|sways|dollies|trucks|orbits",
)
# Specific patterns first, then general ones (order matters, as officially: "the camera shakes, the
# camera follows" gives "Camera follows, Camera shakes"). The general ones are lowercase-only, as the
# official outputs show: a sentence-initial "Camera shakes" is not extracted.
CAMERA_PATTERNS: tuple[str, ...] = (
    r"[Tt]he camera (?:pans|tilts|zooms|moves|follows)\b",
    r"[Ss]tatic (?:shot|camera)",
    r"[Ff]irst-person perspective",
    *(rf"\bcamera\s+(?:{v})\b" for v in _GENERAL_CAMERA_VERBS),
    r"\bno camera movement",
)
_SPAN_END = re.compile(
    r"[.,:;]|\b(?:a|the)\s+(?:man|woman|person|boy|girl)\b|\b(?:he|she|they)\b|"
    r"\b(?:showing|displaying|revealing|as|while)\b"
)
_CONNECTORS = ("while", "as", "when", "and", "but", "or", "after", "before", "since", "because")
_LEADING = re.compile(r"^(?:and|but|then|so|also|and then)\s+", re.IGNORECASE)
_PRONOUNS = {"he": "man", "she": "woman", "they": "people"}


class _Lexicon:
    """Pre-computed lookups over the official word lists (deterministic order)."""

    def __init__(self, wl: Mapping[str, Any]) -> None:
        self.nouns = sorted(set(wl["ANIMATE_NOUNS"]), key=lambda w: (-len(w), w))
        self.synonyms = {s: base for base, syns in wl["SUBJECT_SYNONYMS"].items() for s in syns}
        self.plural = {pl: sg for sg, pl in wl["PLURAL_FORMS"].items()}
        self.camera_terms = sorted(set(wl["CAMERA_TERMS"]), key=lambda w: (-len(w), w))
        verbs: set[str] = set()
        for v in wl["COMMON_VERBS"]:
            verbs.update(_inflections(v))
        for base, forms in wl["IRREGULAR_VERB_FORMS"].items():
            verbs.add(base)
            verbs.update(forms)
        self.verb_words = frozenset(verbs)
        self.phrasal = sorted({p.split()[0] for p in wl["PHRASAL_VERBS"]})
        self.verb_words |= frozenset(f for p in self.phrasal for f in _inflections(p))
        noun_alt = "|".join(re.escape(n) for n in self.nouns)
        self.subject_re = re.compile(rf"\b(?:(?:a|an|the|this|that)\s+)?(?:[\w-]+\s+){{0,2}}?({noun_alt})\b",
                                     re.IGNORECASE)
        self.pronoun_re = re.compile(r"\b(he|she|they)\b", re.IGNORECASE)
        self.colors = frozenset(wl["COLOR_TERMS"])
        self.clothing = frozenset(wl["CLOTHING_TERMS"])


def _inflections(v: str) -> set[str]:
    out = {v, v + "s", v + "ed", v + "ing"}
    if v.endswith("e"):
        out |= {v + "d", v[:-1] + "ing"}
    if v.endswith("y") and len(v) > 2 and v[-2] not in "aeiou":
        out |= {v[:-1] + "ies", v[:-1] + "ied"}
    if v.endswith(("s", "sh", "ch", "x", "z", "o")):
        out.add(v + "es")
    return out


_LEX: list[tuple[Mapping[str, Any], _Lexicon]] = []


def _lexicon(wl: Mapping[str, Any]) -> _Lexicon:
    for known, lex in _LEX:
        if known is wl:
            return lex
    lex = _Lexicon(wl)
    _LEX[:] = [*_LEX[-3:], (wl, lex)]
    return lex


def _extract_camera(sentences: list[str], lex: _Lexicon) -> tuple[list[str], list[str]]:
    phrases: list[str] = []
    cleaned: list[str] = []
    for s in sentences:
        low = s.lower()
        if not any(t in low for t in lex.camera_terms):
            cleaned.append(s)
            continue
        found: list[str] = []
        cuts: list[tuple[int, int]] = []
        for pat in CAMERA_PATTERNS:  # spans on the original sentence; duplicates within it dropped
            for m in re.finditer(pat, s):
                end = _SPAN_END.search(s, m.end())
                stop = end.start() if end else len(s)
                span = s[m.start() : stop].strip().rstrip(".,:;!? ")
                cuts.append((m.start(), stop))
                span = re.sub(r"^[Tt]he camera", "Camera", span)
                span = "Camera" + span[6:] if span.lower().startswith("camera") else "Camera " + span
                if span not in found:
                    found.append(span)
        phrases += found
        for start, stop in sorted(cuts, reverse=True):
            s = s[:start] + " " + s[stop:]
        s = re.sub(r"\s+", " ", s).strip()
        cleaned.append(s)
    return phrases, cleaned


def _base_noun(word: str, lex: _Lexicon) -> str:
    w = word.lower()
    w = lex.plural.get(w, w)
    return lex.synonyms.get(w, w) if w not in ("man", "woman", "boy", "girl", "person") else w


def _is_action(part: str, lex: _Lexicon) -> bool:
    words = re.findall(r"[a-z'-]+", part.lower())
    return any(w in lex.verb_words for w in words[:3])


def _clean_action(part: str) -> str:
    a = re.sub(r"[\"()\[\]]", "", part).strip().strip(".,;:!? ")
    a = _LEADING.sub("", a)
    words = a.split()
    for i, w in enumerate(words):
        if i > 0 and w.lower() in _CONNECTORS:
            words = words[:i]
            break
    return " ".join(words).strip(".,;:!? ")


def _split_actions(text: str, lex: _Lexicon) -> list[str]:
    out = []
    for part in re.split(r",|;|\band\b", text):
        a = _clean_action(part)
        if a and _is_action(a, lex) and not a.lower().startswith(("the ", "a ", "an ")):
            out.append(a)
    return out


def extract_record(caption: str, wordlists: Mapping[str, Any]) -> dict[str, Any]:
    """Step 1: one caption -> ``{model_caption, camera_motion, num_subjects, motion_list, chronological_motion_list}``."""
    from nltk.tokenize import sent_tokenize

    check_nltk_resources(("punkt_tab",))
    caption = caption if isinstance(caption, str) else ""
    lex = _lexicon(wordlists)
    sentences = sent_tokenize(caption) if caption.strip() else []
    camera, sentences = _extract_camera(sentences, lex)
    subjects: list[str] = []  # base nouns, Subject i = index + 1
    actions: dict[int, list[str]] = {}
    chrono: list[tuple[str, int]] = []
    current: int | None = None

    def subject_id(noun: str) -> int:
        base = _base_noun(noun, lex)
        if base not in subjects:
            subjects.append(base)
        return subjects.index(base) + 1

    for s in sentences:
        refs = [(m.start(), m.end(), subject_id(m.group(1))) for m in lex.subject_re.finditer(s)]
        if not refs:
            pm = lex.pronoun_re.search(s)
            if pm and current is None:
                current = subject_id(_PRONOUNS[pm.group(1).lower()])
            if current is None:
                continue
            refs = [(0, pm.end() if pm else 0, current)]
        for k, (_, end, sid) in enumerate(refs):
            stop = refs[k + 1][0] if k + 1 < len(refs) else len(s)
            seg = s[end:stop]
            seg = re.sub(r"^\s*(?:in|with|wearing|holding)\s+[^,]*?(?=\s+[a-z]+s\b|,|$)", "", seg)
            for a in _split_actions(seg, lex):
                lst = actions.setdefault(sid, [])
                if a not in lst:
                    lst.append(a)
                    chrono.append((a, sid))
            current = sid
    used = [i for i in range(1, len(subjects) + 1) if actions.get(i)]
    n = len(used)
    renum = {old: new for new, old in enumerate(used, 1)}
    motion = "\n".join(f"Subject {renum[i]}: {subjects[i - 1].capitalize()} [{', '.join(actions[i])}]" for i in used)
    return {
        "model_caption": caption,
        "camera_motion": ", ".join(camera),
        "num_subjects": "Single subject" if n <= 1 else f"Multiple subjects ({n})",
        "motion_list": motion,
        "chronological_motion_list": ", ".join(f"{a} (Subject {renum[s]})" for a, s in chrono),
    }
