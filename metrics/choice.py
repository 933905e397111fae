"""Answer extraction for MA-Bench's closed-ended tasks.

Models answer in free form. ``extract_choice`` maps an output to an option letter (CMAR, FMAR) and
``extract_yes_no`` maps it to ``"Yes"``/``"No"`` (SAD, MAD, MAS, PPR). Both return ``None`` whenever the
output does not commit to exactly one valid answer, so a hedge ("A or B") or an unparseable reply scores
as wrong instead of being guessed. Neither raises on any string, and every pattern runs in linear time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

__all__ = ["DEFAULT_LETTERS", "extract_choice", "extract_yes_no", "strip_reasoning"]

DEFAULT_LETTERS = "ABCDEFG"

_THINK_OPEN = re.compile(r"\s*<think>", re.IGNORECASE)
_THINK_OPEN_ANYWHERE = re.compile(r"<think>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think>", re.IGNORECASE)

# Emphasis marks only; an underscore inside a word ("snake_case") is text, not markup.
_MARKDOWN = re.compile(r"[*`]+|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])")
_WORD = re.compile(r"[^\W_]+")

# "Answer: ...", "The final answer is ...", "答案是 ...". Everything after the keyword is optional, so a
# match never backtracks into a failure; the answer itself is read at the match end.
_STRONG_MARKER = re.compile(
    r"(?i:\b(?:answer|ans)\b(?:\s+(?:is|would\s+be|should\s+be|will\s+be))?)\s*[:=\-]?\s*"
    r"|答案\s*(?:应该是|是|为)?\s*:?\s*"
)
# Weaker cues: an explanation often says "option B is wrong" after the real answer, so these are read
# only when no strong marker names a letter.
_WEAK_MARKER = re.compile(
    r"(?i:\b(?:options?|choices?|choose|chose|select(?:ed)?|pick(?:ed)?)\b)\s*[:=]?\s*"
    r"|选项\s*|选择\s*|选\s*"
)

# A letter standing alone: not inside a word, a compound ("X-ray", "B's") or an abbreviation ("E.g.").
_ALONE_BEFORE = r"(?<![A-Za-z0-9'.\-])"
_ALONE_AFTER = r"(?![A-Za-z0-9'\-]|\.[A-Za-z])"
_LETTER = re.compile(r"[(\[]?([A-Z])[)\]]?" + _ALONE_AFTER)
_LETTER_JOIN = re.compile(r"(?:\s*(?:[,/&|]|\bor\b|\band\b|或者|或|和|、))+\s*")
_WHOLE_LETTER = re.compile(r"[\W_]*([A-Za-z])[\W_]*")
# "A." / "(B)" / "C:" opening a line, or a line that is just the letter. Read on every line so that an
# echoed or enumerated option list ("A. Body\nB. Head ...") reads as ambiguous rather than as "A".
_LINE_LETTER = re.compile(r"^[ \t]*[(\[]?([A-Z])(?:[)\]:]|\.(?![A-Za-z])|[ \t]*$)", re.MULTILINE)
_POSTFIX = re.compile(
    _ALONE_BEFORE + r"[(\[]?([A-Z])[)\]]?\s+is\s+(?i:(?:the\s+)?(?:correct|right|best|answer))\b"
)
_BRACKETED = re.compile(r"[(\[]([A-Z])[)\]]")
# Group 2 is set when a lower-case word follows, which is how the article "A" reads ("A person ...");
# "A or B" keeps its "A" so the hedge is caught.
_BARE = re.compile(_ALONE_BEFORE + r"([A-Z])" + _ALONE_AFTER + r"(\s+(?!(?:or|and)\b)[a-z])?")

_YES_NO_WORDS = {
    "yes": "Yes", "true": "Yes", "是的": "Yes", "对的": "Yes", "是": "Yes", "对": "Yes",
    "no": "No", "false": "No", "不是": "No", "不对": "No", "没有": "No", "否": "No", "不": "No",
}
# Chinese has no word breaks, so a Chinese token must end at punctuation, the end or a joiner
# ("是否定的" is not "是"); longer tokens come first so "不是" wins over "不" and "是".
_YES_NO_TOKEN = (
    r"((?:yes|no|true|false)\b|(?:不是|不对|没有|是的|对的|是|对|否|不)(?=或|还是|[\W_]|$))"
)
_YES_NO = re.compile(_YES_NO_TOKEN)
_YES_NO_JOIN = re.compile(r"(?:\s*(?:/|\||\bor\b|或者|或|还是))+\s*")
_ENUMERATOR = re.compile(r"(?:\(?[a-z]\)|[a-z][.:])?\s*")  # "(a) Yes", "b. no"
# A yes/no word forming a clause of its own: "Looking closely, yes." but not "there is no movement".
_CLAUSE_YES_NO = re.compile(r"(?:^|[.,;:!?。、\n])[ \t]*" + _YES_NO_TOKEN + r"[ \t]*(?=[.,;:!?。、\n]|$)")


def strip_reasoning(text: str) -> str:
    """Drop a leading ``<think>...</think>`` block and surrounding whitespace.

    An unterminated ``<think>`` (generation cut at the token limit) leaves nothing: the model never got to
    its answer, and a guess read from its reasoning would be scored as if it had (it is counted as
    unparseable instead). A lone ``</think>`` also ends the reasoning: reasoning models' chat templates put
    the opening tag in the prompt.
    """
    opening = _THINK_OPEN.match(text)
    start = opening.end() if opening else 0
    closing = _THINK_CLOSE.search(text, start)
    if closing and not opening and _THINK_OPEN_ANYWHERE.search(text, 0, closing.start()):
        return text.strip()  # a block later in the reply is part of the answer, not leading reasoning
    if opening and not closing:
        return ""
    return text[closing.end() if closing else start :].strip()


def _clean(text: str) -> str:
    # NFKC folds the full-width forms that Chinese-tuned models emit (Ａ, ：, （）) into ASCII.
    text = strip_reasoning(unicodedata.normalize("NFKC", text))
    return _MARKDOWN.sub("", text).strip()


def _words(text: str) -> str:
    """Case-, whitespace- and punctuation-insensitive form: "Head-hand." -> "head hand"."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def _token_run(token: re.Pattern[str], join: re.Pattern[str], text: str, pos: int) -> list[str]:
    """Tokens starting at ``pos`` and chained by joiners, so "A or B" yields both and reads as a hedge."""
    found = []
    while match := token.match(text, pos):
        found.append(match.group(1))
        joined = join.match(text, match.end())
        if not joined:
            break
        pos = joined.end()
    return found


