"""Unit tests of the FAVOR LLM-free metric: parsing, matching, order, resources, word lists, bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from test_favor_caption_support import (
    FAVOR_REF,
    load_json,
    minilm,
    use_shared_nltk,
    wordlists,
)

# ---------------------------------------------------------------- parsing (no resources needed)


def test_parse_motion_list_official_and_fallbacks():
    from finemotion_eval.metrics.favor_caption import parse_motion_list

    desc, acts = parse_motion_list("Subject 1: Girl [Walks forward, bends down.]\nSubject 2: Man [sits]")
    assert desc == {1: "Girl", 2: "Man"}
    assert acts == {1: ["Walks forward", "bends down"], 2: ["sits"]}
    # no comma: split on ';' / ' and '
    assert parse_motion_list("Subject 1: Man [walks and sits; waves]")[1] == {1: ["walks", "sits", "waves"]}
    # 'Subject1:' -> only the first bracket, as Subject 1 (official fallback)
    assert parse_motion_list("Subject1: Man [a, b]\nSubject2: Woman [c]")[1] == {1: ["a", "b"]}
    # bracket-less ego-centric lists parse to nothing officially, to actions in strict mode
    assert parse_motion_list("Subject 1: Closes the door, walks")[1] == {}
    assert parse_motion_list("Subject 1: Closes the door, walks", strict=True)[1] == {1: ["Closes the door", "walks"]}


def test_parse_chrono_keeps_official_separator():
    from finemotion_eval.metrics.favor_caption import parse_chrono

    text = "Walks (Subject 1), Sits down (Subject 2)"
    assert parse_chrono(text) == [("Walks", 1), (", Sits down", 2)]
    assert parse_chrono(text, strict=True) == [("Walks", 1), ("Sits down", 2)]
    assert parse_chrono("Walks (Subject1), Sits (Subject1)") == []
    assert parse_chrono("Walks (Character 1)", strict=True) == [("Walks", 1)]


@pytest.mark.parametrize(
    ("text", "official", "strict"),
    [
        ("", ["Camera "], []),
        ("Stationary", ["Camera Stationary"], ["Camera Stationary"]),
        ("Shaky camera", ["shaky camera"], ["shaky camera"]),  # the "camera" split lowercases officially
        ("The camera follows the man", ["Camera the", "camera follows the man"], None),
        ("The camera follows. The camera remains stationary.", ["The camera follows", "The camera remains stationary"], None),
        ("Camera shakes, tilts down", ["Camera shakes", "Camera tilts down"], None),
    ],
)
def test_parse_camera(text, official, strict):
    from finemotion_eval.metrics.favor_caption import parse_camera

    assert parse_camera(text) == official
    if strict is not None:
        assert parse_camera(text, strict=True) == strict


# ---------------------------------------------------------------- matching / order (pure)


def test_order_score_short_and_kendall():
    from finemotion_eval.metrics.favor_caption import order_score

    assert order_score({}, 2, 2) == 1.0
    assert order_score({}, 2, 5) == 0.8
    assert order_score({0: 0}, 5, 5) == pytest.approx(0.7)
    assert order_score({0: 0, 1: 1, 2: 2}, 3, 3) == 1.0
    assert order_score({0: 2, 1: 1, 2: 0}, 3, 3) == 0.5  # tau = -1 -> 0.75 - 0.25
    # only the first prediction per GT index counts
    assert order_score({0: 0, 1: 0, 2: 1, 3: 2}, 4, 3) == 1.0


def test_match_actions_identity_and_length_penalty():
    from finemotion_eval.metrics.favor_caption import match_actions

    P = ["a", "b", "c"]
    S = np.eye(3) * 0.7 + 0.3  # perfect diagonal after position weighting
    r = match_actions(P, P, S, lambda x, y: 0.0)
    assert r.mapping == {0: 0, 1: 1, 2: 2}
    assert r.precision == r.recall == r.f1 == pytest.approx(1.0)
    r2 = match_actions(["a"], ["a", "b"], np.array([[1.0, 0.2]]), lambda x, y: 0.0)
    lf = 1 - (1 - 0.5) * 0.2
    assert r2.precision == pytest.approx(lf) and r2.recall == pytest.approx(0.5 * lf)
    assert match_actions([], ["a"], np.zeros((0, 1)), lambda x, y: 0.0).f1 == 0.0


# ---------------------------------------------------------------- resources and word lists


def test_missing_nltk_resource_is_a_clear_error(tmp_path, monkeypatch):
    import nltk

    from finemotion_eval.metrics.favor_caption import MissingResourceError, check_nltk_resources

    monkeypatch.setenv("NLTK_DATA", str(tmp_path))
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    with pytest.raises(MissingResourceError, match=r"punkt_tab.*NLTK_DATA"):
        check_nltk_resources()


def test_missing_sbert_model_is_an_error(tmp_path, monkeypatch):
    from finemotion_eval.metrics.favor_caption import MissingResourceError, make_engine, score_corpus

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(MissingResourceError, match="Sentence-BERT"):
        score_corpus({}, {}, sbert=str(tmp_path / "no-such-model"), wordlists={"COMMON_VERBS": [], "PHRASAL_VERBS": []})
    with pytest.raises(MissingResourceError):
        make_engine(None, [])


def test_wordlists_load_verify_and_offline_error(tmp_path):
    import pickle

    from finemotion_eval.favor_tasks.wordlists import WordlistError, download_wordlists, load_wordlists

    wl = wordlists()
    assert len(wl["COMMON_VERBS"]) == 1135
    load_wordlists(FAVOR_REF / "action_extraction_dicts.json", verify=True)
    pkl = tmp_path / "action_extraction_dicts.pkl"
    pkl.write_bytes(pickle.dumps(wl))
    assert load_wordlists(pkl, verify=True) == wl
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(pickle.dumps(__import__("collections").OrderedDict(a=1)))
    with pytest.raises(WordlistError, match="refusing pickle opcode"):
        load_wordlists(evil)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**wl, "COMMON_VERBS": ["x"]}))
    with pytest.raises(WordlistError, match="checksum"):
        load_wordlists(bad, verify=True)
    with pytest.raises(WordlistError, match="offline|could not download"):
        download_wordlists(tmp_path / "cache", timeout=2)


# ---------------------------------------------------------------- scoring with the real model


@pytest.fixture(scope="module")
def small():
    use_shared_nltk()
    gts = load_json(FAVOR_REF / "FAVOR_gt_annotations.json")
    ids = list(gts)[:12]
    return {"sbert": minilm(), "wl": wordlists(), "gts": {v: gts[v] for v in ids}}


def test_gt_vs_gt(small):
    from finemotion_eval.metrics.favor_caption import score_corpus

    res = score_corpus(small["gts"], small["gts"], mode="official", sbert=small["sbert"], wordlists=small["wl"])
    for s in res.per_video.values():
        assert s["final"] == pytest.approx(1.0)
        assert s["subject_precision"] == pytest.approx(1.0)


def test_strict_deterministic_and_documented(small):
    from finemotion_eval.metrics.favor_caption import STRICT_FIXES, score_corpus

    preds = {v: {**g, "camera_motion": ""} for v, g in small["gts"].items()}
    kw = {"sbert": small["sbert"], "wordlists": small["wl"]}
    a = score_corpus(preds, small["gts"], mode="strict", **kw)
    b = score_corpus(dict(reversed(list(preds.items()))), small["gts"], mode="strict", **kw)
    assert a.per_video == {v: b.per_video[v] for v in a.per_video}  # order-independent
    off = score_corpus(preds, small["gts"], mode="official", **kw)
    for v in preds:
        assert a.per_video[v]["camera"] == 0.0  # strict: empty camera scores 0
        assert off.per_video[v]["camera"] > 0.0  # official quirk: "Camera " still scores
        for k in ("subject_precision", "chrono_precision", "chrono_recall"):
            assert a.per_video[v][k] == pytest.approx(off.per_video[v][k], abs=1e-9)
    assert len(STRICT_FIXES) >= 5
    with pytest.raises(ValueError, match="mode"):
        score_corpus(preds, small["gts"], mode="lenient", **kw)


def test_bad_inputs_give_defined_scores_or_reported_failures(small):
    from finemotion_eval.metrics.favor_caption import SCORE_KEYS, extract_record, score_corpus

    wl = small["wl"]
    gid = next(iter(small["gts"]))
    captions = {
        "empty": "",
        "no_subject": "Trees sway in the wind near a lake.",
        "foreign": "这是一个视频，一个男人在走路。Der Mann geht nach links.",
        "huge": " ".join(["the man walks forward and turns left,"] * 1250),  # 10,000 words
    }
    preds = {name: extract_record(cap, wl) for name, cap in captions.items()}
    assert preds["empty"]["motion_list"] == "" and preds["empty"]["camera_motion"] == ""
    preds["not_a_string"] = {"camera_motion": 3, "motion_list": "", "chronological_motion_list": ""}
    gts = {name: small["gts"][gid] for name in preds}
    # GT the official parser cannot read: "(Subject1)" chrono and a bracket-less motion list
    gts["broken_gt"] = {"camera_motion": "Stationary", "motion_list": "Subject 1: Walks, sits",
                        "chronological_motion_list": "Walks (Subject1), Sits (Subject1)"}
    preds["broken_gt"] = gts["broken_gt"]
    for mode in ("official", "strict"):
        res = score_corpus(preds, gts, mode=mode, sbert=small["sbert"], wordlists=wl)
        assert [f["video_id"] for f in res.failures] == ["not_a_string"]
        assert "TypeError" in res.failures[0]["error"]
        for s in res.per_video.values():
            assert all(0.0 <= s[k] <= 1.0 + 1e-9 and not math.isnan(s[k]) for k in SCORE_KEYS)
        assert res.per_video["empty"]["subject_precision"] == 0.0
        broken = res.per_video["broken_gt"]
        if mode == "official":
            assert broken["chrono_precision"] == 0.0 and broken["subject_precision"] == 0.0
        else:
            assert broken["final"] == pytest.approx(1.0)


def test_wordlist_checksums_match_the_shared_dump():
    import hashlib

    from conftest import require

    from finemotion_eval.favor_tasks.wordlists import CONTENT_SHA256, JSON_DUMP_SHA256, content_sha256

    path = require(FAVOR_REF / "action_extraction_dicts.json")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == JSON_DUMP_SHA256
    assert content_sha256(json.loads(path.read_text(encoding="utf-8"))) == CONTENT_SHA256


_DETERMINISM_SCRIPT = """
import hashlib, json, os, sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.path.join(sys.argv[1], "tests"))
from test_favor_caption_support import FAVOR_REF, load_json, minilm, use_shared_nltk, wordlists
from finemotion_eval.metrics.favor_caption import extract_record, score_corpus
use_shared_nltk()
gts = load_json(FAVOR_REF / "FAVOR_gt_annotations.json")
wl = wordlists()
preds = {v: extract_record(gts[v]["caption"], wl) for v in list(gts)[:15]}
out = [preds] + [score_corpus(preds, gts, mode=m, sbert=minilm(), wordlists=wl).per_video for m in ("official", "strict")]
print(hashlib.sha256(json.dumps(out, sort_keys=True).encode()).hexdigest())
"""


@pytest.mark.slow
def test_deterministic_for_any_hash_seed():
    import os
    import subprocess
    import sys

    from conftest import REPO

    use_shared_nltk()
    digests = set()
    for seed in ("0", "1", "123"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", _DETERMINISM_SCRIPT, str(REPO)], env=env,
                             capture_output=True, text=True, check=True, timeout=300)
        digests.add(run.stdout.strip().splitlines()[-1])
    assert len(digests) == 1


def test_official_pickle_is_decoded_without_unpickling():
    import json
    import os
    import pickle

    from conftest import SHARED, require

    from finemotion_eval.favor_tasks.wordlists import CONTENT_SHA256, WordlistError, content_sha256, decode_plain_pickle

    wordlists = json.loads(require(SHARED / "reference/favor/action_extraction_dicts.json").read_text())
    for protocol in (2, 4, 5):
        decoded = decode_plain_pickle(pickle.dumps(wordlists, protocol=protocol))
        assert decoded == wordlists and content_sha256(decoded) == CONTENT_SHA256
    with pytest.raises(WordlistError, match="refusing pickle opcode"):
        decode_plain_pickle(pickle.dumps(os.system))  # a global: refused before anything is looked up


# ---------------------------------------------------------------- official step-2 word lists / parsing edge cases


def test_official_word_lists_and_rules():
    from finemotion_eval.metrics.favor_caption import similarity as sim
    from finemotion_eval.metrics.favor_caption.scoring import _ref_boost

    # key-term pairs fire on whole words only; phrase maps on substrings
    assert sim._key_term_fires("types on the keyboard now", "keeps typing")
    assert sim._key_term_fires("looks at the screen", "the monitor")
    assert not sim._key_term_fires("laptops", "keyboards")
    assert sim._key_term_fires("focus on screen", "look at monitor")
    assert sim._key_term_fires("begin interacting with laptop", "place hands on keyboard")
    # camera-motion domain knowledge (0.95): same group only, lemmatised words
    assert sim._domain_related("shake", "shaky") and sim._domain_related("still", "fixed")
    assert not sim._domain_related("pan", "tilt") and not sim._domain_related("track", "follow")
    assert set(sim.ACTION_SYNONYMS) == {"interact", "type", "place", "sit", "begin", "look", "walk", "hold"}
    assert "stride" in sim.ACTION_SYNONYMS["walk"] and "grip" in sim.ACTION_SYNONYMS["hold"]
    assert len(sim.PHRASE_PAIRS) == 3 and len(sim.KEY_TERM_PAIRS) == 9 and len(sim.KEY_PHRASES) == 5
    # subject-description boosts: pairs, x1.5 for a shared word
    assert _ref_boost("a girl", "the girls") == pytest.approx(0.3)
    assert _ref_boost("young girl", "girl") == pytest.approx(0.45)
    assert _ref_boost("a girl", "a woman") == pytest.approx(0.15)
    assert _ref_boost("a person", "a man") == pytest.approx(0.07)
    assert _ref_boost("a teenager", "a boy") == pytest.approx(0.07)
    assert _ref_boost("man", "woman") == 0.0
    assert _ref_boost("a man", "a guy") == 0.0


def test_official_parsing_edge_cases():
    from finemotion_eval.metrics.favor_caption import parse_camera, parse_chrono, parse_motion_list

    # descriptions of the fallback formats are "Subject N" (or the lowercased text of a line match)
    assert parse_motion_list("Subject 2[walks, sits]")[0] == {2: "Subject 2"}
    assert parse_motion_list("subject 1: Tall Man [walks]")[0] == {1: "tall man"}
    assert parse_motion_list("Subject1: Man [a, b]")[0] == {1: "Subject 1"}
    # chrono: empty actions dropped before one trailing mark is stripped; lowercase fallback
    assert parse_chrono("(Subject 1) walks. (Subject 2)") == [("walks", 2)]
    assert parse_chrono("walks (subject 1), sits (the subject 2)") == [("walks", 1)]
    # camera: whitespace collapsed, empty comma pieces kept, 'then'/'and' only as words
    assert parse_camera("Camera  pans left, ") == ["Camera pans left", "Camera "]
    assert parse_camera("Handheld shot then static") == ["Camera Handheld shot", "Camera static"]
    assert parse_camera("相机固定") == ["Camera 相机固定"]
