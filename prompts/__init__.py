"""Prompt texts live here as plain files; ``read_prompt("mabench/closed_choice.txt")`` returns one."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def read_prompt(name: str) -> str:
    """The text of prompt file ``name`` (a path relative to this folder), without a trailing newline."""
    resource = files(__package__).joinpath(name)
    if not resource.is_file():
        raise FileNotFoundError(f"no prompt file {name!r} in {files(__package__)}")
    return resource.read_text(encoding="utf-8").rstrip("\n")