def _option_letters(options: Sequence[str], letters: str | None) -> str:
    if letters is None:
        if len(options) > len(DEFAULT_LETTERS):
            raise ValueError(f"{len(options)} options exceed the default letters; pass letters")
        return DEFAULT_LETTERS[: len(options)]
    distinct = len(set(letters)) == len(letters)
    if len(letters) != len(options) or not distinct or not all("A" <= c <= "Z" for c in letters):
        raise ValueError(f"letters must be {len(options)} distinct upper-case ASCII letters, got {letters!r}")
    return letters


def _option_at(answer: str, pos: int, valid: str, options: list[str], span: int) -> list[str]:
    """Letters of the longest option whose text starts the line at ``pos`` ("Head-hand" over "Head")."""
    head = _words(answer[pos : pos + span].split("\n", 1)[0]) + " "
    matched = [i for i, option in enumerate(options) if option and head.startswith(option + " ")]
    longest = max((len(options[i]) for i in matched), default=0)
    return [valid[i] for i in matched if len(options[i]) == longest]


def _after_markers(
    marker: re.Pattern[str], answer: str, valid: str, options: list[str], span: int
) -> list[str]:
    found: list[str] = []
    for match in marker.finditer(answer):
        found += _token_run(_LETTER, _LETTER_JOIN, answer, match.end()) or _option_at(
            answer, match.end(), valid, options, span
        )
    return found


