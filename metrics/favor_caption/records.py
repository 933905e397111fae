"""Parsing of the official FAVOR string formats (motion_list, chronological list, camera field).

These follow the official step-2 ``InformationExtractor`` (SPEC 3.4), quirks included; the
``strict`` variants fix the documented parsing bugs.
"""

from __future__ import annotations

import re

_SUBJ_MAIN = re.compile(r"Subject (\d+):?\s+(.*?)\s*\[(.*?)\]")
_SUBJ_NODESC = re.compile(r"Subject (\d+)\s*\[(.*?)\]")
_SUBJ_LINE = re.compile(r"subject\s+(\d+)", re.IGNORECASE)
_BRACKET = re.compile(r"\[(.*?)\]")
_CHRONO = re.compile(r"(.*?)\s*\(Subject (\d+)\)")
_CHRONO_FALLBACK = re.compile(r"\(([^()]*subject[^()]*)\)", re.IGNORECASE)
_TRAIL = re.compile(r"[,.;!?]$")

# strict-mode tolerant forms: "Subject1", "(Subject1)", "(Character 1)"
_STRICT_SUBJ = re.compile(r"(?:Subject|Character)\s*(\d+)\s*:?\s*(.*?)\s*\[(.*?)\]", re.IGNORECASE)
_STRICT_SUBJ_NOBRACKET = re.compile(r"^\s*(?:Subject|Character)\s*(\d+)\s*:\s*(.*)$", re.IGNORECASE)
_STRICT_CHRONO = re.compile(r"(.*?)\s*\((?:Subject|Character)\s*(\d+)\)", re.IGNORECASE)


def split_actions(text: str) -> list[str]:
    """Split an action list: on commas, or if there are none on ``[,;]|\\s+and\\s+``; strip one trailing mark."""
    parts = text.split(",") if "," in text else re.split(r"[,;]|\s+and\s+", text)
    out = []
    for p in parts:
        p = _TRAIL.sub("", p.strip()).strip()
        if p:
            out.append(p)
    return out


def parse_motion_list(text: str, *, strict: bool = False) -> tuple[dict[int, str], dict[int, list[str]]]:
    """``"Subject 1: Girl [a, b]"`` lines -> ({id: description}, {id: [actions]})."""
    text = text or ""
    desc: dict[int, str] = {}
    acts: dict[int, list[str]] = {}
    if strict:
        for m in _STRICT_SUBJ.finditer(text):
            sid = int(m.group(1))
            desc[sid] = m.group(2).strip()
            acts[sid] = split_actions(m.group(3))
        if not acts:
            for line in text.splitlines():
                m = _STRICT_SUBJ_NOBRACKET.match(line)
                if m:
                    sid = int(m.group(1))
                    desc[sid] = ""
                    acts[sid] = split_actions(m.group(2))
        if acts:
            return desc, acts
    for m in _SUBJ_MAIN.finditer(text):
        sid = int(m.group(1))
        desc[sid] = m.group(2).strip()
        acts[sid] = split_actions(m.group(3))
    if acts:
        return desc, acts
    for m in _SUBJ_NODESC.finditer(text):
        sid = int(m.group(1))
        desc[sid] = ""
        acts[sid] = split_actions(m.group(2))
    if acts:
        return desc, acts
    for line in text.splitlines():
        m = _SUBJ_LINE.search(line)
        b = _BRACKET.search(line)
        if m and b:
            sid = int(m.group(1))
            desc[sid] = ""
            acts[sid] = split_actions(b.group(1))
    if acts:
        return desc, acts
    b = _BRACKET.search(text)
    if b:
        desc[1] = ""
        acts[1] = split_actions(b.group(1))
    return desc, acts


def _clean_chrono_action(a: str) -> str:
    # official: only whitespace is stripped, so every action after the first keeps its ", " prefix
    return a.strip()


def parse_chrono(text: str, *, strict: bool = False) -> list[tuple[str, int]]:
    """``"act (Subject 1), act (Subject 2)"`` -> [(action, subject_id)]."""
    text = text or ""
    pat = _STRICT_CHRONO if strict else _CHRONO
    if strict:
        out = [(a.strip().lstrip(",").strip(), int(s)) for a, s in pat.findall(text)]
        out = [(a, s) for a, s in out if a]
    else:
        out = [(_clean_chrono_action(a), int(s)) for a, s in pat.findall(text)]
    if out:
        return out
    for part in text.split(","):
        m = _CHRONO_FALLBACK.search(part)
        if not m:
            continue
        try:
            sid = int(m.group(1).split()[1])
        except (IndexError, ValueError):
            continue
        out.append((part[: m.start()].strip(), sid))
    return out


def parse_camera(text: str, *, strict: bool = False) -> list[str]:
    """Camera field -> segments each starting with "Camera" (official: "" becomes ["Camera "])."""
    text = text or ""
    if strict and not text.strip():
        return []
    if "," in text:
        parts = text.split(",")
    elif "." in text:
        parts = text.split(".")
    elif "camera" in text.lower():
        parts = re.split(r"(?i)camera\s+", text)
    else:
        parts = re.split(r";|then|and", text)
    kept = [p.strip() for p in parts if p.strip()]
    if not kept and not strict:
        kept = [text.strip()]  # official quirk: "" becomes the segment "Camera "
    segs = [p if "camera" in p.lower() else "Camera " + p for p in kept]
    return segs
