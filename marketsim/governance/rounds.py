"""Rounds of government decisions, the seam for external controllers, and random shocks.

Each round (every ``scenario.round_months`` months) every government that has a strategy or an
external controller receives its :class:`~marketsim.governance.observation.Observation` and returns
decisions. Each decision is validated before it changes anything: it must be a well-formed
event, it must be this government's to make, and it must not start in the past. An invalid
decision is rejected with a message and has no effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args

from pydantic import TypeAdapter, ValidationError

from marketsim.governance.observation import observe_all
from marketsim.policy.events import CapacityChange, DemandSurge, Dispute, Event, MineDisruption, Tariff
from marketsim.scenario.loading import format_validation_error
from marketsim.vocabulary import month_index, month_label

if TYPE_CHECKING:
    from marketsim.model import RareEarthModel

EVENT = TypeAdapter(Event)
EVENT_TYPES = tuple(get_args(get_args(Event)[0]))
"""Every event class."""
WORLD_EVENTS = (MineDisruption, DemandSurge)
"""Shocks that happen to the world; no government decides them."""


class DecisionError(ValueError):
    """A decision that was rejected, with a message for the player who made it."""


@dataclass(frozen=True)
class Decision:
    """A decision and what became of it."""

    tick: int
    region: str
    event: Any
    accepted: bool
    message: str = ""


def actor(model: RareEarthModel, event) -> str | None:
    """The region whose government an event belongs to (None for shocks to the world): the
    exporter for export controls, the importer for a tariff, the owner of a facility for a
    capacity change, and the government named in ``region`` for every other policy (the lender,
    shareholder or buyer for project loans, equity and offtakes, whatever the project's region;
    the funder of research; the region setting a standard or a collection scheme)."""
    if isinstance(event, WORLD_EVENTS):
        return None
    if isinstance(event, Tariff):
        return event.importer
    if isinstance(event, CapacityChange):
        for fleet in (model.mines, model.refiners, model.magnet_plants):
            row = fleet.index_of(event.facility)
            if row is not None:
                return model.regions[fleet.region[row]]
        return None
    return event.region


def validate_decision(model: RareEarthModel, region: str, decision) -> Any:
    """Turn a decision into an event the model will accept, or explain why not.

    Args:
        model: The model.
        region: The government deciding.
        decision: An event, or a dict in scenario-file form (``start`` defaults to now).

    Raises:
        DecisionError: If the decision is malformed, out of range, not this government's to
            make, names something that does not exist, starts in the past, or costs more than
            the government's budget left.
    """
    if not isinstance(decision, (dict, *EVENT_TYPES)):
        raise DecisionError(f"{region}'s decision is not a policy event (got {type(decision).__name__})")
    data = {"start": model.date, **decision} if isinstance(decision, dict) else EVENT.dump_python(decision)
    try:
        decision = EVENT.validate_python(data)
    except ValidationError as error:
        raise DecisionError(format_validation_error(error, f"{region}'s decision")) from None
    project = getattr(decision, "project", None)
    if project is not None and project not in model.levers.projects.index:
        raise DecisionError(f"{region}'s {decision.type} names unknown project {project!r}")
    facility = getattr(decision, "facility", None)
    if facility is not None and not any(
        f.index_of(facility) is not None for f in (model.mines, model.refiners, model.magnet_plants)
    ):
        raise DecisionError(f"{region}'s {decision.type} names unknown facility {facility!r}")
    owner = actor(model, decision)
    if owner != region:
        whose = "the world's (a shock)" if owner is None else f"{owner}'s"
        raise DecisionError(f"{region} cannot decide a {decision.type}: it is {whose} to make")
    check_when_and_where(model, decision, f"{region}'s {decision.type}")
    alliance = getattr(decision, "alliance", None)
    if alliance is not None and alliance not in model.book.members:
        raise DecisionError(f"{region}'s {decision.type} names unknown alliance {alliance!r}")
    cost = decision_cost(model, region, decision)
    budget = model.governments[region].budget_left
    if budget is not None and cost > budget + 1e-9:
        raise DecisionError(f"{region}'s {decision.type} costs US${cost:,.0f} m; {budget:,.0f} m is left this year")
    return decision


def check_when_and_where(model: RareEarthModel, event, who: str) -> None:
    """Refuse an event that starts before now or names a region the model does not have.

    Raises:
        DecisionError: Naming ``who`` (e.g. "usa's tariff") and the problem.
    """
    if month_index(event.start) < model.start_month + model.tick:
        raise DecisionError(f"{who} starts {event.start}, before now ({model.date})")
    unknown = [r for r in event.regions() if r not in model.region_index]
    if unknown:
        raise DecisionError(f"{who} names unknown region(s): {', '.join(unknown)}")


def decision_cost(model: RareEarthModel, region: str, event) -> float:
    """Money a decision commits now, US$ million: stockpile purchases at today's price, a year of
    research funding, a project loan's or equity stake's share of the project's capital."""
    if event.type == "research_funding":
        return float(event.usd_million_per_year)
    if event.type in ("project_loan", "project_equity"):
        projects = model.levers.projects
        return float(event.share * projects.capital[projects.index[event.project]])
    tonnes = getattr(event, "tonnes", 0.0)
    if event.type != "stockpile" or tonnes <= 0:
        return 0.0
    from marketsim.vocabulary import GOODS  # noqa: PLC0415

    price = model.prices.regional[GOODS.index(event.good), model.region_index[region]]
    return float(tonnes * price / 1000.0)


