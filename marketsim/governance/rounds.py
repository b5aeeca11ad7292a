"""Rounds of government decisions: the one route from a decision to the model, and random shocks.

A decision, whoever makes it (a strategy, a person at the dashboard or in the game), is validated
once (:func:`validate_decision`; :func:`validate_decisions` for a player's list judged together)
and, if accepted, applied in one place: :func:`apply_decisions`, which charges the government's
budget, schedules the event with ``model.submit`` and records the decision. An invalid decision is
rejected with a message and has no effect.

When: every month starts with :func:`play_round` (called by ``model.step``). It applies the
decisions validated earlier that wait in a government's queue (a player's, see
:func:`queue_decisions`: the first month of a game uses the same path as every other), and at the
start of each round after the first (every ``scenario.round_months`` months) every government
with a controller receives its :class:`~marketsim.governance.observation.Observation` and decides
(:func:`decide` validates and applies each decision).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

from pydantic import TypeAdapter, ValidationError

from marketsim.governance import coalitions
from marketsim.governance.effects import no_effect
from marketsim.governance.observation import observe_all
from marketsim.governance.project_deals import project_deals
from marketsim.governance.protocols import GovernedModel
from marketsim.governance.reasons import Stated, reason_of
from marketsim.governance.refusals import check_numbers, refusal
from marketsim.policy.events import CapacityChange, DemandSurge, Dispute, Event, MineDisruption, Tariff
from marketsim.vocabulary import GOODS, month_index, month_label

EVENT = TypeAdapter(Event)
EVENT_TYPES = tuple(get_args(get_args(Event)[0]))
"""Every event class."""
WORLD_EVENTS = (MineDisruption, DemandSurge)
"""Shocks that happen to the world; no government decides them."""


class DecisionError(ValueError):
    """A decision that was rejected, with a message for the player who made it.

    ``str(error)`` names the government (for logs and the AI's record); :attr:`human` is the same
    refusal said to the person who decided, e.g. "A price floor must be above zero."
    """

    def __init__(self, message: str, human: str | None = None) -> None:
        """Keep the message and its human form (the message itself when None)."""
        super().__init__(message)
        self.human = human or message


@dataclass(frozen=True)
class Decision:
    """A decision and what became of it."""

    tick: int
    region: str
    event: Any
    accepted: bool
    message: str = ""


def actor(model: GovernedModel, event) -> str | None:
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


LEFT_NOW: Any = object()
"""The default budget of :func:`validate_decision`: what the government has left now."""


def validate_decision(model: GovernedModel, region: str, decision, budget_left: float | None = LEFT_NOW) -> Any:
    """Turn a decision into an event the model will accept, or explain why not. Changes nothing.

    Args:
        model: The model.
        region: The government deciding.
        decision: An event, or a dict in scenario-file form (``start`` defaults to now).
        budget_left: US$ million the decision may cost (None: no limit); by default what the
            government has left now.

    Raises:
        DecisionError: If the decision is malformed, out of range, not this government's to
            make, names something that does not exist, starts in the past, could have no
            effect (:func:`marketsim.governance.effects.no_effect`), or costs more than the
            budget left.
    """
    if not isinstance(decision, (dict, *EVENT_TYPES)):
        raise DecisionError(
            f"{region}'s decision is not a policy event (got {type(decision).__name__})", "This is not a decision."
        )
    data = {"start": model.date, **decision} if isinstance(decision, dict) else EVENT.dump_python(decision)
    problem = check_numbers(data)
    if problem is None:
        try:
            decision = EVENT.validate_python(data)
        except ValidationError as error:
            problem = refusal(error, data)
    if problem is not None:
        raise DecisionError(f"{region}'s {data.get('type', 'decision')}: {problem}", problem)
    _check_names(model, region, decision)
    check_when_and_where(model, decision, f"{region}'s {decision.type}")
    _check_alliance(model, region, decision)
    useless = no_effect(model, region, decision)
    if useless is not None:
        raise DecisionError(f"{useless}: the decision would have no effect", f"This would change nothing: {useless}.")
    cost = decision_cost(model, region, decision)
    budget = model.governments[region].budget_left if budget_left is LEFT_NOW else budget_left
    if budget is not None and cost > budget + 1e-9:
        raise DecisionError(
            f"{region}'s {decision.type} costs US${cost:,.0f} m; {budget:,.0f} m is left this year",
            f"This costs US${cost:,.0f} m, but only US${budget:,.0f} m is left this year.",
        )
    return decision


def _check_alliance(model: GovernedModel, region: str, decision) -> None:
    """Refuse a decision naming an alliance that does not exist, or founding one that does."""
    alliance = getattr(decision, "alliance", None)
    if alliance is None:
        return
    if decision.type == "alliance_found":
        if alliance in model.book.members:
            raise DecisionError(
                f"{region}'s {decision.type} names existing alliance {alliance!r}",
                f"There is already an alliance called {alliance!r}.",
            )
    elif alliance not in model.book.members:
        raise DecisionError(
            f"{region}'s {decision.type} names unknown alliance {alliance!r}",
            f"There is no alliance called {alliance!r}.",
        )


def _check_names(model: GovernedModel, region: str, event) -> None:
    """Refuse an event naming a project or facility that does not exist, or that is not
    ``region``'s to decide."""
    project = getattr(event, "project", None)
    if project is not None and project not in model.levers.projects.index:
        raise DecisionError(
            f"{region}'s {event.type} names unknown project {project!r}", f"There is no project called {project!r}."
        )
    facility = getattr(event, "facility", None)
    if facility is not None and not any(
        f.index_of(facility) is not None for f in (model.mines, model.refiners, model.magnet_plants)
    ):
        raise DecisionError(
            f"{region}'s {event.type} names unknown facility {facility!r}", f"There is no mine or plant {facility!r}."
        )
    owner = actor(model, event)
    if owner != region:
        whose = "the world's (a shock)" if owner is None else f"{owner}'s"
        human = "a shock is the world's, not a government's" if owner is None else f"only {owner} can decide it"
        raise DecisionError(
            f"{region} cannot decide a {event.type}: it is {whose} to make",
            f"Your government cannot decide this {event.type.replace('_', ' ')}: {human}.",
        )


def validate_decisions(model: GovernedModel, region: str, decisions: list) -> list:
    """Validate a government's list of decisions together, before the round they are for (a
    player's): each must be valid, and together they must fit the budget the round starts with
    (refilled first if the round opens a year). Changes nothing.

    Returns:
        The events, in order.

    Raises:
        DecisionError: Naming the first refused decision (by its number) and why, or the total cost.
    """
    budget = model.governments[region].budget_at(model.tick)
    events = []
    for number, decision in enumerate(decisions, 1):
        try:
            events.append(validate_decision(model, region, decision, budget))
        except DecisionError as error:
            raise DecisionError(f"decision {number}: {error}", f"Decision {number}: {error.human}") from None
    cost = sum(decision_cost(model, region, e) for e in events)
    if budget is not None and cost > budget + 1e-9:
        raise DecisionError(
            f"together these decisions cost US${cost:,.0f} m; {budget:,.0f} m is left",
            f"Together these decisions cost US${cost:,.0f} m, but only US${budget:,.0f} m is left this year.",
        )
    return events


def as_event(data: dict, now: str) -> Any:
    """An event from its scenario-file form (``start`` defaulting to ``now``) that was validated
    before, e.g. read back from a game's log: parsed, not judged against the model again."""
    return EVENT.validate_python({"start": now, **data})


def check_when_and_where(model: GovernedModel, event, who: str) -> None:
    """Refuse an event that starts before now or names a region the model does not have.

    Raises:
        DecisionError: Naming ``who`` (e.g. "usa's tariff") and the problem.
    """
    if month_index(event.start) < model.start_month + model.tick:
        raise DecisionError(
            f"{who} starts {event.start}, before now ({model.date})",
            f"A decision cannot start in the past ({event.start}; it is {model.date} now).",
        )
    unknown = [r for r in event.regions() if r not in model.region_index]
    if unknown:
        raise DecisionError(
            f"{who} names unknown region(s): {', '.join(unknown)}",
            f"There is no government called {', '.join(unknown)} in this game.",
        )


def decision_cost(model: GovernedModel, region: str, event) -> float:
    """Money a decision commits now, US$ million: stockpile purchases at today's price, a year of
    research funding, a project loan's or equity stake's share of the project's capital. Reads the
    model, changes nothing."""
    if event.type == "research_funding":
        return float(event.usd_million_per_year)
    if event.type in ("project_loan", "project_equity"):
        projects = model.levers.projects
        return float(event.share * projects.capital[projects.index[event.project]])
    tonnes = getattr(event, "tonnes", 0.0)
    if event.type != "stockpile" or tonnes <= 0:
        return 0.0
    price = model.prices.regional[GOODS.index(event.good), model.region_index[region]]
    return float(tonnes * price / 1000.0)


def apply_decisions(model: GovernedModel, region: str, events: list) -> list[Decision]:
    """Apply a government's validated decisions: the one place a decision changes the model.

    Each is charged to the government's budget, scheduled (``model.submit``) and recorded in
    ``model.decisions`` as accepted.

    Returns:
        The accepted decisions, in order.
    """
    government = model.governments[region]
    results = []
    for event in events:
        if government.budget_left is not None:
            government.budget_left -= decision_cost(model, region, event)
        model.submit(event)
        results.append(Decision(model.tick, region, event, True))
    model.decisions.extend(results)
    return results


def decide(model: GovernedModel, region: str, decisions: list, controller=None, views=None) -> list[Decision]:
    """Validate a government's decisions one by one and apply each accepted one at once;
    rejected ones change nothing (they are recorded with their message).

    Args:
        model: The model.
        region: The government deciding.
        decisions: Its decisions.
        controller: What decided them: an accepted decision's message is its reason, if it says.
        views: This round's observations: applications to join an alliance are then judged by
            its members (:func:`marketsim.governance.coalitions.admission`).

    Returns:
        What became of each decision, in order.
    """
    results = []
    for decision in decisions:
        reason = reason_of(controller, decision)
        try:
            event = validate_decision(model, region, decision)
            verdict = coalitions.admission(model, views, event) if views and event.type == "alliance_join" else None
            if verdict is not None:
                raise DecisionError(verdict)
        except DecisionError as error:
            refused = Decision(model.tick, region, decision, False, str(error))
            model.decisions.append(refused)
            results.append(refused)
            continue
        (accepted,) = apply_decisions(model, region, [event])
        if reason:
            accepted = Decision(accepted.tick, region, event, True, reason)
            model.decisions[-1] = accepted
        results.append(accepted)
    return results


def queue_decisions(model: GovernedModel, region: str, events: list) -> None:
    """Hand a government decisions validated earlier (a player's, see :func:`validate_decisions`),
    replacing any queued: :func:`play_round` applies them at the start of the next month, before
    anything else it decides."""
    model.governments[region].queued = list(events)


def play_round(model: GovernedModel) -> None:
    """Start a month: each government applies its queued decisions; at the start of a round after
    the first, every government with a controller observes the last round and decides, resource
    holders' projects are sold (:mod:`marketsim.governance.project_deals`) and joint stockpiles
    are shared."""
    in_round = model.tick > 0 and model.tick % model.config.scenario.round_months == 0
    deciding = {r for r, g in model.governments.items() if g.controller is not None} if in_round else set()
    pooling = in_round and any(getattr(t, "joint_stockpile", 0.0) for t in model.book.terms.values())
    views = observe_all(model) if deciding or pooling else None
    for government in model.governments.values():
        if government.queued:
            queued, government.queued = government.queued, []
            apply_decisions(model, government.region, queued)
        if government.region in deciding:
            view = views[government.region]
            controller = government.controller
            decide(model, government.region, controller.decide(view), controller, views)
            government.export_history.append(view.export_value)
    if views is not None:
        for buyer, events, controller in project_deals(model, views):
            decide(model, buyer, events, controller)
        share_stockpiles(model, views)


def is_short(view, rules) -> bool:
    """Whether a government's region went short last round: more need unmet than
    ``rules.shortage``, or paying over ``rules.premium`` above the world price for magnets or
    their oxides (price rations before stock runs out); ``rules`` is the scenario's
    ``[governance]`` (:class:`~marketsim.scenario.strategies.GovernanceParams`)."""
    premium = max(view.price[g] / max(view.world_price[g], 1e-9) - 1.0 for g in ("ndpr", "dytb", "magnet"))
    return view.unmet_share > rules.shortage or premium > rules.premium


def share_stockpiles(model: GovernedModel, views: dict) -> None:
    """Joint stockpiles: when a member of an alliance with a joint stockpile went short last round
    (:func:`is_short`), every other member releases its agreed share of its NdPr and Dy/Tb
    stockpile over 3 months."""
    rules = model.config.governance
    for name, members in list(model.book.members.items()):
        share = getattr(model.book.terms.get(name), "joint_stockpile", 0.0)
        if not share or not any(is_short(views[m], rules) for m in members):
            continue
        for member in sorted(members):
            if is_short(views[member], rules):
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
            why = Stated(f"{member} releases {100 * share:.0f} % of its stockpile: a member of {name} went short")
            decide(model, member, releases, why)


def draw_shocks(model: GovernedModel) -> None:
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
