"""Step 1 of the FAVOR LLM-free metric: caption -> structured record (SPEC 3.3), deterministic.

Follows the rules of the official ``VideoDescriptionParser`` (notebook cell 0) in the SPEC's
deterministic variant: verb forms are scanned in sorted order and subject nouns by ``(-len(w), w)``,
so the output does not depend on PYTHONHASHSEED. Official quirks that change outputs are kept on
purpose (see the comments): per-caption caches keyed by a text's first 50 characters, subject
offsets reused across the camera-cleaned sentence, and "first pattern in list order" scans.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from finemotion_eval.metrics.favor_caption import extract_patterns as P
from finemotion_eval.metrics.favor_caption.resources import check_nltk_resources, pos_tags

_VOWELS = "aeiou"
_CACHE_PREFIX = 50  # the official caches key some results by the first 50 characters only


@dataclass(frozen=True)
class _Ref:
    """One mention of a subject: matched noun, attribute string, span and sentence index."""

    noun: str
    attributes: str
    start: int
    end: int
    sent: int


def _third_person(v: str) -> str:
    if v.endswith(("s", "x", "z", "ch", "sh")):
        return v + "es"
    return v[:-1] + "ies" if v.endswith("y") and v[-2] not in _VOWELS else v + "s"


def _doubles_final(v: str) -> bool:
    return len(v) > 2 and v[-1] not in _VOWELS and v[-2] in _VOWELS and v[-3] not in _VOWELS


def _past(v: str) -> str:
    if v.endswith("e"):
        return v + "d"
    if v.endswith("y") and v[-2] not in _VOWELS:
        return v[:-1] + "ied"
    return v + v[-1] + "ed" if _doubles_final(v) else v + "ed"


def _gerund(v: str) -> str:
    if v.endswith("e") and not v.endswith("ee"):
        return v[:-1] + "ing"
    return v + v[-1] + "ing" if _doubles_final(v) else v + "ing"


def _plural_nouns(nouns: list[str], plurals: Mapping[str, str]) -> set[str]:
    out: set[str] = set()
    for n in nouns:
        if n in plurals:
            out.add(plurals[n])
        elif not n.endswith("s"):
            out.add(n + ("es" if n.endswith(("x", "z", "ch", "sh")) else "s"))
    return out


@functools.cache
def _word_rx(word: str) -> re.Pattern[str]:
    return re.compile(r"\b" + re.escape(word) + r"\b", re.IGNORECASE)


class _Lexicon:
    """Lookups derived once from the official word lists."""

    def __init__(self, wl: Mapping[str, Any]) -> None:
        nouns = set(wl["ANIMATE_NOUNS"]) | _plural_nouns(wl["ANIMATE_NOUNS"], wl["PLURAL_FORMS"])
        synonyms = [s for syns in wl["SUBJECT_SYNONYMS"].values() for s in syns]
        nouns |= set(synonyms) | _plural_nouns(synonyms, wl["PLURAL_FORMS"])
        self.nouns = sorted(nouns, key=lambda w: (-len(w), w))
        self.nouns_lower = [n.lower() for n in self.nouns]
        self.synonyms: list[tuple[str, list[str]]] = list(wl["SUBJECT_SYNONYMS"].items())
        self.common = frozenset(wl["COMMON_VERBS"])
        self.irregular = frozenset(f for forms in wl["IRREGULAR_VERB_FORMS"].values() for f in forms)
        parts = set(self.irregular) | set(wl["PHRASAL_VERBS"])
        for v in wl["COMMON_VERBS"]:
            parts |= {v, _third_person(v), _past(v), _gerund(v)}
        # One-token forms are found via the caption's \w+ tokens; others by regex after a cheap
        # check that their first token occurs.
        self.token_parts: dict[str, list[str]] = {}
        self.phrase_parts: dict[str | None, list[str]] = {}
        for p in sorted(parts):
            if P.WORD.fullmatch(p):
                self.token_parts.setdefault(p.lower(), []).append(p)
            else:
                head = P.WORD.match(p)
                self.phrase_parts.setdefault(head.group(0).lower() if head else None, []).append(p)
        self.camera_terms = tuple(wl["CAMERA_TERMS"])
        self.colors: tuple[str, ...] = tuple(wl["COLOR_TERMS"])
        self.clothing: tuple[str, ...] = tuple(wl["CLOTHING_TERMS"])
        self.color_set = frozenset(self.colors)
        self.clothing_set = frozenset(self.clothing)
        self.descriptive_adjectives = frozenset(wl["DESCRIPTIVE_ADJECTIVES"])

    def verb_forms_in(self, text: str) -> list[str]:
        """Every verb form that occurs in ``text`` as a whole word (any case)."""
        tokens = set(P.WORD.findall(text.lower()))
        found = [p for t in tokens for p in self.token_parts.get(t, ())]
        heads = [*tokens, None]
        found += [p for h in heads for p in self.phrase_parts.get(h, ()) if _word_rx(p).search(text)]
        return found

    def has_verb(self, text: str) -> bool:
        return bool(self.verb_forms_in(text))

    def first_form_position(self, text: str) -> int | None:
        """Position of the verb form that comes first in sorted order (not the leftmost one)."""
        found = self.verb_forms_in(text)
        return _word_rx(min(found)).search(text).start() if found else None  # type: ignore[union-attr]

    def potential_verb(self, word: str) -> bool:
        w = word.lower()
        if w in self.common or w in self.irregular:
            return True
        return w.endswith(("s", "ed", "ing")) and _regular_base(w, self.common) in self.common


def _regular_base(v: str, common: frozenset[str]) -> str:
    """Base form by suffix rules (the official ``normalize_verb`` without its irregular table)."""
    if v.endswith("ing"):
        if len(v) > 4 and v[-4] == v[-5] and v[-4] not in _VOWELS:
            return v[:-4]
        return v[:-3] + "e" if len(v) > 5 and v[:-3] + "e" in common else v[:-3]
    if v.endswith("ed"):
        if len(v) > 3 and v[-3] == v[-4] and v[-3] not in _VOWELS:
            return v[:-3]
        if v.endswith("ied"):
            return v[:-3] + "y"
        return v[:-2] + "e" if v[:-2] + "e" in common else v[:-2]
    if v.endswith("s") and not v.endswith("ss"):
        if v.endswith("ies"):
            return v[:-3] + "y"
        return v[:-2] if v.endswith(("ches", "shes", "sses", "xes", "zes")) else v[:-1]
    return v


_LEX: list[tuple[Mapping[str, Any], _Lexicon]] = []


def _lexicon(wl: Mapping[str, Any]) -> _Lexicon:
    for known, lex in _LEX:
        if known is wl:
            return lex
    lex = _Lexicon(wl)
    _LEX[:] = [*_LEX[-3:], (wl, lex)]
    return lex


# ---------------------------------------------------------------- camera


def _camera_end(sentence: str, start: int) -> int:
    tail = sentence[start:]  # sliced, so that \b sees the slice start as a text start
    marker = P.CAMERA_END.search(tail)
    stop = marker.start() if marker else len(tail)
    punct = P.CAMERA_PUNCT.search(tail, 0, stop)
    return start + (punct.start() if punct else stop)


def _normalize_camera(text: str) -> str:
    low = text.lower()
    if low.startswith("the camera"):
        text = "Camera" + text[10:]
    elif low.startswith("a camera"):
        text = "Camera" + text[8:]
    elif not low.startswith("camera"):
        text = "Camera " + text
    text = text[0].upper() + text[1:]
    return text[:-1] if text[-1] in ".,:;!?" else text


def _camera_in_sentence(sentence: str, lex: _Lexicon) -> tuple[list[str], list[str]]:
    """(normalised camera phrases, their raw text) of one sentence; a match inside an earlier span is skipped."""
    low = sentence.lower()
    if not any(t in low for t in lex.camera_terms):
        return [], []
    spans: list[tuple[int, int]] = []
    phrases: list[str] = []
    raw: list[str] = []
    for rx in P.CAMERA_PATTERNS:
        for m in list(rx.finditer(sentence)):
            if any(a <= m.start() < b for a, b in spans):
                continue
            stop = _camera_end(sentence, m.end())
            spans.append((m.start(), stop))
            text = sentence[m.start() : stop].strip()
            norm = _normalize_camera(text)
            if norm not in phrases:
                phrases.append(norm)
                raw.append(text)
    return phrases, raw


def _remove_camera(text: str, camera_texts: list[str]) -> str:
    if not camera_texts:
        return text
    for t in camera_texts:
        text = text.replace(t, "").strip()
    text = P.WHITESPACE.sub(" ", text).strip()
    text = P.CAMERA_LEFTOVER_LEAD.sub("", text).strip()
    return P.CAMERA_LEFTOVER_PUNCT.sub("", text).strip()


# ---------------------------------------------------------------- text tests


def _descriptive(text: str, lex: _Lexicon) -> bool:
    if any(rx.search(text) for rx in P.DESCRIPTIVE):
        return True
    m = P.BE_ADJECTIVE.search(text.lower())
    return bool(m) and m.group(1) in lex.descriptive_adjectives  # type: ignore[union-attr]


def _ing_compound(text: str) -> bool:
    low = text.lower()
    if any(c in low for c in P.ING_COMPOUNDS):
        return True
    if any(rx.search(low) for rx in P.NOMINAL_ING) and not P.PROGRESSIVE.search(low):
        return True
    return bool(P.PROCESS_ING_NOUN.search(low))


@functools.cache
def _nominal_ing_rx(verb: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:the|a|an)\s+{verb}ing")


def _has_clear_action(text: str) -> bool:
    low = text.lower()
    padded = f" {low} "
    for verb in P.CLEAR_ACTION_VERBS:
        if any(f" {verb}{sfx} " in padded for sfx in ("", "s", "ed", "ing")) and not _nominal_ing_rx(verb).search(low):
            return True
    return False


def _clean_action(action: str) -> str:
    a = P.TRAILING_PUNCT.sub("", action).strip()
    a = P.MIDDLE_PUNCT.sub(" ", a).strip()
    a = P.WHITESPACE.sub(" ", a).strip()
    if not any(rx.search(a) for rx in P.PASSIVE):  # passives keep their "by/while ..." tail
        for rx in P.ACTION_CONNECTORS:  # first connector in list order, not the leftmost one
            if rx.search(a):
                a = rx.split(a, maxsplit=1)[0].strip()
                break
    a = P.END_CONJ.sub("", a).strip()
    return P.LEADING_CONJ.sub("", a).strip()


def _verb_parts(text: str, lex: _Lexicon) -> list[str]:
    """Pieces of ``text`` split on and/commas/semicolons that contain a verb form."""
    return [p.strip() for p in P.SPLIT_PARTS.split(text) if p.strip() and lex.has_verb(p.strip())]


# ---------------------------------------------------------------- subjects


@functools.cache
def _subject_rx(kind: str, noun: str, color: str = "") -> re.Pattern[str]:
    # Nouns and colours go in unescaped, as officially (none holds a regex metacharacter).
    pattern = {
        "color_in": rf"\b(?:a|an|the)?\s*{noun}\s+in\s+{color}\s+(?:clothing|clothes|outfit|shirt|dress|suit|jacket"
                    r"|pants|top)\b",
        "color_adj": rf"\b(?:a|an|the)?\s*{color}(?:-clothed|-dressed)?\s+{noun}\b",
        "det": rf"\b(?:a|an|the)\s+(?:[a-z]+[-\s]+)*{noun}\b",
        "demo": rf"\b(?:this|that|these|those)\s+(?:[a-z]+[-\s]+)*{noun}\b",
        "adj": rf"\b(?:[A-Z][a-z]+\s+)+{noun}\b",
        "bare": rf"\b{noun}\b",
        "generic": rf"\b(?:a|an|the)\s+{noun}\s+in\s+{color}",
        "pre_noun": rf"(.*?)\b{re.escape(noun)}\b",
    }[kind]
    return re.compile(pattern, 0 if kind == "pre_noun" else re.IGNORECASE)


def _attribute_boundary(text: str, lex: _Lexicon) -> int:
    punct = P.PUNCT.search(text)
    verb = lex.first_form_position(text)
    connector = next((m.start() for rx in P.ATTRIBUTE_CONNECTORS if (m := rx.search(text))), len(text))
    return min(punct.start() if punct else len(text), len(text) if verb is None else verb, connector)


def _complete_subject(text: str, start: int, noun: str, lex: _Lexicon) -> tuple[str, int]:
    """The subject phrase from ``start`` (noun plus attribute phrases) and its approximate end offset."""
    pos = text[start:].lower().find(noun.lower())  # plain substring: "man" may be found inside "woman"
    if pos == -1:
        return text[start : start + len(noun)].strip(), start + len(noun)
    end = start + pos + len(noun)
    phrase = text[start:end]
    rest = text[end:].lstrip()
    for marker in P.ATTRIBUTE_MARKERS:
        if not marker.search(rest):
            continue
        cut = _attribute_boundary(rest, lex)
        if cut > 0:
            attr = rest[:cut].strip()
            rest = rest[cut:].lstrip()
        elif punct := P.PUNCT.search(rest):
            attr = rest[: punct.start()].strip()  # the rest is not consumed, as officially
        else:
            continue
        phrase += " " + attr
        end += len(attr) + 1  # the official offset arithmetic, drift included
    return phrase.strip(), end


def _has_action_verb(text: str) -> bool:
    low = text.lower()
    if any(rx.search(low) for rx in P.ATTR_ACTION_VERBS):
        return True
    for rx in P.ATTR_ING_VERBS:
        m = rx.search(low)
        if m and not low[max(0, m.start() - 4) : m.start()].endswith(("the ", "a ", "an ")):
            return True
    return False


def _normalize_attribute(attr: str) -> str:
    n = attr.lower().strip()
    for prefix in P.ATTR_PREFIXES:
        if n.startswith(prefix):
            n = n[len(prefix) :].strip()
            break
    for phrase, repl in P.ATTR_REWRITES:
        if n.startswith(phrase):
            n = n.replace(phrase, repl, 1)
    return n.strip()


def _subject_attributes(description: str, noun: str) -> str:
    desc = description.lower().strip()
    for article in ("the ", "a ", "an "):
        if desc.startswith(article):
            desc = desc[len(article) :]
            break
    for indicator in P.SCENE_INDICATORS:
        if indicator in desc:
            desc = desc.replace(indicator, "").strip()
    attrs: list[str] = []
    pre = _subject_rx("pre_noun", noun.lower()).search(desc)
    if pre:
        words = [w for w in pre.group(1).strip().split()[-3:] if w.lower() not in P.DETERMINERS]
        if words:
            attrs.append(" ".join(words))
    for rx, prefix in P.ATTRIBUTE_PATTERNS:
        for m in rx.finditer(desc):
            attr = prefix + m.group(1).strip()
            if not _has_action_verb(attr):
                attrs.append(attr)
    unique: list[str] = []
    for part in (p.strip() for p in ", ".join(a for a in attrs if a).split(",")):
        norm = _normalize_attribute(part)
        if norm and not any(_normalize_attribute(u) == norm for u in unique):
            unique.append(part)
    return ", ".join(unique)


def _find_subjects(text: str, lex: _Lexicon) -> list[tuple[str, str, int, int]]:
    """(noun, attributes, start, end) of the subject mentions in one text, by position."""
    low = text.lower()
    found: list[tuple[str, str, int, int]] = []
    if not any(n in low for n in lex.nouns_lower):
        return found

    def add(m: re.Match[str], noun: str) -> None:
        if any(f[2] <= m.start() < f[3] for f in found):
            return
        desc, end = _complete_subject(text, m.start(), noun, lex)
        found.append((noun, _subject_attributes(desc, noun), m.start(), end))

    present = [n for n in lex.nouns if n in low]  # case-sensitive, as officially ("SpongeBob" never passes)
    for noun in present:
        for color in lex.colors:
            if color in low:
                for kind in ("color_in", "color_adj"):
                    for m in _subject_rx(kind, noun, color).finditer(text):
                        add(m, noun)
    for noun in present:
        for kind in ("det", "demo", "adj"):
            for m in _subject_rx(kind, noun).finditer(text):
                add(m, noun)
        for m in _subject_rx("bare", noun).finditer(text):
            if m.start() == 0 or text[m.start() - 1] in P.BARE_NOUN_BEFORE:
                add(m, noun)
    return sorted(found, key=lambda f: f[2])


@functools.lru_cache(maxsize=4096)
def _colors_and_clothing(attrs: str, lex: _Lexicon) -> tuple[frozenset[str], frozenset[str]]:
    """Colour terms (word or leading) and clothing terms (word or trailing) in lowercase attributes."""
    padded = f" {attrs} "
    colors = frozenset(t for t in lex.colors if f" {t} " in padded or attrs.startswith(f"{t} "))
    clothing = frozenset(t for t in lex.clothing if f" {t} " in padded or attrs.endswith(f" {t}"))
    return colors, clothing


def _consistent(attrs1: str, attrs2: str, lex: _Lexicon) -> bool:
    """No category (colour, age, hair, clothing) has terms on both sides without overlap."""
    w1 = {w.strip(" ,.;:") for w in attrs1.lower().split()} - P.ATTR_STOPWORDS
    w2 = {w.strip(" ,.;:") for w in attrs2.lower().split()} - P.ATTR_STOPWORDS
    for terms in (lex.color_set, P.AGE_TERMS, P.HAIR_TERMS, lex.clothing_set):
        t1, t2 = w1 & terms, w2 & terms
        if t1 and t2 and not t1 & t2:
            return False
    return True


def _same_noun(n1: str, n2: str, lex: _Lexicon) -> bool:
    if n1 == n2:
        return True
    if any((n1 == b or n1 in syns) and (n2 == b or n2 in syns) for b, syns in lex.synonyms):
        return True
    return (n1 in n2 and n2.endswith(n1)) or (n2 in n1 and n1.endswith(n2))


def _same_subject(r1: _Ref, r2: _Ref, lex: _Lexicon) -> bool:
    if not _same_noun(r1.noun, r2.noun, lex):
        return False
    a1, a2 = r1.attributes.lower(), r2.attributes.lower()
    (c1, k1), (c2, k2) = _colors_and_clothing(a1, lex), _colors_and_clothing(a2, lex)
    if c1 and c2 and not c1 & c2:
        return False
    if c1 and k1 and c2 and k2:
        return c1 == c2
    if (("in" in a1 and c1 and k1) or ("in" in a2 and c2 and k2)) and c1 != c2:  # "in": substring, as officially
        return False
    return _consistent(r1.attributes, r2.attributes, lex)


def _group(refs: list[_Ref], lex: _Lexicon) -> list[list[_Ref]]:
    """Greedy grouping: each ungrouped mention takes every later-unclaimed mention that matches it."""
    groups: list[list[_Ref]] = []
    taken: set[int] = set()
    for i, ref in enumerate(refs):
        if i in taken:
            continue
        taken.add(i)
        group = [ref]
        for j, other in enumerate(refs):
            if j not in taken and _same_subject(ref, other, lex):
                group.append(other)
                taken.add(j)
        groups.append(group)
    return groups


Subjects = dict[int, tuple[str, list[_Ref]]]  # Subject number -> (base noun, mentions)


class _Caption:
    """Per-caption state: the official caches whose 50-character keys change results."""

    def __init__(self, lex: _Lexicon) -> None:
        self.lex = lex
        self._clear: dict[str, bool] = {}
        self._pronoun: dict[str, bool] = {}
        self._actions: dict[str, list[str]] = {}

    def clear_action(self, text: str) -> bool:
        key = text[:_CACHE_PREFIX]
        if key not in self._clear:
            self._clear[key] = _has_clear_action(text)
        return self._clear[key]

    def scene(self, text: str) -> bool:
        return any(rx.search(text) for rx in P.SCENE) and not self.clear_action(text)

    def has_pronoun(self, text: str) -> bool:
        key = text[:_CACHE_PREFIX]
        if key not in self._pronoun:
            padded = f" {text.lower()} "
            self._pronoun[key] = any(p in padded for p in P.PRONOUNS_PADDED)
        return self._pronoun[key]

    def actions(self, text: str) -> list[str]:
        """POS-chunked actions (regex fallback); the cached list itself is returned and may grow later."""
        key = text[:_CACHE_PREFIX]
        if key not in self._actions:
            chunks = [c for c in _verb_chunks(pos_tags(text)) if c and not _descriptive(c, self.lex)]
            acts = [a for a in map(_clean_action, chunks) if a]
            self._actions[key] = acts or _fallback_actions(text, self.lex)
        return self._actions[key]


def _verb_chunks(tags: tuple[tuple[str, str], ...]) -> list[str]:
    """Verb, following verbs/"to"/"not", then words up to punctuation, and/or/but or the next verb."""
    chunks: list[str] = []
    i, n = 0, len(tags)
    while i < n:
        if not tags[i][1].startswith("VB"):
            i += 1
            continue
        words = [tags[i][0]]
        i += 1
        while i < n and (tags[i][1].startswith("VB") or tags[i][0].lower() in ("to", "not", "n't")):
            words.append(tags[i][0])
            i += 1
        while i < n and not tags[i][1].startswith("VB"):
            tok, tag = tags[i]
            if tok in (".", ",", ";", ":") or (tag == "CC" and tok.lower() in ("and", "or", "but")):
                break
            words.append(tok)
            i += 1
        chunk = " ".join(words)
        if not _ing_compound(chunk):
            chunks.append(chunk)
    return chunks


def _fallback_actions(text: str, lex: _Lexicon) -> list[str]:
    text = text.strip()
    for rx in P.SPECIFIC_ACTIONS:
        if m := rx.search(text):
            return [m.group(0)]
    out = []
    for part in P.FALLBACK_SPLIT.split(text):
        a = _clean_action(part.strip()) if part.strip() else ""
        if a and not _ing_compound(a) and lex.has_verb(a) and not _descriptive(a, lex):
            out.append(a)
    return out


def _clause_actions(st: _Caption, clause: str) -> list[str]:
    """Actions of an as/while/when clause: pronoun-led verbs, an indicator verb, or the first verb's 6 words."""
    clause = clause.strip()
    if clause.lower().startswith(("he ", "she ", "they ", "it ")) and (m := P.PRONOUN_LEAD.match(clause)):
        rest = clause[m.end() :].strip()
        if st.lex.has_verb(rest):
            return st.actions(rest)
    low = clause.lower()
    for keyword, rx in P.ACTION_INDICATORS:
        if keyword in low and (m := rx.search(clause)):
            return [m.group(0)]
    words = clause.split()
    for i, w in enumerate(words):
        if st.lex.potential_verb(w):
            return [" ".join(words[i : i + 6])]
    return []


