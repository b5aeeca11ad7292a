"""Set a design point's values on a validated scenario cheaply.

``apply_overrides`` (the ``--set`` route) dumps the whole scenario to JSON and validates all of it
again: about 2 ms a run. A sweep sets a few values on a scenario that is already valid, so here
only the sections on each value's path are validated again (the section that holds the value,
then each section above it, down to the scenario's own cross-checks), reusing every other
section as it is. The result equals ``apply_overrides``'s; anything this route cannot handle,
and every invalid value, goes through ``apply_overrides``, so errors read exactly the same.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from typing import Any

import numpy as np
from pydantic import BaseModel, TypeAdapter

from marketsim.scenario.base import number_problem
from marketsim.scenario.loading import apply_overrides, parse_value
from marketsim.scenario.schema import Scenario


class _SlowRoute(Exception):
    """This value needs the full route (a path or value the quick one does not handle)."""


def plain(value: Any) -> Any:
    """NumPy scalars as plain Python values, so they serialise."""
    return value.item() if isinstance(value, np.generic) else value


def override_items(values: dict[str, Any]) -> list[str]:
    """``--set`` items (``path=value``) for values by dotted path, as the full route reads them."""
    return [f"{path}={json.dumps(plain(value))}" for path, value in values.items()]


def apply_values(scenario: Scenario, values: dict[str, Any], source: str = "sweep point") -> Scenario:
    """``scenario`` with ``values`` set by dotted path, validated.

    Args:
        scenario: A validated scenario.
        values: New values by dotted path (``{"sectors.ev.elasticity_short": -0.2}``).
        source: Where the values come from, for error messages.

    Raises:
        ScenarioError: As :func:`~marketsim.scenario.loading.apply_overrides` would.
    """
    if not values:
        return scenario
    try:
        return _quick(scenario, values)
    except Exception:  # an invalid value or an unusual path: the full route says what is wrong
        return apply_overrides(scenario, override_items(values), source)


def _quick(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """Set each value in a copy of its section, validating the sections on its path.

    The scenario's own checks (cross-references between names, events within the scenario's
    dates, top-level fields) read names, dates and top-level values only; a finite number set
    below the top level in any section but ``scenario`` cannot change their verdict, so they
    run again only when some value is not such a number.
    """
    sections: dict[str, Any] = {}
    whole = False
    for path, given in values.items():
        parts = path.split(".")
        value = parse_value(json.dumps(plain(given)))
        if parts[0] not in Scenario.model_fields:
            raise _SlowRoute(parts[0])
        current = sections.get(parts[0], getattr(scenario, parts[0]))
        sections[parts[0]] = _set(current, parts[1:], value)
        number = isinstance(value, int | float) and not isinstance(value, bool) and number_problem(value) is None
        whole = whole or len(parts) < 2 or parts[0] == "scenario" or not number
    if whole:
        return Scenario.model_validate({name: getattr(scenario, name) for name in Scenario.model_fields} | sections)
    return scenario.model_copy(update=sections)


@cache
def _adapter(kind: type) -> TypeAdapter:
    return TypeAdapter(kind)


def _set(node: Any, path: list[str], value: Any) -> Any:
    """A copy of ``node`` with ``value`` at ``path``; models and events on the path are validated again."""
    if not path:
        return value
    key, rest = path[0], path[1:]
    if isinstance(node, BaseModel):
        fields = type(node).model_fields
        if key not in fields:
            raise _SlowRoute(key)
        data = {name: getattr(node, name) for name in fields}
        data[key] = _set(data[key], rest, value)
        return type(node).model_validate(data)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        data = {item.name: getattr(node, item.name) for item in dataclasses.fields(node)}
        if key not in data:
            raise _SlowRoute(key)
        data[key] = _set(data[key], rest, value)
        return _adapter(type(node)).validate_python(data)
    if isinstance(node, dict):
        if key not in node:
            raise _SlowRoute(key)
        return {**node, key: _set(node[key], rest, value)}
    if isinstance(node, list | tuple) and key.isdigit() and int(key) < len(node):
        items = list(node)
        items[int(key)] = _set(items[int(key)], rest, value)
        return items
    raise _SlowRoute(key)
