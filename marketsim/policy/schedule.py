"""Scheduled events: carrying out one-off events and keeping the policies in force up to date."""

from __future__ import annotations

from typing import Any, Protocol

from marketsim.policy.book import in_force
from marketsim.policy.events import (
    ONE_OFF_EVENTS,
    AllianceJoin,
    AllianceLeave,
    CapacityChange,
    RecyclingMandate,
    StockpileOrder,
)
from marketsim.vocabulary import GOODS, month_index


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
    for event in model.events:
        start = max(month_index(event.start), model.start_month)
        if start == month and isinstance(event, ONE_OFF_EVENTS):
            act(model, event, tick)
    policies = in_force(model.timed_events(), month, month_index)
    if policies != model.policies_in_force or any(
        isinstance(e, (AllianceJoin, AllianceLeave)) and max(month_index(e.start), model.start_month) == month
        for e in model.events
    ):
        model.policies_in_force = policies
        model.frictions = model.book.compile(policies)


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
    elif isinstance(event, AllianceJoin):
        members = model.book.members.get(event.alliance, set())
        feuding = [
            b if a == event.region else a
            for a, b in model.frictions.disputes
            if event.region in (a, b) and ({a, b} - {event.region}) & members
        ]
        if feuding:
            model.refused_joins.append((tick, event, f"in a dispute with member(s) {', '.join(feuding)}"))
        else:
            model.book.join(event.alliance, event.region)
            model.alliance_log.append((tick, event.alliance, event.region, "join"))
    elif isinstance(event, AllianceLeave):
        model.book.leave(event.alliance, event.region)
        model.alliance_log.append((tick, event.alliance, event.region, "leave"))
