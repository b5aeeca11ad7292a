"""Decisions that cannot have an effect, refused with the reason: a subsidy for magnet plants a
region does not have, an export quota on goods it does not make, a release from an empty
stockpile, a number that is not finite. Pure checks: they read the model and change nothing.
"""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np

from marketsim.governance.protocols import GovernedModel
from marketsim.vocabulary import GOODS, POLICY_STAGES

FACILITY_NAMES = {
    "mining": "mines",
    "separation": "separation plants",
    "magnets": "magnet plants",
    "recycling": "recycling plants",
}
MAKERS = {
    "concentrate": "mining",
    "ndpr": "separation",
    "dytb": "separation",
    "lace": "separation",
    "magnet": "magnets",
}
"""The stage that makes each good."""
EXPORT_CONTROLS = ("export_quota", "export_ban", "export_licence", "export_tax")


def has_facilities(model: GovernedModel, region: str, stage: str) -> bool:
    """Whether the region has facilities of a stage: running, idle, or a project not yet built."""
    fleet = model.world.facilities[POLICY_STAGES.index(stage)]
    return bool((np.asarray(fleet.region) == model.region_index[region]).any())


def _non_finite(model: GovernedModel, region: str, event) -> str | None:
    for item in fields(event):
        value = getattr(event, item.name)
        if isinstance(value, float) and not math.isfinite(value):
            return f"{region}'s {event.type}: {item.name} must be a finite number (got {value})"
    return None


def _no_facilities(model: GovernedModel, region: str, event) -> str | None:
    kind = event.type
    if kind == "subsidy" and not has_facilities(model, region, event.stage):
        return f"{region} has no {FACILITY_NAMES[event.stage]} to subsidise"
    if kind == "mining_quota" and not has_facilities(model, region, "mining"):
        return f"{region} has no mines to limit"
    if kind == "price_floor" and not has_facilities(model, region, MAKERS[event.good]):
        return f"{region} makes no {event.good}: it has no {FACILITY_NAMES[MAKERS[event.good]]}"
    return None


def _export_controls(model: GovernedModel, region: str, event) -> str | None:
    if event.type not in EXPORT_CONTROLS:
        return None
    if not any(has_facilities(model, region, MAKERS[g]) for g in event.goods):
        return f"{region} makes none of {', '.join(event.goods)}: it has nothing of its own to export"
    if region in getattr(event, "destinations", ()):
        return f"{region} cannot restrict its exports to itself"
    return None


def _stockpile(model: GovernedModel, region: str, event) -> str | None:
    if event.type != "stockpile":
        return None
    if event.tonnes == 0:
        return f"{region}'s stockpile order is for 0 t"
    held = model.ledger.stockpile.amount[GOODS.index(event.good), model.region_index[region]]
    if event.tonnes < 0 and held <= 0:
        return f"{region} holds no {event.good} stockpile to release"
    return None


def _alliance(model: GovernedModel, region: str, event) -> str | None:
    members = model.book.members.get(getattr(event, "alliance", None))
    if event.type == "alliance_join" and members is not None and region in members:
        return f"{region} is already a member of {event.alliance}"
    if event.type in ("alliance_leave", "alliance_terms") and (members is None or region not in members):
        return f"{region} is not a member of {event.alliance}"
    return None


CHECKS = (_non_finite, _no_facilities, _export_controls, _stockpile, _alliance)


def no_effect(model: GovernedModel, region: str, event) -> str | None:
    """Why a decision cannot have an effect, e.g. "myanmar has no magnet plants to subsidise";
    None if it can."""
    for check in CHECKS:
        reason = check(model, region, event)
        if reason is not None:
            return reason
    return None