def _state_actions(text: str, into: list[str]) -> None:
    low = text.lower()
    for rx, template, words in P.STATE_AND_REACTION:
        if not any(w in low for w in words):
            continue
        for m in rx.finditer(text):
            desc = m.expand(template)
            if desc not in into:
                into.append(desc)


def _subject_actions(st: _Caption, sentence: str, ref: _Ref, refs: list[_Ref]) -> list[str]:
    """Actions in the text between this mention and the next one in the sentence."""
    stop = min((r.start for r in refs if ref.end < r.start), default=len(sentence))
    text = sentence[ref.end : min(stop, len(sentence))].strip()
    if text.startswith((",", ".")):
        text = text[1:].strip()
    text = P.SEGMENT_LEAD.sub("", text)
    if not text:
        return []
    head, *tail = text.split(" while ", 1)
    if tail and P.SUBJECT_INDICATOR.search(tail[0]):
        text = head.strip()
    main, *as_clause = text.split(" as ", 1)
    clause_acts: list[str] = []
    if as_clause:
        main = main.strip()
        if as_clause[0].strip().startswith(("he ", "she ", "they ")):
            clause_acts = _clause_actions(st, as_clause[0].strip())
    acts = _verb_parts(main, st.lex) + clause_acts
    _state_actions(text, acts)
    if not acts and st.lex.has_verb(text):
        return st.actions(text)
    return acts


