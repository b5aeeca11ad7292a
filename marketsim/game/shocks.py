"""The facilitator's shock menu: event dicts for a dispute, a mine disruption, a demand surge or an
export ban, and their validation against the current model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from marketsim.governance.rounds import EVENT, DecisionError, actor, check_when_and_where, validate_decision
from marketsim.scenario.loading import format_validation_error
from marketsim.vocabulary import GOODS, month_index, month_label

if TYPE_CHECKING:
    from marketsim.model import RareEarthModel

SHOCK_MENU: tuple[str, ...] = ("dispute", "mine_disruption", "demand_surge", "export_ban")
"""Kinds of shock a facilitator may inject."""


def _until(now: str, months: int) -> str:
    return month_label(month_index(now) + int(months))


def dispute(now: str, region: str, target: str, months: int = 12) -> dict:
    """``region`` is aggrieved with ``target`` for ``months`` (strategies may retaliate)."""
    return {"type": "dispute", "region": region, "target": target, "start": now, "end": _until(now, months)}


def mine_disruption(now: str, region: str, share: float = 0.5, months: int = 6) -> dict:
    """``region``'s mines lose ``share`` of their output for ``months``."""
    return {
        "type": "mine_disruption",
        "region": region,
        "share": float(share),
        "start": now,
        "end": _until(now, months),
    }


def demand_surge(now: str, sector: str, factor: float = 1.5, months: int = 12) -> dict:
    """A sector's end-use demand is multiplied by ``factor`` for ``months``."""
    return {"type": "demand_surge", "sector": sector, "factor": float(factor), "start": now, "end": _until(now, months)}


def export_ban(
    now: str, region: str, destinations: tuple[str, ...] = (), goods: tuple[str, ...] = GOODS, months: int = 12
) -> dict:
    """``region`` bans exports of ``goods`` to ``destinations`` (all foreign when empty) for ``months``."""
    return {
        "type": "export_ban",
        "region": region,
        "destinations": list(destinations),
        "goods": list(goods),
        "start": now,
        "end": _until(now, months),
    }


def validate_shock(model: RareEarthModel, shock: Any) -> Any:
    """Turn a shock from the menu into an event, or explain why not.

    Raises:
        DecisionError: If it is not on the menu, malformed, starts in the past or names a region
            or sector the scenario does not have.
    """
    if not isinstance(shock, dict) or shock.get("type") not in SHOCK_MENU:
        kind = shock.get("type") if isinstance(shock, dict) else type(shock).__name__
        raise DecisionError(f"shock must be one of {', '.join(SHOCK_MENU)} (got {kind!r})")
    data = {"start": model.date, **shock}
    try:
        event = EVENT.validate_python(data)
    except ValidationError as error:
        raise DecisionError(format_validation_error(error, "shock")) from None
    owner = actor(model, event)
    if owner is not None:
        if owner not in model.governments:
            raise DecisionError(f"shock names unknown region {owner!r}")
        return validate_decision(model, owner, data)
    check_when_and_where(model, event, "shock")
    sector = getattr(event, "sector", None)
    if sector is not None and sector not in model.config.sectors:
        raise DecisionError(f"shock names unknown sector {sector!r} (options: {', '.join(model.config.sectors)})")
    return event


def headline(event: dict) -> str:
    """A shock as a news headline for every player, e.g. ``Mine accident in CHINA: 50 % of its
    output lost until 2024-07``."""
    kind, until = event.get("type"), event.get("end") or "further notice"
    where = str(event.get("region") or "").upper()
    try:
        if kind == "mine_disruption":
            return f"Mine accident in {where}: {100 * float(event['share']):.0f} % of its output lost until {until}"
        if kind == "demand_surge":
            return (
                f"Demand boom in {event['sector']}: {float(event['factor']):.1f} times the usual demand until {until}"
            )
        if kind == "dispute":
            return f"Diplomatic row: {where} is in a dispute with {str(event['target']).upper()} until {until}"
        if kind == "export_ban":
            to = ", ".join(d.upper() for d in event.get("destinations") or []) or "every country"
            return f"{where} bans rare-earth exports to {to} until {until}"
    except (KeyError, TypeError, ValueError):
        pass
    return f"News: {str(kind).replace('_', ' ')}"
