"""Decisions a person makes for a government, ready for the governance seam: the one set of
builders the dashboard and the game's decision form use.

Each function returns a decision in scenario-file form (a dict), starting ``now`` and open-ended,
for :func:`marketsim.governance.rounds.decide` to validate. A later decision on the same lever replaces
the earlier one (see :func:`marketsim.policy.book.policy_key`). Lifting a lever is a decision too: the
same policy with a neutral value that lapses after one month, so the event log stays the whole
record of what was decided and when.
"""

from __future__ import annotations

from marketsim.vocabulary import month_index, month_label

RAW_MATERIALS = ("concentrate", "ndpr", "dytb", "lace")
"""Goods export quotas apply to (China's 2010-2014 quotas covered ores and oxides)."""
NO_LIMIT = 1e12
"""Tonnes per year standing for "no quota" while a quota is being lifted."""


def _lapsing(now: str) -> str:
    return month_label(month_index(now) + 1)


def export_quota(region: str, now: str, tonnes_per_year: float | None) -> dict:
    """Cap the region's exports of ore and oxides, t REO a year; None lifts the cap."""
    decision = {"type": "export_quota", "region": region, "start": now, "goods": list(RAW_MATERIALS)}
    if tonnes_per_year is None:
        return {**decision, "tonnes_per_year": NO_LIMIT, "end": _lapsing(now)}
    return {**decision, "tonnes_per_year": float(tonnes_per_year)}


def tariff(region: str, now: str, rate: float, origins: tuple[str, ...] = ()) -> dict:
    """Tariff on the region's imports (a fraction of price) from ``origins`` (all when empty);
    a rate of 0 lifts it. Allies are exempt."""
    decision = {"type": "tariff", "importer": region, "start": now, "rate": float(rate), "origins": list(origins)}
    return {**decision, "end": _lapsing(now)} if rate == 0 else decision


def subsidy(region: str, now: str, stage: str, rate: float) -> dict:
    """Subsidy to the region's producers at a stage (``mining``, ``separation`` or ``magnets``),
    as a fraction of unit cost; a rate of 0 lifts it."""
    decision = {"type": "subsidy", "region": region, "start": now, "stage": stage, "rate": float(rate)}
    return {**decision, "end": _lapsing(now)} if rate == 0 else decision


def stockpile(region: str, now: str, good: str, tonnes: float, months: int = 12) -> dict:
    """Buy (positive tonnes) or release (negative) a state stockpile of a good over ``months``."""
    return {
        "type": "stockpile",
        "region": region,
        "start": now,
        "good": good,
        "tonnes": float(tonnes),
        "months": int(months),
    }


def alliance(region: str, now: str, name: str, member: bool) -> dict:
    """Apply to join (``member=True``) or leave an alliance."""
    kind = "alliance_join" if member else "alliance_leave"
    return {"type": kind, "region": region, "start": now, "alliance": name}


def export_ban(region: str, now: str, destinations: tuple[str, ...] = ()) -> dict:
    """Ban the region's exports to ``destinations`` (every foreign region when empty)."""
    return {"type": "export_ban", "region": region, "start": now, "destinations": list(destinations)}


def price_floor(region: str, now: str, good: str, price: float) -> dict:
    """Guarantee the region's producers of a good a price, US$/kg."""
    return {"type": "price_floor", "region": region, "start": now, "good": good, "price": float(price)}


def recycling_mandate(region: str, now: str, collection_rate: float) -> dict:
    """Require a share (0-1) of the region's end-of-life magnets to be collected."""
    return {"type": "recycling_mandate", "region": region, "start": now, "collection_rate": float(collection_rate)}


def research_funding(region: str, now: str, stage: str, usd_million_per_year: float) -> dict:
    """Fund public research into a stage (``separation``, ``magnets`` or ``recycling``)."""
    return {
        "type": "research_funding",
        "region": region,
        "start": now,
        "stage": stage,
        "usd_million_per_year": float(usd_million_per_year),
    }


def environmental_standard(region: str, now: str, stage: str, level: float) -> dict:
    """Set an environmental standard for a stage at home, as a share (0-1) of best practice."""
    return {"type": "environmental_standard", "region": region, "start": now, "stage": stage, "level": float(level)}


def collection_scheme(region: str, now: str, collection_rate: float, usd_per_kg: float) -> dict:
    """A paid scheme aiming to collect a share (0-1) of end-of-life magnets, paying US$/kg of REO."""
    return {
        "type": "collection_scheme",
        "region": region,
        "start": now,
        "collection_rate": float(collection_rate),
        "usd_per_kg": float(usd_per_kg),
    }


def project_support(region: str, now: str, project: str, deal: str, share: float) -> dict:
    """Back a supply project with a ``loan`` (a share of its capital, lent cheaply) or ``equity``
    (a share of it owned)."""
    return {"type": f"project_{deal}", "region": region, "start": now, "project": project, "share": float(share)}


def offtake(region: str, now: str, project: str, good: str, price: float, share: float) -> dict:
    """Buy a share of a supply project's output of a good at a guaranteed price, US$/kg."""
    return {
        "type": "offtake",
        "region": region,
        "start": now,
        "project": project,
        "good": good,
        "price": float(price),
        "share": float(share),
    }


def export_licence(
    region: str, now: str, approval_rate: float, destinations: tuple[str, ...] = (), goods: tuple[str, ...] = ()
) -> dict:
    """Make the region's exports to ``destinations`` (every foreign region when empty) need a
    licence, of which ``approval_rate`` (0-1) of the tonnage asked for is approved; ``goods``
    empty: Dy/Tb oxide and magnets, as China's 2025 licences."""
    decision = {
        "type": "export_licence",
        "region": region,
        "start": now,
        "approval_rate": float(approval_rate),
        "destinations": list(destinations),
    }
    return {**decision, "goods": list(goods)} if goods else decision


def mining_quota(region: str, now: str, tonnes_per_year: float) -> dict:
    """Cap the region's mine output, t REO a year."""
    return {"type": "mining_quota", "region": region, "start": now, "tonnes_per_year": float(tonnes_per_year)}