def _as_clause_actions(text: str, lex: _Lexicon) -> list[str]:
    if m := P.AS_SUBJECT.search(text):
        return _verb_parts(text[m.end() :].strip(), lex)
    if m := P.AS_PRONOUN.search(text):
        return _verb_parts(text[m.end() :].strip(), lex)
    return _verb_parts(text, lex)


def _pronoun_actions(st: _Caption, text: str) -> list[str]:
    m = P.PRONOUN_ANY.search(text.lower())
    if not m:
        return []
    rest = text[m.end() :].strip()
    if rest.startswith((",", ".")):
        rest = rest[1:].strip()
    if not rest:
        return []
    for marker in (" as ", " while "):
        main, *clause = rest.split(marker, 1)
        if clause:
            return st.actions(main) + _clause_actions(st, clause[0])
    acts = _verb_parts(rest, st.lex)
    for rx in P.PRONOUN_STATE:
        for s in rx.finditer(rest):
            if s.group(0) not in acts:
                acts.append(s.group(0))
    return acts


def _bare_actions(text: str, lex: _Lexicon) -> list[str]:
    out = []
    for part in P.BARE_SPLIT.split(text):
        part = part.strip()
        if part and lex.has_verb(part) and (a := P.BARE_LEAD.sub("", part).strip()):
            out.append(a)
    return out