def decide(model: RareEarthModel, region: str, decisions: list) -> list[Decision]:
    """Validate and schedule a government's decisions; rejected ones change nothing.

    Returns:
        What became of each decision, in order.
    """
    results = []
    for decision in decisions:
        try:
            event = validate_decision(model, region, decision)
        except DecisionError as error:
            results.append(Decision(model.tick, region, decision, False, str(error)))
            continue
        government = model.governments[region]
        if government.budget_left is not None:
            government.budget_left -= decision_cost(model, region, event)
        model.submit(event)
        results.append(Decision(model.tick, region, event, True))
    model.decisions.extend(results)
    return results


def play_round(model: RareEarthModel) -> None:
    """Every government with a controller or a strategy observes the last round and decides."""
    deciding = [g for g in model.governments.values() if g.controller is not None]
    pooling = any(getattr(a, "joint_stockpile", 0.0) for a in model.config.alliances.values())
    if not deciding and not pooling:
        return
    views = observe_all(model)
    for government in deciding:
        view = views[government.region]
        decide(model, government.region, government.controller.decide(view))
        government.export_history.append(view.export_value)
    share_stockpiles(model, views)


SHORTAGE = 0.02
"""Share of need unmet at which a member of a joint-stockpile alliance calls on the others..."""
PREMIUM = 0.5
"""...or how far above the world price its NdPr, Dy/Tb or magnet price must be."""


def is_short(view) -> bool:
    """Whether a government's region went short last round: need unmet, or paying far above the
    world price for magnets or their oxides (price rations before stock runs out)."""
    premium = max(view.price[g] / max(view.world_price[g], 1e-9) - 1.0 for g in ("ndpr", "dytb", "magnet"))
    return view.unmet_share > SHORTAGE or premium > PREMIUM


def share_stockpiles(model: RareEarthModel, views: dict) -> None:
    """Joint stockpiles: when a member of an alliance with a joint stockpile went short last round
    (:func:`is_short`), every other member releases its agreed share of its NdPr and Dy/Tb
    stockpile over 3 months."""
    for name, members in model.book.members.items():
        share = getattr(model.config.alliances.get(name), "joint_stockpile", 0.0)
        if not share or not any(is_short(views[m]) for m in members):
            continue
        for member in sorted(members):
            if is_short(views[member]):
                continue
            releases = [
                {
                    "type": "stockpile",
                    "region": member,
                    "good": good,
                    "months": 3,
                    "tonnes": -share * views[member].stockpile[good],
                }
                for good in ("ndpr", "dytb")
                if views[member].stockpile[good] > 0
            ]
            decide(model, member, releases)


def draw_shocks(model: RareEarthModel) -> None:
    """Random shocks at the scenario's rates, drawn from the model's seed."""
    rates = model.config.shocks
    if not (rates.mine_disruption_rate or rates.dispute_rate or rates.demand_surge_rate):
        return
    rng, now = model.rng, model.date
    end = month_label(month_index(now) + rates.duration_months)
    draws = rng.random(3)
    if draws[0] < rates.mine_disruption_rate:
        mining = sorted({model.regions[r] for r in model.mines.region[model.mines.capacity > 0]})
        if mining:
            region = mining[int(rng.integers(len(mining)))]
            model.submit(MineDisruption(start=now, end=end, region=region, share=rates.disruption_share))
    if draws[1] < rates.dispute_rate and len(model.regions) > 1:
        first, second = rng.choice(len(model.regions), size=2, replace=False)
        model.submit(Dispute(start=now, end=end, region=model.regions[first], target=model.regions[second]))
    if draws[2] < rates.demand_surge_rate:
        sectors = list(model.config.sectors)
        sector = sectors[int(rng.integers(len(sectors)))]
        model.submit(DemandSurge(start=now, end=end, sector=sector, factor=rates.surge_factor))
