"""The official FAVOR-Bench LLM-free word lists (step-1 dictionaries), loaded at run time.

The official repository ships them as ``LLM-free/FAVOR_Dictionary/action_extraction_dicts.pkl`` (lists, dicts and
strings only). This project never commits them. Sources, in order:

1. a user path to a JSON dump (``{name: list | dict}``) or to the official ``.pkl``;
2. a download of the ``.pkl`` from the official GitHub repository at a pinned commit into
   ``<cache root>/favor/`` (``finemotion_eval.settings.cache_root``), verified by a SHA-256 over the canonical JSON of its content.

The ``.pkl`` is never unpickled: ``decode_plain_pickle`` walks its opcodes with ``pickletools`` and
builds only lists, dicts, tuples, strings, numbers, booleans and None, refusing every other opcode
(globals, object construction, reduce). The checksum is verified before the data is used.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickletools
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from finemotion_eval.settings import cache_root, env

OFFICIAL_REPO = "FAVOR-Bench/FAVOR-Bench"
OFFICIAL_PATH = "LLM-free/FAVOR_Dictionary/action_extraction_dicts.pkl"
#: The official repository's commit that added the word lists (seen in a public code index; its bytes
#: could not be fetched here, so the check is on content, below).
PINNED_COMMIT = "31c946094af6c6c00f602600eb8fd7873e790ee0"
#: SHA-256 of the canonical JSON (sorted keys, compact, UTF-8) of the word lists; computed from the
#: JSON dump of the official pickle in the project's shared reference data.
CONTENT_SHA256 = "24d539deb6cedddb5cee5ea5232ae6f665470739c109718d3ea5f556ab100cfd"
#: SHA-256 of the file bytes of that JSON dump (``action_extraction_dicts.json`` in the shared reference).
JSON_DUMP_SHA256 = "7673de5469f7e6a773702d5651afa0fb19c937025deeb8abd29a29b76e5318f2"
REQUIRED_KEYS = (
    "ANIMATE_NOUNS", "SUBJECT_SYNONYMS", "PLURAL_FORMS", "COMMON_VERBS", "PHRASAL_VERBS",
    "IRREGULAR_VERB_FORMS", "CAMERA_TERMS", "DESCRIPTIVE_ADJECTIVES", "COLOR_TERMS", "CLOTHING_TERMS",
    "SETTING_TERMS", "POSITION_TERMS", "EMOTION_TERMS",
)
ENV_VAR = "FINEMOTION_FAVOR_WORDLISTS"


class WordlistError(RuntimeError):
    """The word lists could not be loaded, downloaded or verified."""


def default_cache_dir() -> Path:
    """``<cache root>/favor/``."""
    return cache_root() / "favor"


def official_url(commit: str = PINNED_COMMIT) -> str:
    """Raw GitHub URL of the official pickle at ``commit``."""
    return f"https://raw.githubusercontent.com/{OFFICIAL_REPO}/{commit}/{OFFICIAL_PATH}"


def content_sha256(data: Any) -> str:
    """SHA-256 of the canonical JSON form of ``data``."""
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


# Opcodes that build plain data only; anything else (GLOBAL, REDUCE, BUILD, ...) is refused unread.
_PUSH_VALUE = {
    "NONE": lambda arg: None, "NEWTRUE": lambda arg: True, "NEWFALSE": lambda arg: False,
    "BININT": int, "BININT1": int, "BININT2": int, "LONG1": int, "BINFLOAT": float,
    "SHORT_BINUNICODE": str, "BINUNICODE": str, "BINUNICODE8": str,
    "EMPTY_LIST": lambda arg: [], "EMPTY_DICT": lambda arg: {}, "EMPTY_TUPLE": lambda arg: (),
}
_MEMO_PUT = {"MEMOIZE", "BINPUT", "LONG_BINPUT"}
_MEMO_GET = {"BINGET", "LONG_BINGET"}
_IGNORED = {"PROTO", "FRAME"}


def decode_plain_pickle(raw: bytes) -> Any:
    """The value of a pickle that holds only plain data, decoded opcode by opcode (nothing is unpickled)."""
    stack: list[Any] = []
    marks: list[int] = []
    memo: dict[int, Any] = {}
    for opcode, arg, _pos in pickletools.genops(raw):
        name = opcode.name
        if name in _IGNORED:
            continue
        if name in _PUSH_VALUE:
            stack.append(_PUSH_VALUE[name](arg))
        elif name == "MARK":
            marks.append(len(stack))
        elif name in _MEMO_PUT:
            memo[len(memo) if name == "MEMOIZE" else arg] = stack[-1]
        elif name in _MEMO_GET:
            stack.append(memo[arg])
        elif name == "APPEND":
            value = stack.pop()
            stack[-1].append(value)
        elif name == "SETITEM":
            value, key = stack.pop(), stack.pop()
            stack[-1][key] = value
        elif name in ("APPENDS", "SETITEMS", "TUPLE"):
            start = marks.pop()
            items, stack[start:] = stack[start:], []
            if name == "APPENDS":
                stack[-1].extend(items)
            elif name == "SETITEMS":
                stack[-1].update(zip(items[::2], items[1::2]))
            else:
                stack.append(tuple(items))
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            size = int(name[-1])
            items, stack[-size:] = stack[-size:], []
            stack.append(tuple(items))
        elif name == "STOP":
            return stack.pop()
        else:
            raise WordlistError(f"refusing pickle opcode {name}: word lists hold only plain data")
    raise WordlistError("truncated pickle: no STOP opcode")


def _validate(data: Any, source: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise WordlistError(f"{source}: expected a dict of word lists, got {type(data).__name__}")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise WordlistError(f"{source}: missing word lists {missing}")
    return data


def load_wordlists(path: str | os.PathLike[str] | None = None, *, verify: bool = False) -> dict[str, Any]:
    """Word lists from ``path`` (JSON or official .pkl), ``$FINEMOTION_FAVOR_WORDLISTS``, or the cache.

    ``verify=True`` also checks the content checksum. Raises WordlistError with the next step to take.
    """
    if path is None:
        path = env(ENV_VAR)
    if path is None:
        cached = default_cache_dir() / "action_extraction_dicts.json"
        if cached.exists():
            path = cached
        else:
            raise WordlistError(
                "FAVOR word lists not configured: pass a path (JSON dump or the official "
                f"action_extraction_dicts.pkl), set {ENV_VAR}, or call download_wordlists()"
            )
    p = Path(path)
    if not p.exists():
        raise WordlistError(f"word list file {p} does not exist")
    raw = p.read_bytes()
    data = decode_plain_pickle(raw) if p.suffix == ".pkl" else json.loads(raw.decode("utf-8"))
    data = _validate(data, str(p))
    if verify and content_sha256(data) != CONTENT_SHA256:
        raise WordlistError(f"{p}: content checksum {content_sha256(data)} != expected {CONTENT_SHA256}")
    return data


def download_wordlists(
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    commit: str = PINNED_COMMIT,
    sha256: str = CONTENT_SHA256,
    timeout: float = 30.0,
) -> Path:
    """Download the official pickle at ``commit``, verify its content, cache it as JSON; return the path."""
    out_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = out_dir / "action_extraction_dicts.json"
    if target.exists():
        data = json.loads(target.read_text(encoding="utf-8"))
        if content_sha256(data) == sha256:
            return target
    url = official_url(commit)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            raw = resp.read()
    except (urllib.error.URLError, OSError) as exc:
        raise WordlistError(
            f"could not download the FAVOR word lists from {url} ({exc}); this machine may be offline. "
            f"Download {OFFICIAL_PATH} from github.com/{OFFICIAL_REPO} yourself and pass its path "
            f"(or set {ENV_VAR})."
        ) from exc
    data = _validate(decode_plain_pickle(raw), url)
    got = content_sha256(data)
    if got != sha256:
        raise WordlistError(f"checksum mismatch for {url}: got {got}, expected {sha256}")
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(target)
    return target