def _extract_actions(
    st: _Caption, cleaned: list[str], subjects: Subjects, refs: list[_Ref]
) -> tuple[dict[int, list[str]], list[tuple[str, int]]]:
    """Per-subject actions and the chronological (action, subject) list."""
    lex = st.lex
    owner: dict[tuple[int, int], int] = {}
    for sid, (_, group) in subjects.items():
        for r in group:
            owner.setdefault((r.sent, r.start), sid)
    by_sentence: dict[int, list[_Ref]] = {}
    for r in refs:
        by_sentence.setdefault(r.sent, []).append(r)
    acts: dict[int, list[str]] = {sid: [] for sid in subjects}
    chrono: list[tuple[str, int]] = []

    def add(action: str, sid: int) -> None:
        if action.strip() and not _descriptive(action, lex) and not _ing_compound(action):
            a = _clean_action(action)
            if a and a not in acts[sid]:
                acts[sid].append(a)
                chrono.append((a, sid))

    current: int | None = None
    for idx, clean in enumerate(cleaned):
        if not clean.strip() or st.scene(clean):
            continue
        sent_refs = sorted(by_sentence.get(idx, []), key=lambda r: r.start)
        if sent_refs:
            for ref in sent_refs:
                sid = owner.get((ref.sent, ref.start))
                if sid is None:
                    continue
                current = sid
                found = _subject_actions(st, clean, ref, sent_refs)
                if len(clean) >= 10:
                    _state_actions(clean[ref.end :] if ref.end < len(clean) else clean, found)
                for a in found:
                    add(a, sid)
                _complex_clauses(st, clean, sid, add)
        elif current is not None and " as " in clean:
            rest = clean.split(" as ", 1)[1]
            if st.clear_action(rest):
                for a in _as_clause_actions(rest, lex):
                    add(a, current)
        elif current is not None and st.has_pronoun(clean):
            for a in _pronoun_actions(st, clean):
                add(a, current)
        elif st.clear_action(clean) and current is not None:  # the cache is filled even with no subject
            for a in _bare_actions(clean, lex):
                add(a, current)
    return acts, chrono


