"""NLTK and Sentence-BERT resources: checked up front, cached, never silently replaced."""

from __future__ import annotations

import functools
import os
from typing import Any

#: NLTK resources the FAVOR LLM-free metric needs (NLTK >= 3.9 names).
NLTK_RESOURCES: dict[str, str] = {
    "punkt_tab": "tokenizers/punkt_tab/english/",
    "averaged_perceptron_tagger_eng": "taggers/averaged_perceptron_tagger_eng/",
    "wordnet": "corpora/wordnet",
    "stopwords": "corpora/stopwords",
}

#: The official default Sentence-BERT model ("medium" in the official ConfigManager).
DEFAULT_SBERT_MODEL = "all-distilroberta-v1"


class MissingResourceError(RuntimeError):
    """A required NLTK resource or Sentence-BERT model is not available."""


def check_nltk_resources(names: tuple[str, ...] = tuple(NLTK_RESOURCES)) -> None:
    """Raise MissingResourceError naming every missing NLTK resource and the NLTK_DATA setting."""
    import nltk

    missing = []
    for name in names:
        try:
            nltk.data.find(NLTK_RESOURCES[name])
        except LookupError:
            missing.append(name)
    if missing:
        raise MissingResourceError(
            f"missing NLTK resource(s) {', '.join(missing)}; NLTK_DATA={os.environ.get('NLTK_DATA')!r}. "
            "Point NLTK_DATA at a folder holding them (nltk.download is never called by this package)."
        )


@functools.lru_cache(maxsize=1)
def tagger() -> Any:
    """One shared perceptron tagger (nltk.pos_tag builds a new one on every call)."""
    check_nltk_resources(("averaged_perceptron_tagger_eng",))
    from nltk.tag.perceptron import PerceptronTagger

    return PerceptronTagger()


@functools.lru_cache(maxsize=1)
def lemmatizer() -> Any:
    """One shared WordNet lemmatiser."""
    check_nltk_resources(("wordnet",))
    from nltk.stem import WordNetLemmatizer

    return WordNetLemmatizer()


@functools.lru_cache(maxsize=200_000)
def word_tokens(text: str) -> tuple[str, ...]:
    """``nltk.word_tokenize`` (English Punkt), cached."""
    from nltk import word_tokenize

    return tuple(word_tokenize(text))


@functools.lru_cache(maxsize=200_000)
def pos_tags(text: str) -> tuple[tuple[str, str], ...]:
    """``nltk.pos_tag(word_tokenize(text))`` with the shared tagger, cached."""
    toks = list(word_tokens(text))
    return tuple(tagger().tag(toks)) if toks else ()


@functools.lru_cache(maxsize=200_000)
def verb_lemma(word: str) -> str:
    """WordNet verb lemma of ``word``."""
    return lemmatizer().lemmatize(word, "v")


@functools.lru_cache(maxsize=200_000)
def verb_synsets(word: str) -> tuple[Any, ...]:
    """WordNet verb synsets of ``word``."""
    from nltk.corpus import wordnet

    return tuple(wordnet.synsets(word, pos=wordnet.VERB))


@functools.lru_cache(maxsize=200_000)
def verb_synonyms(word: str) -> frozenset[str]:
    """All lemma names of the verb synsets of ``word``."""
    return frozenset(n for s in verb_synsets(word) for n in s.lemma_names())


@functools.lru_cache(maxsize=500_000)
def max_path_similarity(a: str, b: str) -> float:
    """Maximum WordNet path similarity over the verb synsets of ``a`` and ``b`` (0 if none)."""
    best = 0.0
    for s1 in verb_synsets(a):
        for s2 in verb_synsets(b):
            v = s1.path_similarity(s2)
            if v is not None and v > best:
                best = v
    return best


@functools.lru_cache(maxsize=2)
def load_sbert(model: str = DEFAULT_SBERT_MODEL, device: str = "cpu") -> Any:
    """Load a SentenceTransformer by hub name or local path (once per process); MissingResourceError if it cannot."""
    try:
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(model, device=device)
    except Exception as exc:
        raise MissingResourceError(
            f"could not load Sentence-BERT model {model!r} ({type(exc).__name__}: {exc}). "
            "Pass a local model path, or allow the Hugging Face hub download. "
            "There is no silent fallback to another similarity."
        ) from exc


def model_lowercases(sbert: Any) -> bool:
    """True when the model's tokenizer lowercases its input (casing then cannot change an embedding)."""
    tok = getattr(sbert, "tokenizer", None)
    return bool(getattr(tok, "do_lower_case", False) or getattr(tok, "init_kwargs", {}).get("do_lower_case", False))
