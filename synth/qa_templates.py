"""Wording templates of the synthetic MA-Bench questions, read from ``prompts/synth/*.txt``.

A template file holds one template per line; blank lines and lines starting with ``#`` are skipped.
Placeholders are ``{name}``; :func:`compile_template` turns a template back into a regex so a
generated question can be parsed and re-checked against its descriptor.
"""
from __future__ import annotations

import re
from functools import cache

from finemotion_eval.prompts import read_prompt

_PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")


@cache
def load_templates(name: str) -> tuple[str, ...]:
    """Templates of ``prompts/synth/<name>.txt``, one per non-comment line."""
    lines = read_prompt(f"synth/{name}.txt").splitlines()
    out = tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))
    if not out:
        raise ValueError(f"prompts/synth/{name}.txt holds no template")
    return out


@cache
def load_keyed(name: str) -> dict[str, tuple[str, ...]]:
    """``key|template`` lines of ``prompts/synth/<name>.txt`` grouped by key (several variants per key)."""
    out: dict[str, list[str]] = {}
    for line in load_templates(name):
        key, sep, text = line.partition("|")
        if not sep:
            raise ValueError(f"prompts/synth/{name}.txt: line without 'key|' prefix: {line!r}")
        out.setdefault(key.strip(), []).append(text)
    return {k: tuple(v) for k, v in out.items()}


def placeholders(template: str) -> list[str]:
    """Placeholder names of ``template`` in order."""
    return _PLACEHOLDER.findall(template)


def compile_template(template: str, vocab: dict[str, list[str]]) -> re.Pattern[str]:
    """A full-match regex for ``template``; placeholder ``x`` matches any phrase of ``vocab[x]``.

    Placeholders named ``foo_2`` use ``vocab["foo"]``; ``other``/``third`` use ``vocab["part"]``.
    Each placeholder becomes a named group; a template must not repeat a placeholder.
    """
    parts, pos = [], 0
    for m in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[pos:m.start()]))
        name = m.group(1)
        phrases = sorted(set(vocab[slot_kind(name)]), key=len, reverse=True)
        parts.append(f"(?P<{name}>{'|'.join(map(re.escape, phrases))})")
        pos = m.end()
    parts.append(re.escape(template[pos:]))
    return re.compile("".join(parts), re.IGNORECASE)


def slot_kind(name: str) -> str:
    """Vocabulary a placeholder draws from: ``direction_2`` -> ``direction``, ``other`` -> ``part``."""
    base = re.sub(r"_\d+$", "", name)
    return "part" if base in ("other", "third") else base