@functools.lru_cache(maxsize=256)
def _clause_steps(sentence: str) -> tuple[tuple[bool, str], ...]:
    """In order: (True, pronoun-led clause) to expand, or (False, action) to add as is; per sentence."""
    steps: list[tuple[bool, str]] = []
    for marker in P.CLAUSE_MARKERS:
        if marker in sentence:
            clause = sentence.split(marker, 1)[1].strip()
            if clause.lower().startswith(("he ", "she ", "they ")):
                steps.append((True, clause))
            if m := P.ADVERB_ING.search(clause):
                steps.append((False, m.group(1)))
    steps += [(False, m.group(0)) for rx in P.ASSURANCE for m in rx.finditer(sentence)]
    return tuple(steps)


def _complex_clauses(st: _Caption, sentence: str, sid: int, add: Callable[[str, int], None]) -> None:
    """Clause and "ensuring/adjusting" actions of the whole sentence, for the subject just processed."""
    for expand, text in _clause_steps(sentence):
        # expanded each time: a cached action list may have grown since the last mention
        for a in _clause_actions(st, text) if expand else [text]:
            add(a, sid)


def _identify_subjects(st: _Caption, sentences: list[str], cleaned: list[str]) -> tuple[Subjects, list[_Ref]]:
    refs: list[_Ref] = []
    seen: set[tuple[int, int]] = set()
    for idx, (sent, clean) in enumerate(zip(sentences, cleaned, strict=True)):
        for text in [sent, clean] if clean != sent else [sent]:
            if not text.strip() or st.scene(text):
                continue
            for noun, attrs, start, end in _find_subjects(text, st.lex):
                if (idx, start) not in seen:  # offsets of the raw and the cleaned text share one namespace
                    seen.add((idx, start))
                    refs.append(_Ref(noun, attrs, start, end, idx))
    groups = _group(refs, st.lex)
    subjects: Subjects = {}
    for i, group in enumerate(groups, 1):
        if group[0].noun.lower() in P.GENERIC_NOUNS and len(groups) > 1:
            continue
        subjects[i] = (group[0].noun, group)
    return subjects, refs


