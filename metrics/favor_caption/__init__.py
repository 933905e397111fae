"""FAVOR-Bench's LLM-free caption metric (official step 1 and step 2), as pure functions.

- ``extract_record``: step 1, caption -> structured record (official string formats).
- ``score_video`` / ``score_corpus``: step 2, per-video and corpus scores, ``official`` mode
  (bit-compatible with the official code, quirks and order-dependent cache included) or
  ``strict`` mode (documented fixes, see ``STRICT_FIXES``).

No lmms-eval import; word lists come from ``favor_tasks.wordlists``.
"""

from finemotion_eval.metrics.favor_caption.extract import extract_record
from finemotion_eval.metrics.favor_caption.matching import MatchResult, match_actions, order_score
from finemotion_eval.metrics.favor_caption.records import (
    parse_camera,
    parse_chrono,
    parse_motion_list,
    split_actions,
)
from finemotion_eval.metrics.favor_caption.resources import (
    DEFAULT_SBERT_MODEL,
    MissingResourceError,
    check_nltk_resources,
    load_sbert,
)
from finemotion_eval.metrics.favor_caption.scoring import (
    SCORE_KEYS,
    STRICT_FIXES,
    WEIGHTS,
    CorpusScores,
    make_engine,
    parse_record,
    score_corpus,
    score_video,
)
from finemotion_eval.metrics.favor_caption.similarity import (
    EmbeddingStore,
    SimilarityEngine,
    core_verb,
    verb_sim,
)

__all__ = [
    "DEFAULT_SBERT_MODEL", "SCORE_KEYS", "STRICT_FIXES", "WEIGHTS", "CorpusScores", "EmbeddingStore",
    "MatchResult", "MissingResourceError", "SimilarityEngine", "check_nltk_resources", "core_verb",
    "extract_record", "load_sbert", "make_engine", "match_actions", "order_score", "parse_camera",
    "parse_chrono", "parse_motion_list", "parse_record", "score_corpus", "score_video", "split_actions",
    "verb_sim",
]
