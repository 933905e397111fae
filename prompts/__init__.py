"""Prompt texts live here as plain files; ``read_prompt("mabench/closed_choice.txt")`` returns one."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.resources import files


def prompt_files(task_kwargs: Mapping | None, defaults: Mapping[str, str]) -> dict[str, str]:
    """The prompt file for each key a task reads: its default, or the file named in lmms-eval's
    ``lmms_eval_specific_kwargs``. Any other key there is an error: a misspelt key would silently send the default.

    lmms-eval merges the ``default`` block into the top level and keeps every per-model block (a mapping)
    beside it; those blocks are not prompt keys.
    """
    given = {key: value for key, value in (task_kwargs or {}).items() if not isinstance(value, Mapping)}
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        known = ", ".join(sorted(defaults)) or "none"
        raise ValueError(f"unknown prompt key(s) {', '.join(unknown)} in lmms_eval_specific_kwargs; this task reads: {known} "
                         "(prompts/README.md)")
    return {key: given.get(key) or default for key, default in defaults.items()}


@cache
def read_prompt(name: str) -> str:
    """The text of prompt file ``name`` (a path relative to this folder), without a trailing newline."""
    resource = files(__package__).joinpath(name)
    if not resource.is_file():
        raise FileNotFoundError(f"no prompt file {name!r} in {files(__package__)}")
    return resource.read_text(encoding="utf-8").rstrip("\n")