def _generic_subjects(sentences: list[str], cleaned: list[str], lex: _Lexicon) -> tuple[Subjects, list[_Ref]]:
    """Fallback subjects: "<noun> in <colour> <clothing>" mentions, else one per pronoun kind, else a person."""
    subjects: Subjects = {}
    refs: list[_Ref] = []
    for idx, sent in enumerate(sentences):
        low = sent.lower()
        for noun, noun_low in zip(lex.nouns, lex.nouns_lower, strict=True):
            if noun_low not in low:
                continue
            for color in lex.colors:
                if color.lower() not in low:
                    continue
                for clothing in lex.clothing:
                    if clothing.lower() not in low:
                        continue
                    rx = _subject_rx("generic", noun, rf"{color}\s+{clothing}\b")
                    for m in rx.finditer(sent):
                        ref = _Ref(noun, f"in {color} {clothing}", m.start(), m.end(), idx)
                        subjects[len(subjects) + 1] = (noun, [ref])
                        refs.append(ref)
    if subjects:
        return subjects, refs
    counts = [0] * len(P.PRONOUN_SUBJECTS)
    for clean in cleaned:
        if clean.strip():
            for k, (_, pronouns) in enumerate(P.PRONOUN_SUBJECTS):
                counts[k] += sum(len(_word_rx(p).findall(clean)) for p in pronouns)
    order = sorted(range(len(counts)), key=lambda k: -counts[k])
    nouns = [P.PRONOUN_SUBJECTS[k][0] for k in order if counts[k] > 0] or ["person"]
    for noun in nouns:
        ref = _Ref(noun, "", 0, len(noun), 0)  # every generic mention sits at offset 0 of sentence 0
        subjects[len(subjects) + 1] = (noun, [ref])
        refs.append(ref)
    return subjects, refs


