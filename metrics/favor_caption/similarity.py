"""Text, verb and action similarity of the official step 2 (SPEC 3.5), with caching and batching.

``SimilarityEngine`` owns the embeddings (pre-computed in one batched encode), the WordNet and
tagger caches, and, in ``official`` mode, the official *shared* pair cache: ``text_sim`` and
``act_sim`` store into one dict keyed by the lowercased, stripped pair, so whichever computes a
pair first decides the value both later return, across videos (order dependence included).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import numpy as np

from finemotion_eval.metrics.favor_caption import resources as R

VERB_BOOST = 0.3
RELATED_VERB_BOOST = 0.3 * 0.8
KEY_TERM_BOOST = 0.3
PHRASE_PAIR_BOOST = 0.15
POSITION_WEIGHT = 0.3

# Word-level key-term pairs of the official text similarity: a pair fires when one text has the first
# word and the other the second, as whitespace-split tokens (a two-word entry can therefore never fire).
KEY_TERM_PAIRS: tuple[tuple[str, str], ...] = (
    ("laptop", "keyboard"), ("laptop", "computer"), ("interact", "place hands"), ("interact", "use"),
    ("begin", "place"), ("screen", "monitor"), ("screen", "display"), ("interacting", "typing"),
    ("typing", "keyboard"),
)
# Phrase maps of the official text similarity (substring of one text -> any alternative in the other).
KEY_PHRASES: dict[str, tuple[str, ...]] = {
    "begin interacting with laptop": ("place hands on keyboard", "use computer", "type on keyboard"),
    "interact with laptop": ("use computer", "type on keyboard"),
    "place hands on keyboard": ("begin typing", "start typing", "use keyboard"),
    "use laptop": ("operate computer", "work on laptop"),
    "focus on screen": ("look at monitor", "watch display"),
}
# Action-similarity phrase pairs (substrings, either direction) that get +0.15, at most once.
PHRASE_PAIRS: tuple[tuple[str, str], ...] = (
    ("begin interacting with the laptop", "places hands on the computer keyboard"),
    ("interacting with laptop", "hands on keyboard"),
    ("interacting with computer", "typing on keyboard"),
)
# Camera-motion domain knowledge of the official model manager: head word -> related entries. Two
# words are related (verb similarity 0.95) if one is among the other's domain synonyms or they share
# one (see ``_domain_synonyms``). Verbs are lemmatised first, so most inflected entries never fire.
DOMAIN_GROUPS: dict[str, tuple[str, ...]] = {
    "shake": ("shakes", "vibrates", "unstable", "trembles", "wobbles", "shakily", "shake", "shaky"),
    "pan": ("panning", "moves horizontally", "moves left to right", "moves right to left", "pans", "pan",
            "panning shot", "pan left", "pan right", "pan upward", "pan downward", "right pan", "left pan"),
    "tilt": ("tilting", "moves vertically", "moves up and down", "moves up to down", "moves down to up",
             "tilts", "tilt", "tilt down", "tilt up", "upward tilt", "downward tilt"),
    "zoom": ("zooms", "zooms in", "zooms out", "magnifies", "reduces", "zoom", "zoom in", "zoom out"),
    "follow": ("follows", "tracks", "pursues", "maintains focus on", "following"),
    "steady": ("stable", "stationary", "fixed", "still", "doesn't move", "steadily", "steady", "stabilized"),
    "dolly": ("dollies", "moves forward", "moves backward", "approaches", "retreats", "dolly", "dolly in",
              "dolly out", "forward dolly", "backward dolly", "left dolly", "right dolly",
              "forward dolly movement"),
    "truck": ("trucks", "moves sideways", "slides", "shifts laterally", "truck right", "truck left"),
    "pedestal": ("pedestals", "moves up", "moves down", "rises", "lowers"),
    "arc": ("arcs", "circles", "curves around", "orbits", "rotating shot", "rotating camera movement"),
    "upward": ("up", "higher", "rising", "ascending", "upwards motion", "upward camera movement",
               "upward-right camera movement", "upward-left camera movement"),
    "downward": ("down", "lower", "falling", "descending", "downwards motion", "downward camera movement",
                 "downward-left camera movement", "downward-right camera movement"),
    "rightward": ("right", "to the right", "rightwards", "rightward motion", "rightward camera movement"),
    "leftward": ("left", "to the left", "leftwards", "leftward motion", "leftward camera movement"),
    "camera_motion": (
        "camera", "cam", "scene transition", "shifts", "moves", "movement", "capture", "filming", "recording",
        "videographer", "cinematographer", "cinematography", "shot", "angle", "perspective", "frame", "focus",
        "unstabilized", "cuts", "transitions", "framing", "close-up", "medium shot", "long shot", "wide shot",
        "tracking shot", "handheld", "scene", "background", "foreground", "video", "clip", "footage",
        "sequence", "view", "frames", "filmed", "recorded", "captured", "moving", "push forward", "pull back",
        "push in", "pull out", "upper left", "lower left", "upper right", "lower right", "backward motion",
        "forward movement", "backward camera movement", "forward camera movement",
        "alternates between light and dark", "scene becomes clear", "screen turns black", "screen darkens",
        "screen brightens", "image blurs", "forward push", "backward pull", "upper-left camera movement",
        "lower-left camera movement", "lower-right camera movement", "upper-right camera movement",
    ),
}
FIXED_PAIRS: frozenset[frozenset[str]] = frozenset(
    frozenset(p)
    for p in [
        ("interact", "use"), ("interact", "type"), ("type", "keyboard"), ("begin", "start"),
        ("position", "place"), ("put", "place"), ("sit", "seat"), ("walk", "move"), ("look", "watch"),
    ]
)
# Action synonyms (verb similarity 0.9): key -> synonyms, looked up by key only (both directions tried).
ACTION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "interact": ("use", "operate", "handle", "work", "manipulate"),
    "type": ("key", "press keys", "input", "keyboard", "write"),
    "place": ("put", "set", "position", "lay", "rest", "locate"),
    "sit": ("seat", "settle", "perch", "take a seat"),
    "begin": ("start", "commence", "initiate", "get going"),
    "look": ("watch", "view", "observe", "see", "gaze", "stare"),
    "walk": ("move", "go", "proceed", "step", "stride"),
    "hold": ("grasp", "grip", "clutch", "keep", "maintain"),
}


def _key(a: str, b: str) -> tuple[str, str]:
    a, b = a.lower().strip(), b.lower().strip()
    return (a, b) if a <= b else (b, a)


class EmbeddingStore:
    """Sentence embeddings, batch-encoded once; keyed like the official cache (text.strip().lower())."""

    def __init__(self, sbert: Any, *, batch_size: int = 128, official: bool = True) -> None:
        self.sbert = sbert
        self.batch_size = batch_size
        self.official = official
        self.lowercases = R.model_lowercases(sbert)
        self._pre: dict[str, np.ndarray] = {}
        self._by_key: dict[str, tuple[np.ndarray, np.float32]] = {}
        self.single_encodes = 0
        self.recording: dict[str, None] | None = None

    def recorder(self) -> EmbeddingStore:
        """A store sharing the pre-computed embeddings that records unknown texts instead of encoding them."""
        rec = EmbeddingStore.__new__(EmbeddingStore)
        rec.__dict__.update(self.__dict__)
        rec._by_key = {}
        rec.recording = {}
        return rec

    def _pre_key(self, text: str) -> str:
        return text.strip().lower() if self.lowercases else text

    def precompute(self, texts: Iterable[str]) -> int:
        """Encode every new text in one batched call; returns how many were encoded."""
        todo: dict[str, None] = {}
        for t in texts:
            if t and t.strip():
                k = self._pre_key(t)
                if k not in self._pre and k not in todo:
                    todo[k] = None
        if todo:
            keys = list(todo)
            vecs = self.sbert.encode(keys, batch_size=self.batch_size, show_progress_bar=False,
                                     convert_to_numpy=True)
            for k, v in zip(keys, np.asarray(vecs, dtype=np.float32)):
                self._pre[k] = v
        return len(todo)

    def get(self, text: str) -> tuple[np.ndarray, np.float32]:
        """(embedding, norm); official: first casing seen for a lowercased key wins."""
        key = text.strip().lower() if self.official else text
        hit = self._by_key.get(key)
        if hit is None:
            pk = self._pre_key(text)
            v = self._pre.get(pk)
            if v is None and self.recording is not None:
                self.recording[text] = None
                return np.zeros(1, dtype=np.float32), np.float32(0.0)
            if v is None:
                v = np.asarray(self.sbert.encode(pk, show_progress_bar=False), dtype=np.float32)
                self._pre[pk] = v
                self.single_encodes += 1
            hit = (v, np.linalg.norm(v))
            self._by_key[key] = hit
        return hit

    def cos(self, a: str, b: str) -> float:
        """Plain cosine, no clipping (0 for a zero vector)."""
        va, na = self.get(a)
        vb, nb = self.get(b)
        if na == 0 or nb == 0:
            return 0.0
        return float(np.dot(va, vb) / (na * nb))


def core_verb(text: str, verbs: frozenset[str]) -> str:
    """Official ``core_verb``: first known VB* lemma, else first VB* lemma, else first known NN* lemma, else first token."""
    tags = R.pos_tags(text.lower())
    if not tags:
        return ""
    first_vb = None
    for w, t in tags:
        if t.startswith("VB"):
            lem = R.verb_lemma(w)
            if lem in verbs:
                return lem
            if first_vb is None:
                first_vb = lem
    if first_vb is not None:
        return first_vb
    for w, t in tags:
        if t.startswith("NN"):
            lem = R.verb_lemma(w)
            if lem in verbs:
                return lem
    return tags[0][0]


@functools.lru_cache(maxsize=100_000)
def _domain_synonyms(word: str) -> frozenset[str]:
    """Domain synonyms of ``word``: a head word's entries; for an entry, its head and the other entries."""
    out: set[str] = set()
    for head, entries in DOMAIN_GROUPS.items():
        if word == head:
            out.update(entries)
        elif word in entries:
            out.add(head)
            out.update(e for e in entries if e != word)
    return frozenset(out)


