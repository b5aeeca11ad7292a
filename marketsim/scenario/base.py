"""The base of every configuration section."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

MAX_MAGNITUDE = 1e12
"""Largest size of any number in a scenario: far above every real quantity (world output is a few
hundred thousand tonnes a year), far below where the model's arithmetic overflows."""


def number_problem(value: Any) -> str | None:
    """Why a number cannot be used (non-finite or absurdly large), or None if it can."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number (got {value})"
    if abs(value) > MAX_MAGNITUDE:
        return f"{value:g} is too large to be meaningful (numbers must stay within +-{MAX_MAGNITUDE:g})"
    return None


def number_problems(value: Any, path: str) -> list[str]:
    """``path: problem`` for every unusable number in a plain value (nested lists, tuples, dicts)."""
    if isinstance(value, dict):
        return [line for key, item in value.items() for line in number_problems(item, f"{path}.{key}")]
    if isinstance(value, list | tuple):
        return [line for k, item in enumerate(value) for line in number_problems(item, f"{path}.{k}")]
    problem = number_problem(value)
    return [f"{path.removeprefix('.')}: {problem}"] if problem else []


class Strict(BaseModel):
    """Base for every section: unknown keys are errors, values are frozen once loaded, and every
    number must be finite and of a sensible size."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _sensible_numbers(cls, value: Any) -> Any:
        problems = number_problems(value, "")
        if problems:
            raise ValueError("; ".join(line.removeprefix(": ") for line in problems))
        return value
