"""Per-video and corpus scores of the FAVOR LLM-free metric (SPEC 3.8), ``official`` or ``strict`` mode."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy.optimize import linear_sum_assignment

from finemotion_eval.metrics.favor_caption import records
from finemotion_eval.metrics.favor_caption.matching import match_actions, order_score
from finemotion_eval.metrics.favor_caption.resources import (
    DEFAULT_SBERT_MODEL,
    MissingResourceError,
    check_nltk_resources,
    load_sbert,
)
from finemotion_eval.metrics.favor_caption.similarity import EmbeddingStore, SimilarityEngine

Mode = Literal["official", "strict"]

SCORE_KEYS: tuple[str, ...] = (
    "camera", "subject_precision", "subject_recall", "subject_order",
    "chrono_precision", "chrono_recall", "chrono_order", "final",
)
#: Final-score weights of the official ``main()``.
WEIGHTS: dict[str, float] = {
    "camera": 0.05, "subject_precision": 0.2, "subject_recall": 0.2, "subject_order": 0.05,
    "chrono_precision": 0.2, "chrono_recall": 0.2, "chrono_order": 0.1,
}
ACTION_THRESHOLD = 0.3
CAMERA_THRESHOLD = 0.3 * 0.8
SUBJECT_THRESHOLD = 0.15
SUBJECT_HIGH = 0.5

#: Bugs of the official code that ``strict`` mode fixes (one line each, for docs/deviations.md).
STRICT_FIXES: tuple[str, ...] = (
    (
        "Separate caches for text similarity and action similarity: the official shared cache lets whichever"
        " function first sees a pair decide the (boosted or unboosted) value for both, so scores depend on"
        " video order."
    ),
    (
        "Embeddings keyed by the exact text, not text.strip().lower() with the first casing seen winning"
        " (matters for cased models such as all-distilroberta-v1)."
    ),
    (
        "An empty predicted camera field gives no segments and camera score 0 (official: it becomes the"
        " segment 'Camera ' and scores up to 1.0 against the ground truth)."
    ),
    (
        "Ground-truth parsing accepts 'Subject1', '(Subject1)', '(Character 1)' and bracket-less motion lists"
        " (official: 22 GT chronological lists and 21 motion lists parse to nothing and score 0 for every model)."
    ),
    (
        "Chronological actions lose the ', ' separator the official regex leaves at their start"
        " (official: every action after the first is embedded as ', act')."
    ),
    "The final score is clipped to [0, 1] (official GT-vs-GT gives 0.9999999999999999).",
)

# Subject-description boosts: (boost, word pairs). A pair counts when each description has one of its
# words (whitespace split); if they share a word of the pair the boost is x1.5. The largest boost wins.
# (The official table also lists a zero-boost group, e.g. man/woman, which can never raise the maximum.)
_REF_GROUPS: tuple[tuple[float, tuple[frozenset[str], ...]], ...] = (
    (0.3, tuple(frozenset(g) for g in [
        ("girl", "girls"), ("woman", "women"), ("man", "men"), ("boy", "boys"), ("person", "people"),
        ("child", "children"), ("adult", "adults"), ("subject", "subjects")])),
    (0.15, tuple(frozenset(g) for g in [
        ("girl", "woman"), ("girl", "female"), ("woman", "female"), ("woman", "lady"), ("boy", "man"),
        ("boy", "male"), ("man", "male"), ("child", "kid"), ("child", "girl"), ("child", "boy"),
        ("person", "human"), ("person", "individual"), ("person", "subject")])),
    (0.07, tuple(frozenset(g) for g in [
        ("person", "man"), ("person", "woman"), ("person", "child"), ("adult", "man"), ("adult", "woman"),
        ("teenager", "boy"), ("teenager", "girl")])),
)


def _ref_boost(d1: str, d2: str) -> float:
    w1, w2 = set(d1.split()), set(d2.split())
    best = 0.0
    for boost, groups in _REF_GROUPS:
        for g in groups:
            a, b = w1 & g, w2 & g
            if a and b:
                best = max(best, boost * 1.5 if a & b else boost)
    return best


@dataclass
class ParsedRecord:
    """A record parsed into camera segments, subjects and the chronological list."""

    camera: list[str]
    desc: dict[int, str]
    actions: dict[int, list[str]]
    chrono: list[tuple[str, int]]
    camera_raw: str = ""


def parse_record(rec: Mapping[str, Any], *, strict: bool = False) -> ParsedRecord:
    """Parse one step-1/GT record (missing fields are empty strings)."""
    def f(k: str) -> str:
        v = rec.get(k)
        if v is None:
            return ""
        if not isinstance(v, str):
            raise TypeError(f"field {k!r} must be a string, got {type(v).__name__}")
        return v
    desc, acts = records.parse_motion_list(f("motion_list"), strict=strict)
    cam = f("camera_motion")
    return ParsedRecord(records.parse_camera(cam, strict=strict), desc, acts,
                        records.parse_chrono(f("chronological_motion_list"), strict=strict), cam)


def record_texts(p: ParsedRecord) -> list[str]:
    """The strings the scorer always embeds for this record (window combinations are found by a dry run)."""
    out = list(p.camera)
    out += [d.lower() for d in p.desc.values()]
    for acts in p.actions.values():
        out += acts
        out.append(" ".join(acts))
    out += [a for a, _ in p.chrono]
    return out


class _OfficialVideoError(Exception):
    """A case where the official code raises inside its per-video try block and zeroes every score."""


def _subject_scores(eng: SimilarityEngine, pr: ParsedRecord, gr: ParsedRecord, *,
                    official: bool = False) -> dict[str, float]:
    pids, gids = list(pr.actions), list(gr.actions)
    zero = {"subject_precision": 0.0, "subject_recall": 0.0, "subject_order": 0.0, "subject_f1": 0.0}
    if not pids or not gids:
        return zero
    sim = np.zeros((len(pids), len(gids)))
    for a, p in enumerate(pids):
        for b, g in enumerate(gids):
            d1, d2 = pr.desc.get(p, "").lower(), gr.desc.get(g, "").lower()
            desc = min(1.0, eng.text_sim(d1, d2) + _ref_boost(d1, d2))
            P, G = pr.actions[p], gr.actions[g]
            if P and G:
                ts = eng.text_sim(" ".join(P), " ".join(G))
                M = eng.matrix(P, G)
                if float(np.max(M)) == 0:
                    act = ts
                else:
                    act = 0.2 * ts + 0.8 * (float(np.mean(M.max(axis=1))) + float(np.mean(M.max(axis=0)))) / 2
                sim[a, b] = 0.1 * desc + 0.95 * act
            else:
                sim[a, b] = desc
    rows, cols = linear_sum_assignment(-sim)
    # Hungarian pairs, best first (stable): accepted in this order, which is also the order in which
    # their actions are matched (it matters for the official shared cache).
    hung = sorted(zip(rows.tolist(), cols.tolist()), key=lambda rc: -sim[rc])
    pairs = [(r, c) for r, c in hung if sim[r, c] >= SUBJECT_HIGH]
    pairs += [(r, c) for r, c in hung if SUBJECT_THRESHOLD < sim[r, c] < SUBJECT_HIGH]
    if not pairs and hung:
        pairs = [hung[0]]
    tot = {"subject_precision": 0.0, "subject_recall": 0.0, "subject_order": 0.0, "subject_f1": 0.0}
    wsum = 0.0
    for r, c in pairs:
        P, G = pr.actions[pids[r]], gr.actions[gids[c]]
        m = match_actions(P, G, eng.matrix(P, G) if P and G else np.zeros((0, 0)), eng.act_sim, ACTION_THRESHOLD)
        o = order_score(m.mapping, len(P), len(G))
        w = len(G)
        wsum += w
        tot["subject_precision"] += w * m.precision
        tot["subject_recall"] += w * m.recall
        tot["subject_order"] += w * o
        tot["subject_f1"] += w * m.f1
    if wsum == 0:
        if official:
            # officially a ZeroDivisionError (every matched GT subject has no actions): the whole
            # video then scores 0
            raise _OfficialVideoError("matched GT subjects have no actions")
        return zero
    return {k: v / wsum for k, v in tot.items()}


def _chrono_scores(eng: SimilarityEngine, pr: ParsedRecord, gr: ParsedRecord) -> dict[str, float]:
    P = [a for a, _ in pr.chrono]
    G = [a for a, _ in gr.chrono]
    if not P or not G:
        return {"chrono_precision": 0.0, "chrono_recall": 0.0, "chrono_order": 0.0, "chrono_f1": 0.0}
    m = match_actions(P, G, eng.matrix(P, G), eng.act_sim, ACTION_THRESHOLD)
    if m.mapping:
        smr = float(np.mean([pr.chrono[i][1] == gr.chrono[j][1] for i, j in m.mapping.items()]))
    else:
        smr = 0.0
    fac = 0.9 + 0.1 * smr
    cp, cr = m.precision * fac, m.recall * fac
    return {"chrono_precision": cp, "chrono_recall": cr,
            "chrono_order": order_score(m.mapping, len(P), len(G)),
            "chrono_f1": 2 * cp * cr / (cp + cr) if cp + cr > 0 else 0.0}


def _camera_scores(eng: SimilarityEngine, pr: ParsedRecord, gr: ParsedRecord) -> dict[str, float]:
    P, G = pr.camera, gr.camera
    if not G or not gr.camera_raw.strip():  # no GT camera motion: full marks
        return {"camera": 1.0, "camera_precision": 1.0, "camera_recall": 1.0, "camera_order": 1.0}
    if not P:
        return {"camera": 0.0, "camera_precision": 0.0, "camera_recall": 0.0, "camera_order": 0.0}
    m = match_actions(P, G, eng.matrix(P, G), eng.act_sim, CAMERA_THRESHOLD)
    return {"camera": m.f1, "camera_precision": m.precision, "camera_recall": m.recall,
            "camera_order": order_score(m.mapping, len(P), len(G))}


def score_video(pred: Mapping[str, Any], gt: Mapping[str, Any], *, engine: SimilarityEngine,
                mode: Mode = "official", components: bool = False) -> dict[str, float]:
    """Scores of one prediction record against one GT record (keys ``SCORE_KEYS``, values in [0, 1]).

    ``engine`` carries the embeddings and caches (see ``make_engine``); in official mode its shared
    cache makes the result depend on the videos scored before with the same engine, as officially.
    ``components=True`` adds the intermediate camera P/R/order and F1 values.
    """
    strict = mode == "strict"
    pr, gr = parse_record(pred, strict=strict), parse_record(gt, strict=strict)
    out: dict[str, float] = {}
    out.update(_camera_scores(engine, pr, gr))
    try:
        out.update(_subject_scores(engine, pr, gr, official=not strict))
    except _OfficialVideoError:
        out = {k: 0.0 for k in (*SCORE_KEYS, "camera_precision", "camera_recall", "camera_order",
                                 "subject_f1", "chrono_f1")}
        return out if components else {k: out[k] for k in SCORE_KEYS}
    out.update(_chrono_scores(engine, pr, gr))
    final = sum(w * out[k] for k, w in WEIGHTS.items())
    out["final"] = min(1.0, max(0.0, final)) if strict else final
    if components:
        return out
    return {k: out[k] for k in SCORE_KEYS}


@dataclass
class CorpusScores:
    """Per-video scores (input order), their unweighted mean, and per-video failures."""

    per_video: dict[str, dict[str, float]]
    mean: dict[str, float]
    failures: list[dict[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    n_encoded: int = 0
    n_single_encodes: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def make_engine(sbert: Any, verbs: Iterable[str], *, mode: Mode = "official",
                batch_size: int = 128) -> SimilarityEngine:
    """A fresh similarity engine (empty caches) for one corpus run."""
    if sbert is None:
        raise MissingResourceError("no Sentence-BERT model given (the official silent Jaccard fallback is not used)")
    if isinstance(sbert, str):
        sbert = load_sbert(sbert)
    check_nltk_resources()
    store = EmbeddingStore(sbert, batch_size=batch_size, official=mode == "official")
    return SimilarityEngine(store, verbs, official=mode == "official")


def score_corpus(
    preds: Mapping[str, Mapping[str, Any]],
    gts: Mapping[str, Mapping[str, Any]],
    *,
    mode: Mode = "official",
    sbert: Any = DEFAULT_SBERT_MODEL,
    wordlists: Mapping[str, Any],
    batch_size: int = 128,
    engine: SimilarityEngine | None = None,
) -> CorpusScores:
    """Score every prediction (in the given order) against its GT record; failures are reported, not zeroed.

    ``wordlists`` supplies COMMON_VERBS and PHRASAL_VERBS (see ``favor_tasks.wordlists``). All strings
    are embedded up front in one batched encode; official mode then replays the official shared cache.
    """
    if mode not in ("official", "strict"):
        raise ValueError(f"mode must be 'official' or 'strict', not {mode!r}")
    verbs = list(wordlists["COMMON_VERBS"]) + list(wordlists["PHRASAL_VERBS"])
    eng = engine or make_engine(sbert, verbs, mode=mode, batch_size=batch_size)
    strict = mode == "strict"
    failures: list[dict[str, str]] = []
    texts: list[str] = []
    for vid, pred in preds.items():
        if vid not in gts:
            continue
        try:
            texts += record_texts(parse_record(pred, strict=strict))
            texts += record_texts(parse_record(gts[vid], strict=strict))
        except Exception:  # noqa: BLE001, S110 - reported when the video is scored
            pass
    t0 = time.perf_counter()
    n_enc = eng.store.precompute(texts)
    t1 = time.perf_counter()
    # Dry run on throw-away caches: finds the window combinations the real run will embed, so they
    # are encoded in one batch too (a few the dry run misses are encoded one by one later).
    dry = SimilarityEngine(eng.store.recorder(), eng.verbs, official=eng.official)
    for vid, pred in preds.items():
        if vid in gts:
            try:
                score_video(pred, gts[vid], engine=dry, mode=mode)
            except Exception:  # noqa: BLE001, S110 - reported in the real run
                pass
    t2 = time.perf_counter()
    n_enc += eng.store.precompute(dry.store.recording or {})
    t3 = time.perf_counter()
    per_video: dict[str, dict[str, float]] = {}
    for vid, pred in preds.items():
        if vid not in gts:
            failures.append({"video_id": vid, "error": "video id not in the ground truth"})
            continue
        try:
            per_video[vid] = score_video(pred, gts[vid], engine=eng, mode=mode)
        except MissingResourceError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported per video, never a silent zero
            failures.append({"video_id": vid, "error": f"{type(exc).__name__}: {exc}"})
    mean = {k: (float(np.mean([s[k] for s in per_video.values()])) if per_video else float("nan"))
            for k in SCORE_KEYS}
    missing = [v for v in gts if v not in preds]
    timings = {"encode_base_s": t1 - t0, "dry_run_s": t2 - t1, "encode_windows_s": t3 - t2,
               "score_s": time.perf_counter() - t3}
    return CorpusScores(per_video, mean, failures, missing, n_enc, eng.store.single_encodes, timings)
