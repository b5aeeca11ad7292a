"""Checks of a scenario's events that need the scenario's calendar: every event must act within
the scenario's months, and hold finite numbers of a sensible size."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from marketsim.policy.events import ONE_OFF_EVENTS, Event
from marketsim.scenario.base import number_problems
from marketsim.vocabulary import month_index, month_label


def event_problems(events: Sequence[Event], start: str, years: int) -> list[str]:
    """One line per problem: ``events.N.type[.field]: what is wrong``.

    Args:
        events: The scenario's events.
        start: The scenario's first month (``YYYY-MM``).
        years: The scenario's length.
    """
    errors: list[str] = []
    first = month_index(start)
    end = first + 12 * years
    for i, event in enumerate(events):
        where = f"events.{i}.{event.type}"
        for item in dataclasses.fields(event):
            errors += [f"{where}.{line}" for line in number_problems(getattr(event, item.name), item.name)]
        starts = month_index(event.start)
        over = starts + 1 if isinstance(event, ONE_OFF_EVENTS) else month_index(event.end or "9999-12")
        if over <= first:
            errors.append(
                f"{where}: the event is over before the scenario starts ({start}), so it would do nothing "
                f"(start {event.start}, end {event.end or 'one-off'})"
            )
        elif starts >= end:
            errors.append(
                f"{where}: the event starts at {event.start}, after the scenario ends ({month_label(end - 1)}, "
                f"{years} years from {start}), so it would do nothing"
            )
    return errors
