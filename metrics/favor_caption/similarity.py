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

from metrics.favor_caption import resources as R

VERB_BOOST = 0.3
RELATED_VERB_BOOST = 0.3 * 0.8
KEY_TERM_BOOST = 0.3
PHRASE_PAIR_BOOST = 0.15
POSITION_WEIGHT = 0.3

# Key terms of the official text similarity (laptop/computer domain). The SPEC names the first two
# pairs; ("typing", "keyboard") is needed to reproduce the golden scores. Other official pairs are unknown.
KEY_TERM_PAIRS: tuple[tuple[str, str], ...] = (
    ("laptop", "keyboard"),
    ("screen", "monitor"),
    ("typing", "keyboard"),
)
KEY_PHRASES: dict[str, tuple[str, ...]] = {
    "interact with laptop": ("use computer", "type on keyboard"),
}
# Action-similarity phrase pairs that get +0.15.
PHRASE_PAIRS: tuple[tuple[str, str], ...] = (
    ("interact with laptop", "type on keyboard"),
    ("interact with laptop", "use computer"),
    ("use laptop", "type on keyboard"),
)
# Camera-motion domain knowledge: words in one group are related (verb similarity 0.95).
DOMAIN_GROUPS: dict[str, tuple[str, ...]] = {
    "pan": ("pan", "sweep", "swivel"),
    "tilt": ("tilt",),
    "zoom": ("zoom", "magnify"),
    "follow": ("follow", "track", "trail"),
    "steady": ("steady", "stable", "static", "stationary"),
    "dolly": ("dolly",),
    "truck": ("truck",),
    "pedestal": ("pedestal",),
    "arc": ("arc", "orbit"),
    "upward": ("upward", "ascend"),
    "downward": ("downward", "descend"),
    "camera_motion": ("move", "moves", "shift", "shifts"),
}
FIXED_PAIRS: frozenset[frozenset[str]] = frozenset(
    frozenset(p)
    for p in [
        ("interact", "use"), ("interact", "type"), ("type", "keyboard"), ("begin", "start"),
        ("position", "place"), ("put", "place"), ("sit", "seat"), ("walk", "move"), ("look", "watch"),
    ]
)
# Action synonyms (verb similarity 0.9). Only ("walk", "step") is evidenced by the golden scores;
# the official dictionary's other entries are unknown.
ACTION_SYNONYMS: dict[str, tuple[str, ...]] = {"walk": ("step",)}


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


def _domain_related(a: str, b: str) -> bool:
    for name, words in DOMAIN_GROUPS.items():
        group = (name, *words)
        if a in group and b in group:
            return True
    return False


def _synonyms(v: str) -> set[str]:
    out = set(ACTION_SYNONYMS.get(v, ()))
    for name, words in DOMAIN_GROUPS.items():
        if v == name:
            out.update(words)
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
        k = _key(a, b)
        if k[0] == k[1]:
            return 1.0
        hit = self._act_cache.get(k)
        if hit is not None:
            return hit
        s = self.text_sim(a, b)
        v1, v2 = self._core_verb(a), self._core_verb(b)
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
    for t1, t2 in KEY_TERM_PAIRS:
        if (t1 in a and t2 in b) or (t2 in a and t1 in b):
            return True
    for phrase, alts in KEY_PHRASES.items():
        for alt in alts:
            if (phrase in a and alt in b) or (alt in a and phrase in b):
                return True
    return False
