"""Scheduled events: carrying out one-off events and keeping the policies in force up to date."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from marketsim.policy.book import in_force, policy_key
from marketsim.policy.events import (
    ONE_OFF_EVENTS,
    AllianceFound,
    AllianceJoin,
    AllianceLeave,
    AllianceTerms,
    CapacityChange,
    RecyclingMandate,
    StockpileOrder,
)
from marketsim.vocabulary import GOODS, month_index

MEMBERSHIP_EVENTS = (AllianceJoin, AllianceLeave, AllianceFound, AllianceTerms)
"""One-off events that change alliances, and so the frictions the month they act."""


@dataclass(frozen=True)
class Terms:
    """An alliance's terms as the policy book reads them (the fields of a scenario's
    :class:`~marketsim.scenario.schema.AllianceSpec`): set when an alliance is founded in a run,
    replaced when its members change them."""

    floor_prices: dict = field(default_factory=dict)
    coordinate_export_controls: bool = False
    joint_stockpile: float = 0.0
    research_sharing: float = 0.0


class ScheduledModel(Protocol):
    """What the schedule reads and writes of the model (:class:`~marketsim.model.RareEarthModel`)."""

    events: list
    start_month: int
    region_index: dict[str, int]
    policies_in_force: list
    frictions: Any
    book: Any
    """The policy book: alliances and how policies compile to frictions."""
    event_log: list
    stockpile_orders: list
    refused_joins: list
    alliance_log: list
    mines: Any
    refiners: Any
    magnet_plants: Any
    recyclers: Any

    def timed_events(self) -> list:
        """Scheduled events that hold a policy in force."""


def apply_events(model: ScheduledModel, tick: int) -> None:
    """Carry out the one-off events starting this month and recompile the policies in force."""
    month = model.start_month + tick
    membership = False
    for event in _one_offs(model, month).get(month, ()):
        act(model, event, tick)
        membership = membership or isinstance(event, MEMBERSHIP_EVENTS)
    policies = _policies_in_force(model, month)
    if policies != model.policies_in_force or membership:
        model.policies_in_force = policies
        model.frictions = model.book.compile(policies)


def _one_offs(model: ScheduledModel, month: int) -> dict[int, list]:
    """The scheduled one-off events acting in ``month`` or later, by the month they act (in
    schedule order; one starting before the run acts in its first month). Worked out again only
    when events were scheduled since, and then only from ``month`` on (``model.events`` is kept
    in order of start)."""
    cached = getattr(model, "_one_off_cache", None)
    if cached is not None and cached[0] is model.events and cached[1] <= month:
        return cached[2]
    first = 0 if month <= model.start_month else bisect.bisect_left(model.events, month, key=_start)
    by_month: dict[int, list] = {}
    for event in model.events[first:]:
        if isinstance(event, ONE_OFF_EVENTS):
            by_month.setdefault(max(_start(event), model.start_month), []).append(event)
    model._one_off_cache = (model.events, month, by_month)
    return by_month


def _start(event) -> int:
    return month_index(event.start)


def _policies_in_force(model: ScheduledModel, month: int) -> list:
    """The timed policies in force in ``month``: last month's when no event was scheduled since
    and no timed policy starts or ends this month (the same list :func:`in_force` would give)."""
    cached = getattr(model, "_in_force_cache", None)
    if cached is not None and cached[0] is model.events and cached[1] == month - 1 and month not in cached[2]:
        model._in_force_cache = (model.events, month, cached[2], cached[3])
        return cached[3]
    timed = model.timed_events()
    keys = getattr(model, "_policy_keys", None)
    if keys is None:
        keys = model._policy_keys = {}
    policies = in_force(timed, month, month_index, lambda event: _key(keys, event))
    bounds = {month_index(e.start) for e in timed} | {month_index(e.end) for e in timed if e.end is not None}
    model._in_force_cache = (model.events, month, bounds, policies)
    return policies


def _key(keys: dict[int, tuple], event) -> tuple:
    """:func:`policy_key` of an event, worked out once per event (``keys`` holds the event with it,
    so its id is not reused while the entry lives)."""
    known = keys.get(id(event))
    if known is None or known[0] is not event:
        known = keys[id(event)] = (event, policy_key(event))
    return known[1]


def act(model: ScheduledModel, event, tick: int) -> None:
    """Carry out a one-off event."""
    model.event_log.append((tick, event))
    if isinstance(event, StockpileOrder):
        model.stockpile_orders.append(
            [GOODS.index(event.good), model.region_index[event.region], event.tonnes / event.months, event.months]
        )
    elif isinstance(event, CapacityChange):
        for fleet in (model.mines, model.refiners, model.magnet_plants):
            row = fleet.index_of(event.facility)
            if row is not None:
                fleet.ramp_to(row, event.capacity, tick, event.ramp_months)
    elif isinstance(event, RecyclingMandate):
        rows = model.recyclers.region == model.region_index[event.region]
        model.recyclers.collection_rate[rows] = event.collection_rate
    elif isinstance(event, (AllianceJoin, AllianceLeave, AllianceFound, AllianceTerms)):
        _alliance_act(model, event, tick)


def _alliance_act(model: ScheduledModel, event, tick: int) -> None:
    """Carry out a change of alliances: a join (refused while the applicant is in a dispute with a
    member), a leave (the alliance dissolves with its last member), a founding, new terms."""
    book = model.book
    if isinstance(event, AllianceFound):
        if event.alliance in book.members:
            return
        floors = {"ndpr": event.floor_ndpr} if event.floor_ndpr > 0 else {}
        book.terms[event.alliance] = Terms(floors, False, event.joint_stockpile, event.research_sharing)
        book.join(event.alliance, event.region)
        model.alliance_log.append((tick, event.alliance, event.region, "found"))
    elif isinstance(event, AllianceTerms):
        if event.region in book.members.get(event.alliance, ()):
            book.terms[event.alliance] = _new_terms(book.terms.get(event.alliance), event)
            model.alliance_log.append((tick, event.alliance, event.region, "terms"))
    elif isinstance(event, AllianceJoin):
        members = book.members.get(event.alliance, set())
        feuding = [
            b if a == event.region else a
            for a, b in model.frictions.disputes
            if event.region in (a, b) and ({a, b} - {event.region}) & members
        ]
        if feuding:
            model.refused_joins.append((tick, event, f"in a dispute with member(s) {', '.join(feuding)}"))
        else:
            book.join(event.alliance, event.region)
            model.alliance_log.append((tick, event.alliance, event.region, "join"))
    elif event.region in book.members.get(event.alliance, ()):
        book.leave(event.alliance, event.region)
        model.alliance_log.append((tick, event.alliance, event.region, "leave"))
        if not book.members[event.alliance]:
            del book.members[event.alliance]
            book.terms.pop(event.alliance, None)
            model.alliance_log.append((tick, event.alliance, event.region, "dissolve"))


def _new_terms(old, event: AllianceTerms) -> Terms:
    """An alliance's terms after ``event`` changed some of them."""
    terms = Terms(
        dict(getattr(old, "floor_prices", {})),
        bool(getattr(old, "coordinate_export_controls", False)),
        float(getattr(old, "joint_stockpile", 0.0)),
        float(getattr(old, "research_sharing", 0.0)),
    )
    if event.joint_stockpile is not None:
        terms = replace(terms, joint_stockpile=event.joint_stockpile)
    if event.research_sharing is not None:
        terms = replace(terms, research_sharing=event.research_sharing)
    if event.floor_ndpr is not None:
        floors = {g: p for g, p in terms.floor_prices.items() if g != "ndpr"}
        terms = replace(terms, floor_prices={**floors, **({"ndpr": event.floor_ndpr} if event.floor_ndpr else {})})
    return terms
