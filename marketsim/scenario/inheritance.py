"""Scenario files that extend another: a policy scenario written as the changes to a base world.

A file whose ``[scenario]`` table says ``extends = "baseline_2024.toml"`` starts from that file
(looked up in the same folder) and overrides it: tables merge key by key, and every other value,
arrays of tables such as ``[[events]]`` or ``[[pipeline]]`` included, replaces the base's value
whole. So a policy file holds only its question, its events and what it changes, and it runs on
the same world as the baseline it names, whatever later edits that baseline gets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

EXTENDS_KEY = "extends"
"""The key of ``[scenario]`` that names the base file."""
MAX_DEPTH = 4
"""How many files one chain of ``extends`` may pass through."""


class InheritanceError(ValueError):
    """An ``extends`` that cannot be followed, with a sentence for the file's author."""


def merge_tables(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Merge ``overlay`` onto ``base``: tables merge recursively, other values replace.

    Args:
        base: The base file's data (not modified).
        overlay: The extending file's data (not modified).

    Returns:
        A new dictionary.
    """
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_tables(merged[key], value)
        else:
            merged[key] = value
    return merged


def base_name(data: dict[str, Any]) -> str | None:
    """The file name a scenario's data extends, or None."""
    section = data.get("scenario")
    if not isinstance(section, dict):
        return None
    name = section.get(EXTENDS_KEY)
    return None if name is None else str(name)


def base_path(name: str, folder: Path | None, source: str) -> Path:
    """Where the base file named by ``extends`` lives.

    Raises:
        InheritanceError: If the name is not a plain ``.toml`` file name in the same folder, or
            there is no folder to look in (an uploaded scenario).
    """
    if Path(name).name != name or not name.endswith(".toml"):
        raise InheritanceError(
            f"{source}: scenario.extends must be the name of a .toml file in the same folder, "
            f"such as 'baseline_2024.toml' (got {name!r})"
        )
    if folder is None:
        raise InheritanceError(
            f"{source}: scenario.extends names {name!r}, which an uploaded scenario cannot reach; "
            "upload the complete scenario (`marketsim resolve FILE > complete.toml` writes one)"
        )
    return folder / name


def resolve(data: dict[str, Any], folder: Path | None, source: str, read: Any, chain: tuple[str, ...] = ()) -> dict:
    """Follow ``extends`` until a complete scenario remains.

    Args:
        data: The scenario file's data.
        folder: The folder the file lives in, or None for uploaded text.
        source: The file's name for messages.
        read: A function reading a TOML file into a dictionary.
        chain: The files already followed (to find loops).

    Returns:
        The merged data, without the ``extends`` key.

    Raises:
        InheritanceError: On a missing base, a loop, or a chain longer than ``MAX_DEPTH``.
    """
    name = base_name(data)
    if name is None:
        return data
    if name in chain or len(chain) >= MAX_DEPTH:
        path = " -> ".join((*chain, name))
        raise InheritanceError(f"{source}: scenario.extends goes round in a loop or too deep ({path})")
    path = base_path(name, folder, source)
    if not path.is_file():
        raise InheritanceError(f"{source}: scenario.extends names {name!r}, but {path} does not exist")
    base = resolve(read(path), path.parent, str(path), read, (*chain, name))
    overlay = {**data, "scenario": {k: v for k, v in data["scenario"].items() if k != EXTENDS_KEY}}
    return merge_tables(base, overlay)