def _mentioned(answer_words: str, valid: str, options: list[str]) -> list[str]:
    """Letters of the options named anywhere, a text inside a longer named one not counting."""
    text = f" {answer_words} "
    found = []
    for option in sorted({o for o in options if o}, key=len, reverse=True):
        # Blank out each hit so "head" cannot match again inside an already counted "head hand".
        text, hits = re.subn(rf"(?<= ){re.escape(option)}(?= )", "\x00", text)
        if hits:
            found += [valid[i] for i, o in enumerate(options) if o == option]
    return found


def _choice_evidence(answer: str, valid: str, options: list[str]) -> Iterator[list[str]]:
    """Letters the answer names, one list per kind of evidence, strongest first."""
    whole = _WHOLE_LETTER.fullmatch(answer)
    if whole:  # the only place a lower-case letter counts: "a" alone is no article
        yield [whole.group(1).upper()]
    answer_words = _words(answer)
    yield [letter for letter, option in zip(valid, options) if option and option == answer_words]
    # The window covers the longest option with room for spacing and punctuation.
    span = 4 * max(map(len, options)) + 16
    yield _after_markers(_STRONG_MARKER, answer, valid, options, span)
    yield _LINE_LETTER.findall(answer)
    yield _after_markers(_WEAK_MARKER, answer, valid, options, span) + _POSTFIX.findall(answer)
    yield _BRACKETED.findall(answer)
    yield [m.group(1) for m in _BARE.finditer(answer) if not (m.group(1) == "A" and m.group(2))]
    yield _mentioned(answer_words, valid, options)


def extract_choice(text: str, options: Sequence[str], letters: str | None = None) -> str | None:
    """The option letter a free-form answer picks, or ``None`` if it names none, several or an invalid one.

    ``options[i]`` is labelled ``letters[i]``; by default the letters are the first ``len(options)`` of
    ``"ABCDEFG"``. Evidence is read strongest first: the bare letter, the exact option text, an "answer"
    marker, a letter opening a line, an "option" marker or "X is correct", a bracketed letter, a stand-alone
    capital letter, and last an option text mentioned in prose. The first kind present decides, and it
    must name exactly one letter. Raises ``ValueError`` only for inconsistent ``options``/``letters``.
    """
    valid = _option_letters(options, letters)
    answer = _clean(text)
    if not valid or not answer:
        return None
    # A letter from the default range that is not a valid option ("G" of five) is a wrong answer, but a
    # capital outside every option range ("I think") is just a word.
    named_letters = set(DEFAULT_LETTERS) | set(valid)
    for found in _choice_evidence(answer, valid, [_words(option) for option in options]):
        named = {letter for letter in found if letter in named_letters}
        if named:
            return named.pop() if len(named) == 1 and named <= set(valid) else None
    return None


def _yes_no_run(answer: str, pos: int) -> list[str]:
    return _token_run(_YES_NO, _YES_NO_JOIN, answer, pos)


def _yes_no_evidence(answer: str) -> Iterator[list[str]]:
    """Yes/no tokens of a lower-cased answer, one list per kind of evidence, strongest first."""
    yield [token for m in _STRONG_MARKER.finditer(answer) for token in _yes_no_run(answer, m.end())]
    yield _yes_no_run(answer, _ENUMERATOR.match(answer).end())
    yield _CLAUSE_YES_NO.findall(answer)


def extract_yes_no(text: str) -> str | None:
    """``"Yes"``, ``"No"``, or ``None`` when the answer commits to neither or to both.

    Read in order: after an answer marker ("Answer: no", "答案：是"), at the start of the reply
    ("Yes, the hand moves up.", "(a) Yes"), then as a clause of its own ("Looking again, no.").
    ``True``/``False`` count as Yes/No, since every binary MA-Bench question is a yes/no proposition and
    some models answer in that form; Chinese 是/是的/对/对的 and 否/不是/不对/不/没有 count likewise.
    A lone option letter such as "(a)" is not mapped: which letter means Yes depends on the prompt.
    """
    for found in _yes_no_evidence(_clean(text).lower()):
        named = {_YES_NO_WORDS[token] for token in found}
        if named:
            return named.pop() if len(named) == 1 else None
    return None
