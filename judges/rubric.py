"""Judge rubrics: a prompt template plus the score keys and range its replies must carry.

A rubric file is plain text: a header of ``keys: A, B`` and ``range: LOW-HIGH`` lines (and ``#``
comments, which are never sent), a ``---`` line, then the template, in which ``{ground_truth}`` and ``{prediction}`` are filled in. Other braces are
left alone, so a template can show the JSON it asks for.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from finemotion_eval.judges.parse import parse_scores
from finemotion_eval.prompts import read_prompt

__all__ = ["BUILTIN_RUBRICS", "Rubric"]

BUILTIN_RUBRICS: dict[str, str] = {
    "mabench_madu": "judges/mabench_madu.txt",
    "mabench_mare": "judges/mabench_mare.txt",
    "favor_caption": "judges/favor_caption.txt",
}
_REPAIR_PROMPT = "judges/repair.txt"
_PLACEHOLDER = re.compile(r"\{(ground_truth|prediction)\}")
_HEADER_END = "---"


@dataclass(frozen=True)
class Rubric:
    """A judge prompt and the integer scores (``keys``, each in ``[low, high]``) expected back."""

    name: str
    template: str
    keys: tuple[str, ...]
    low: int
    high: int

    def __post_init__(self) -> None:
        missing = {"ground_truth", "prediction"} - set(_PLACEHOLDER.findall(self.template))
        if missing:
            raise ValueError(f"rubric {self.name!r} lacks the placeholders {', '.join('{' + m + '}' for m in sorted(missing))}")
        if not self.keys:
            raise ValueError(f"rubric {self.name!r} declares no score keys")
        if self.low >= self.high:
            raise ValueError(f"rubric {self.name!r} has an empty score range [{self.low}, {self.high}]")

    @classmethod
    def load(cls, name_or_path: str | Path) -> Rubric:
        """A built-in rubric by name (see ``BUILTIN_RUBRICS``) or a rubric file by path."""
        if str(name_or_path) in BUILTIN_RUBRICS:
            return cls.parse(str(name_or_path), read_prompt(BUILTIN_RUBRICS[str(name_or_path)]))
        path = Path(name_or_path)
        if not path.is_file():
            raise FileNotFoundError(f"{name_or_path!r} is neither a built-in rubric ({', '.join(BUILTIN_RUBRICS)}) nor a file")
        return cls.parse(path.stem, path.read_text(encoding="utf-8"))

    @classmethod
    def parse(cls, name: str, text: str) -> Rubric:
        """A rubric from the text of a rubric file (header, ``---``, template)."""
        header, separator, template = text.partition(f"\n{_HEADER_END}\n")
        if not separator:
            raise ValueError(f"rubric {name!r}: no '{_HEADER_END}' line between the header and the template")
        fields: dict[str, str] = {}
        for line in header.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                field_name, colon, value = line.partition(":")
                if not colon:
                    raise ValueError(f"rubric {name!r}: header line {line!r} is not 'name: value'")
                fields[field_name.strip().lower()] = value.strip()
        try:
            keys = tuple(key.strip() for key in fields["keys"].split(",") if key.strip())
            low_text, high_text = fields["range"].split("-")
            low, high = int(low_text), int(high_text)
        except (KeyError, ValueError) as error:
            raise ValueError(f"rubric {name!r}: the header needs 'keys: A, B' and 'range: LOW-HIGH' ({error})") from None
        return cls(name=name, template=template.strip("\n"), keys=keys, low=low, high=high)

    @property
    def version(self) -> str:
        """Short sha256 of everything that shapes the judge's answer, recorded with every score."""
        text = "\n".join([self.template, ",".join(self.keys), f"{self.low}-{self.high}", read_prompt(_REPAIR_PROMPT)])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def messages(self, ground_truth: str, prediction: str) -> list[dict[str, str]]:
        """The chat messages asking the judge to score one prediction."""
        values = {"ground_truth": ground_truth, "prediction": prediction}
        # One pass, so a prediction that itself contains "{ground_truth}" is not filled in again.
        prompt = _PLACEHOLDER.sub(lambda match: values[match.group(1)], self.template)
        return [{"role": "user", "content": prompt}]

    def repair_messages(self, messages: list[dict[str, str]], bad_reply: str) -> list[dict[str, str]]:
        """The conversation asking the judge, once, to restate an unreadable reply as bare JSON."""
        instruction = read_prompt(_REPAIR_PROMPT).format(low=self.low, high=self.high, keys=", ".join(self.keys))
        return [*messages, {"role": "assistant", "content": bad_reply}, {"role": "user", "content": instruction}]

    def parse_reply(self, text: str) -> dict[str, int]:
        """The scores in a judge reply; raises ``ScoreParseError`` when they cannot be read."""
        return parse_scores(text, self.keys, self.low, self.high)
