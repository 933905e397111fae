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
_SUBJ_LINE_DESC = re.compile(r"subject\s+\d+:\s*(.*?)\s*\[")
_CHRONO = re.compile(r"(.*?)\s*\(Subject (\d+)\)")
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
    # fallbacks: the official parser names a subject without a description "Subject N"
    for m in _SUBJ_NODESC.finditer(text):
        sid = int(m.group(1))
        desc[sid] = f"Subject {sid}"
        acts[sid] = split_actions(m.group(2))
    if acts:
        return desc, acts
    for line in text.split("\n"):
        m = _SUBJ_LINE.search(line)
        b = _BRACKET.search(line)
        if m and b:
            sid = int(m.group(1))
            d = _SUBJ_LINE_DESC.search(line.lower())
            desc[sid] = d.group(1).strip() if d else f"Subject {sid}"
            acts[sid] = split_actions(b.group(1).strip())
    if acts:
        return desc, acts
    b = _BRACKET.search(text)
    if b:
        desc[1] = "Subject 1"
        acts[1] = split_actions(b.group(1).strip())
    return desc, acts


def parse_chrono(text: str, *, strict: bool = False) -> list[tuple[str, int]]:
    """``"act (Subject 1), act (Subject 2)"`` -> [(action, subject_id)].

    Official: actions empty after stripping are dropped, then one trailing ``[,.;!?]`` is removed;
    the ", " separator before every action after the first is kept.
    """
    text = text or ""
    out: list[tuple[str, int]] = []
    if strict:
        out = [(a.strip().lstrip(",").strip(), int(sid)) for a, sid in _STRICT_CHRONO.findall(text)]
        out = [(a, sid) for a, sid in out if a]
    if not out:
        found = _CHRONO.findall(text)
        if found:
            out = [(a.strip(), int(sid)) for a, sid in found if a.strip()]
        else:
            for item in re.split(r",\s*", text):
                item = item.strip()
                if "(" not in item or ")" not in item:
                    continue
                lp, rp = item.rfind("("), item.rfind(")")
                act, who = item[:lp].strip(), item[lp + 1 : rp].strip()
                if not who.lower().startswith("subject"):
                    continue
                try:
                    sid = int(who.split()[1])
                except (IndexError, ValueError):
                    continue
                if act:
                    out.append((act, sid))
    out = [(_TRAIL.sub("", a).strip(), sid) for a, sid in out]
    return [(a, sid) for a, sid in out if a] if strict else out


def parse_camera(text: str, *, strict: bool = False) -> list[str]:
    """Camera field -> segments each containing "camera" (official: "" becomes ["Camera "]).

    Whitespace runs are collapsed first; then split on ",", else ".", else before each "camera "
    (lowercased, as officially), else on ";" / " then " / " and ". Comma pieces are kept even if empty.
    """
    text = re.sub(r"\s+", " ", (text or "").strip())
    if strict and not text:
        return []
    if "," in text:
        segs = [p.strip() for p in text.split(",")]
        if strict:
            segs = [p for p in segs if p]
    elif "." in text:
        segs = [p.strip() for p in text.split(".") if p.strip()]
    elif "camera" in text.lower():
        segs = []
        cur = ""
        for part in re.split(r"(camera\s+)", text.lower()):
            if re.match(r"camera\s+", part):
                if cur:
                    segs.append(cur.strip())
                cur = part
            else:
                cur += part
        if cur:
            segs.append(cur.strip())
    else:
        segs = [p.strip() for p in re.split(r";|\s+then\s+|\s+and\s+", text) if p.strip()]
    if not segs:
        segs = [text]
    return [p if "camera" in p.lower() else "Camera " + p for p in segs]
