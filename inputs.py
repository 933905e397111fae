"""Reading the files users give us (question files, predictions, captions): every problem is an error that
names the file, the record and the field, never a traceback from deep inside and never a coerced value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["InputFileError", "read_json", "record_field"]

#: What a lone surrogate (``"\ud800"`` in JSON, or a mis-decoded file) becomes: it cannot be encoded as UTF-8,
#: so tokenizers and writers would crash on it later.
REPLACEMENT = "\ufffd"


class InputFileError(ValueError):
    """A user-given file that cannot be used as it is; the message says where and why."""


def _without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        # json.loads joins a valid surrogate pair into one character: a surrogate left over is a lone one.
        return "".join(REPLACEMENT if _is_surrogate(char) else char for char in value) if _has_surrogate(value) else value
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item) for key, item in value.items()}
    return value


def _is_surrogate(char: str) -> bool:
    return "\ud800" <= char <= "\udfff"


def _has_surrogate(text: str) -> bool:
    return any(map(_is_surrogate, text))


def read_json(path: str | Path, what: str) -> Any:
    """The JSON content of ``path`` (a ``what`` file, for the messages).

    The file must be UTF-8 (a BOM is accepted); lone surrogates in its strings become U+FFFD.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such {what} file") from None
    except OSError as err:
        raise InputFileError(f"{path}: cannot read this {what} file ({err.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputFileError(f"{path}: not UTF-8 text (byte {err.start}: {data[err.start:err.start + 4]!r}); "
                             f"save the {what} file as UTF-8") from None
    try:
        return _without_lone_surrogates(json.loads(text))
    except json.JSONDecodeError as err:
        raise InputFileError(f"{path}: not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})") from None


def record_field(record: Any, field: str, kind: type, path: str | Path, where: str) -> Any:
    """``record[field]``, checked to be a ``kind``: no coercion (``true`` or ``["C"]`` is not an answer)."""
    if not isinstance(record, dict):
        raise InputFileError(f"{path}: {where}: expected an object, got {type(record).__name__}")
    if field not in record:
        raise InputFileError(f"{path}: {where}: no field {field!r} (fields: {', '.join(map(str, record)) or 'none'})")
    value = record[field]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise InputFileError(f"{path}: {where}: field {field!r} must be a {kind.__name__}, got {type(value).__name__} "
                             f"{value!r}")
    return value
