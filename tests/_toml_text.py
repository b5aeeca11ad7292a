"""Write plain scenario data as TOML text (tests only; the standard library only reads TOML)."""

from __future__ import annotations

import json
from typing import Any


def _key(key: str) -> str:
    return json.dumps(str(key))


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def dumps(data: dict[str, Any]) -> str:
    """Every top-level entry as ``"key" = <inline value>``: valid TOML to which tables can be appended."""
    return "".join(f"{_key(key)} = {_value(value)}\n" for key, value in data.items())
