"""Refusals in human words: why a decision is not accepted, said so a student can act on it.

:func:`marketsim.governance.rounds.validate_decision` is the one route a decision is judged by; it
calls :func:`check_numbers` before the schema sees a decision (no ``nan``, ``inf`` or absurd
size gets through) and :func:`refusal` to turn the schema's complaint into a sentence such as
"A price floor must be above zero." instead of ``price_floor.price: Input should be greater than 0``.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationError

FIELDS: dict[str, tuple[str, str]] = {
    "price": ("A price", "US$/kg"),
    "tonnes": ("A stockpile order", "t"),
    "tonnes_per_year": ("An export quota", "t REO a year"),
    "rate": ("A rate", "%"),
    "share": ("A share", "%"),
    "collection_rate": ("A collection rate", "%"),
    "level": ("An environmental standard", "%"),
    "usd_million_per_year": ("Research funding", "US$ million a year"),
    "usd_per_kg": ("A collection payment", "US$/kg"),
    "months": ("A number of months", "months"),
    "approval_rate": ("An export licence's approval rate", "%"),
    "factor": ("A demand factor", "times"),
}
"""What a number field is called in a sentence, and its unit (``%``: a fraction shown as percent)."""
SUBJECTS: dict[tuple[str, str], str] = {
    ("price_floor", "price"): "A price floor",
    ("offtake", "price"): "A guaranteed price",
    ("tariff", "rate"): "A tariff rate",
    ("export_tax", "rate"): "An export tax rate",
    ("subsidy", "rate"): "A subsidy rate",
    ("project_loan", "rate"): "A loan's interest rate",
    ("stockpile", "months"): "A stockpile order's months",
}
LARGEST: dict[str, float] = {
    "price": 20_000.0,
    "tonnes": 1_000_000.0,
    "tonnes_per_year": 1e12,
    "usd_per_kg": 1_000.0,
}
"""The largest plausible size of a number field (the whole world mines about 400,000 t REO a year;
the dearest oxide sells for a few thousand US$/kg; an export quota of 1e12 t stands for no quota)."""


def subject(kind: str, field: str) -> str:
    """What a field of a decision is called in a sentence, e.g. ``A price floor``."""
    return SUBJECTS.get((kind, field)) or FIELDS.get(field, (f"The field {field!r}", ""))[0]


def _amount(field: str, value: float) -> str:
    unit = FIELDS.get(field, ("", ""))[1]
    if unit == "%":
        return f"{100 * value:,.0f} %"
    if unit.startswith("US$"):
        return f"US${value:,.10g}{unit[3:]}"
    return f"{value:,.10g} {unit}".strip()


def check_numbers(data: dict[str, Any]) -> str | None:
    """The first number field of a decision (in scenario-file form) that is not a finite number
    or is absurdly large, as a sentence; None when every number is fine."""
    kind = str(data.get("type", ""))
    for field, value in data.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if not math.isfinite(value):
            return f"{subject(kind, field)} must be a number (got {value})."
        largest = LARGEST.get(field)
        if largest is not None and abs(value) > largest:
            most = _amount(field, largest)
            return f"{subject(kind, field)} of {_amount(field, value)} is not possible: at most {most}."
    return None


def _bound(kind: str, field: str, item: dict) -> str | None:
    ctx = item.get("ctx") or {}
    words = {"gt": "above", "ge": "at least", "lt": "below", "le": "at most"}
    for key in ("gt", "ge", "lt", "le"):
        if key in ctx:
            limit = float(ctx[key])
            said = "zero" if limit == 0 else _amount(field, limit)
            return f"{subject(kind, field)} must be {words[key]} {said}."
    return None


def _plain(kind: str, field: str, item: dict) -> str | None:
    """A sentence for a complaint about the shape of a decision (None: not one of these)."""
    error, what = item.get("type", ""), kind.replace("_", " ")
    choices = (item.get("ctx") or {}).get("expected", "the choices")
    sentences = {
        "extra_forbidden": f"A {what} has no setting {field!r}.",
        "unexpected_keyword_argument": f"A {what} has no setting {field!r}.",
        "missing": f"A {what} needs {field.replace('_', ' ')}.",
        "literal_error": f"{field.replace('_', ' ').capitalize()} must be one of {choices}.",
        "union_tag_invalid": f"{kind!r} is not a decision this game knows.",
        "union_tag_not_found": "A decision needs a type (which lever it is).",
    }
    if error.startswith(("float", "int")) and "parsing" in error:
        return f"{subject(kind, field)} must be a number."
    return sentences.get(error)


def _sentence(kind: str, item: dict) -> str:
    loc = [str(part) for part in item.get("loc", ()) if not str(part).isdigit()]
    field = loc[-1] if loc and not (len(loc) == 1 and loc[0] == kind) else ""
    said = _plain(kind, field, item) or _bound(kind, field, item)
    if said:
        return said
    message = str(item.get("msg", "not valid")).removeprefix("Value error, ")
    return f"{subject(kind, field) if field else 'This decision'}: {message}."


def refusal(error: ValidationError, data: dict[str, Any]) -> str:
    """The schema's complaints about a decision as sentences (the first two)."""
    kind = str(data.get("type", "decision"))
    sentences = list(dict.fromkeys(_sentence(kind, item) for item in error.errors()))
    return " ".join(sentences[:2])
