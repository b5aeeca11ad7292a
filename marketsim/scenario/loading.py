"""Load scenario files, apply ``--set`` overrides, and explain what is wrong with them."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from marketsim.scenario.inheritance import InheritanceError, base_name, resolve
from marketsim.scenario.schema import CROSS_CHECK_SEPARATOR, Scenario


class ScenarioError(ValueError):
    """A scenario that cannot be used, with a message meant for the person who wrote it."""


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def format_validation_error(error: ValidationError, source: str) -> str:
    """Turn a pydantic error into lines of ``source: field.path: problem (got value)``.

    Args:
        error: The validation error.
        source: The file (or other origin) the data came from.
    """
    lines = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        if not item["loc"]:
            # Cross-reference checks name their own paths, one problem per item.
            lines.extend(f"{source}: {problem}" for problem in message.split(CROSS_CHECK_SEPARATOR))
            continue
        path = ".".join(str(part) for part in item["loc"])
        if item["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            message = "unknown key (check the spelling; see configs/ for examples)"
        got = "" if "got " in message else f" (got {_describe(item.get('input'))})"
        lines.append(f"{source}: {path}: {message}{got}")
    return "\n".join(lines)


def validate_scenario(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a scenario given as plain data.

    Raises:
        ScenarioError: If the data does not describe a valid scenario.
    """
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(format_validation_error(error, source)) from None
    problem = heavy_quota_problem(scenario)
    if problem:
        raise ScenarioError(f"{source}: {problem}")
    return scenario


def heavy_quota_problem(scenario: Scenario) -> str | None:
    """Why the scenario's ionic-clay quota (docs/model.md 7.35) would cap nothing, or None."""
    managed = scenario.dynamics.managed_supply
    heavy = managed.heavy_quota
    if heavy.start_quota <= 0 or managed.start_quota <= 0 or managed.region not in scenario.regions:
        return None
    mines = [*scenario.mines, *(p for p in scenario.pipeline if p.stage == "mining")]
    if any(m.region == managed.region and m.deposit in heavy.deposits for m in mines):
        return None
    return (
        f"dynamics.managed_supply.heavy_quota.deposits {heavy.deposits} covers none of {managed.region}'s mines: "
        "the ionic-clay quota would cap nothing"
    )


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file, reporting a missing file or bad syntax as a :class:`ScenarioError`."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder, expected a .toml scenario file") from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a text file (TOML must be UTF-8 text)") from None


def resolve_extends(data: dict[str, Any], folder: Path | None, source: str) -> dict[str, Any]:
    """Follow a scenario's ``extends`` (see :mod:`marketsim.scenario.inheritance`).

    Raises:
        ScenarioError: If the base file cannot be found or the chain loops.
    """
    try:
        return resolve(data, folder, source, read_toml)
    except InheritanceError as error:
        raise ScenarioError(str(error)) from None


def parse_scenario_text(text: str | bytes, source: str = "<uploaded scenario>", folder: Path | None = None) -> Scenario:
    """Parse and validate a scenario given as TOML text (e.g. a file uploaded to the dashboard).

    Args:
        text: The TOML text.
        source: Where it came from, for messages.
        folder: The folder an ``extends`` is looked up in; None (uploads) refuses ``extends``.

    Raises:
        ScenarioError: If the text is not UTF-8 TOML or does not describe a valid scenario.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ScenarioError(f"{source}: not a text file (TOML must be UTF-8 text)") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{source}: not valid TOML: {error}") from None
    return validate_scenario(resolve_extends(data, folder, source), source)


def parse_value(text: str) -> Any:
    """Read an override value as TOML (numbers, booleans, lists, quoted strings), else a string."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def _set_path(data: Any, path: list[str], value: Any, full: str) -> None:
    node = data
    for depth, name in enumerate(path):
        where = ".".join(path[: depth + 1])
        key: str | int = name
        if isinstance(node, dict):
            if name not in node:
                options = ", ".join(sorted(map(str, node))) or "none"
                raise ScenarioError(f"--set {full}: no setting {where!r} (options here: {options})")
        elif isinstance(node, list):
            if not name.isdigit() or int(name) >= len(node):
                raise ScenarioError(f"--set {full}: {where!r} needs an index below {len(node)}")
            key = int(name)
        else:
            raise ScenarioError(f"--set {full}: {'.'.join(path[:depth])!r} has no sub-settings")
        if depth == len(path) - 1:
            node[key] = value
        else:
            node = node[key]


def apply_overrides(scenario: Scenario, overrides: list[str], source: str) -> Scenario:
    """Apply ``dotted.path=value`` overrides and validate the result again.

    Args:
        scenario: The validated scenario.
        overrides: Items such as ``"market.price_adjustment=0.2"`` or ``"mines.0.capacity=5e3"``.
        source: Where the scenario came from, for error messages.

    Raises:
        ScenarioError: If an item is malformed, names no existing setting, or makes the
            scenario invalid.
    """
    if not overrides:
        return scenario
    data = json.loads(scenario.model_dump_json())
    for item in overrides:
        path, sep, text = item.partition("=")
        if not sep or not path.strip():
            raise ScenarioError(f"--set {item}: expected dotted.path=value")
        _set_path(data, path.strip().split("."), parse_value(text.strip()), item)
    return validate_scenario(data, f"{source} (after --set)")


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Load and validate a scenario file, then apply overrides.

    Args:
        path: A TOML scenario file.
        overrides: Optional ``dotted.path=value`` items.

    Raises:
        ScenarioError: With a readable message naming the file, the field path, the bad value
            and what was expected.
    """
    path = Path(path)
    data = resolve_extends(read_toml(path), path.parent, str(path))
    scenario = validate_scenario(data, str(path))
    return apply_overrides(scenario, overrides or [], str(path))


def complete_text(path: str | Path) -> str:
    """A scenario file's text with nothing left to look up: the file as written, or, if it
    extends another, the merged scenario as TOML (without the files' source comments).

    Game files and sweep manifests keep this text, so they replay without the base file.

    Raises:
        ScenarioError: If the file cannot be read or its ``extends`` cannot be followed.
    """
    path = Path(path)
    data = read_toml(path)
    if base_name(data) is None:
        return path.read_text(encoding="utf-8")
    merged = resolve_extends(data, path.parent, str(path))
    header = (
        f"# {path.name} with its base ({base_name(data)}) merged in by marketsim;\n"
        "# the sources of every number are the comments of those two files.\n\n"
    )
    return header + tomli_w.dumps(merged)


def scenario_hash(scenario: Scenario) -> str:
    """A SHA-256 of the scenario's canonical JSON: equal for equal scenarios."""
    canonical = json.dumps(json.loads(scenario.model_dump_json()), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