def _domain_related(a: str, b: str) -> bool:
    sa, sb = _domain_synonyms(a), _domain_synonyms(b)
    return b in sa or a in sb or not sa.isdisjoint(sb)


def _synonyms(v: str) -> set[str]:
    out = set(ACTION_SYNONYMS.get(v, ()))
    out.update(_domain_synonyms(v))
    out.update(R.verb_synonyms(v))
    return out


@functools.lru_cache(maxsize=500_000)
def verb_related(v1: str, v2: str) -> bool:
    """``verb_sim(v1, v2) > 0.8`` without the WordNet path search (path similarity > 0.8 iff a shared synset)."""
    if not v1 or not v2:
        return False
    a, b = R.verb_lemma(v1), R.verb_lemma(v2)
    if a == b or _domain_related(a, b) or frozenset((a, b)) in FIXED_PAIRS:
        return True
    if b in _synonyms(a) or a in _synonyms(b):
        return True
    return not set(R.verb_synsets(a)).isdisjoint(R.verb_synsets(b))


def verb_sim(v1: str, v2: str) -> float:
    """Official verb similarity: 1 / 0.95 domain / 0.9 fixed pair or synonym / WordNet path."""
    return _verb_sim_cached(v1, v2)


@functools.lru_cache(maxsize=500_000)
def _verb_sim_cached(v1: str, v2: str) -> float:
    if not v1 or not v2:
        return 0.0
    a, b = R.verb_lemma(v1), R.verb_lemma(v2)
    if a == b:
        return 1.0
    if _domain_related(a, b):
        return 0.95
    if frozenset((a, b)) in FIXED_PAIRS:
        return 0.9
    if b in _synonyms(a) or a in _synonyms(b):
        return 0.9
    return R.max_path_similarity(a, b)