def extract_record(caption: str, wordlists: Mapping[str, Any]) -> dict[str, Any]:
    """Step 1: caption -> ``{model_caption, camera_motion, num_subjects, motion_list, chronological_motion_list}``."""
    from nltk.tokenize import sent_tokenize

    check_nltk_resources(("punkt_tab",))
    caption = caption if isinstance(caption, str) else ""
    if not caption.strip():
        # Deliberate deviation: the official code invents a "Person" subject with no actions here.
        return {"model_caption": caption, "camera_motion": "", "num_subjects": "Single subject",
                "motion_list": "", "chronological_motion_list": ""}
    lex = _lexicon(wordlists)
    sentences = sent_tokenize(caption)
    camera: list[str] = []
    camera_texts: list[str] = []
    for s in sentences:
        phrases, raw = _camera_in_sentence(s, lex)
        camera += phrases
        camera_texts += raw
    cleaned = [_remove_camera(s, camera_texts) for s in sentences]
    st = _Caption(lex)
    subjects, refs = _identify_subjects(st, sentences, cleaned)
    acts, chrono = _extract_actions(st, cleaned, subjects, refs)
    if not subjects:
        subjects, refs = _generic_subjects(sentences, cleaned, lex)
        acts, chrono = _extract_actions(st, cleaned, subjects, refs)
    n = len(subjects)
    return {
        "model_caption": caption,
        "camera_motion": ", ".join(camera),
        "num_subjects": "Single subject" if n == 1 else f"Multiple subjects ({n})",
        "motion_list": "\n".join(f"Subject {sid}: {noun.capitalize()} [{', '.join(acts[sid])}]"
                                 for sid, (noun, _) in subjects.items()),
        "chronological_motion_list": ", ".join(f"{a} (Subject {sid})" for a, sid in chrono),
    }
