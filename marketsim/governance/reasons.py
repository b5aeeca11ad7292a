"""Decisions with their reasons: a rule-based strategy says, in plain words, why it decided.

A strategy built on :class:`Reasoning` returns plain events from ``decide`` (the controller
seam is unchanged) and records each one's reason with :meth:`Reasoning.because`;
:func:`marketsim.governance.rounds.decide` puts the reason into the decision's message, which
the event log, the dashboard, the game's bot twin and the debrief show.
"""

from __future__ import annotations

from typing import Any


class Reasoning:
    """A strategy that keeps the reason for each decision of its current round."""

    reasons: dict[int, str]

    def begin(self) -> None:
        """Forget the reasons of the last round (call at the start of ``decide``)."""
        self.reasons = {}

    def because(self, event: Any, reason: str) -> Any:
        """Record why ``event`` is decided and return it."""
        if not hasattr(self, "reasons"):
            self.reasons = {}
        self.reasons[id(event)] = reason
        return event

    def reason_for(self, event: Any) -> str:
        """The reason recorded for ``event`` this round ("" when none)."""
        return getattr(self, "reasons", {}).get(id(event), "")


def reason_of(controller: Any, event: Any) -> str:
    """Why ``controller`` decided ``event`` ("" when it does not say)."""
    explain = getattr(controller, "reason_for", None)
    return explain(event) if callable(explain) else ""


class Stated:
    """One reason for every decision of a batch (e.g. a joint stockpile's releases)."""

    def __init__(self, reason: str) -> None:
        """Keep the reason."""
        self.reason = reason

    def reason_for(self, event: Any) -> str:
        """The batch's reason."""
        return self.reason