class SimilarityEngine:
    """text_sim / act_sim / position-aware matrices with the official (shared) or strict (split) cache."""

    def __init__(self, store: EmbeddingStore, verbs: Iterable[str], *, official: bool = True) -> None:
        self.store = store
        self.verbs = frozenset(verbs)
        self.official = official
        self.cache: dict[tuple[str, str], float] = {}
        self._act_cache: dict[tuple[str, str], float] = self.cache if official else {}
        self._core: dict[str, str] = {}

    def _core_verb(self, text: str) -> str:
        v = self._core.get(text)
        if v is None:
            v = self._core[text] = core_verb(text, self.verbs)
        return v

    def text_sim(self, a: str, b: str) -> float:
        """Cosine of the sentence embeddings (+0.3 when a key term pair fires), 1 if equal, 0 if empty."""
        if not a or not b:
            return 0.0
        k = _key(a, b)
        if k[0] == k[1]:
            return 1.0
        hit = self.cache.get(k)
        if hit is not None:
            return hit
        base = self.store.cos(a, b)
        if _key_term_fires(k[0], k[1]):
            base = min(1.0, base + KEY_TERM_BOOST)
        self.cache[k] = base
        return base

    def act_sim(self, a: str, b: str) -> float:
        """text_sim plus the core-verb boost (+0.3 same verb, +0.24 related verb) and phrase boost."""
        if not a or not b:
            return 0.0
        k = _key(a, b)
        if k[0] == k[1]:
            return 1.0
        hit = self._act_cache.get(k)
        if hit is not None:
            return hit
        s = self.text_sim(a, b)
        v1, v2 = self._core_verb(a), self._core_verb(b)
        if v1 and v2:
            if v1 == v2:
                s = min(1.0, s + VERB_BOOST)
            elif verb_related(v1, v2):
                s = min(1.0, s + RELATED_VERB_BOOST)
        for p, q in PHRASE_PAIRS:
            if (p in k[0] and q in k[1]) or (q in k[0] and p in k[1]):
                s = min(1.0, s + PHRASE_PAIR_BOOST)
                break
        self._act_cache[k] = s
        return s

    def matrix(self, P: list[str], G: list[str]) -> np.ndarray:
        """Position-aware action similarity matrix (0.7*act_sim + 0.3*exp(-4*d^2) when both lengths > 1)."""
        n_p, n_g = len(P), len(G)
        S = np.empty((n_p, n_g), dtype=np.float64)
        for i, p in enumerate(P):
            for j, g in enumerate(G):
                S[i, j] = self.act_sim(p, g)
        if n_p > 1 and n_g > 1:
            d = np.arange(n_p)[:, None] / (n_p - 1) - np.arange(n_g)[None, :] / (n_g - 1)
            S = (1 - POSITION_WEIGHT) * S + POSITION_WEIGHT * np.exp(-4.0 * d ** 2)
        return S


def _key_term_fires(a: str, b: str) -> bool:
    """Key-term rule on lowercased, stripped texts: phrase maps by substring, term pairs by whole word."""
    for phrase, alts in KEY_PHRASES.items():
        if (phrase in a and any(x in b for x in alts)) or (phrase in b and any(x in a for x in alts)):
            return True
    wa, wb = set(a.split()), set(b.split())
    for t1, t2 in KEY_TERM_PAIRS:
        if (t1 in wa and t2 in wb) or (t1 in wb and t2 in wa):
            return True
    return False
