"""What governance needs of the rest of the model, as narrow protocols.

Governance reads the model it governs and schedules events on it, but does not import it: the
model imports governance (to play its rounds), so governance names only the few things it uses.
:class:`~marketsim.model.RareEarthModel` satisfies :class:`GovernedModel`, and
:class:`~marketsim.agents.government.Government` satisfies :class:`GovernmentState`.
"""

from __future__ import annotations

from typing import Any, Protocol

from marketsim.scenario.schema import Scenario


class Controller(Protocol):
    """Anything that decides for a government: a strategy, a script, a human player's client."""

    def decide(self, observation: Any) -> list:
        """Return this round's decisions (events or scenario-style dicts) for an
        :class:`~marketsim.governance.observation.Observation`."""


class GovernmentState(Protocol):
    """The government of a region, as governance sees it."""

    region: str
    controller: Controller | None
    budget: float | None
    budget_left: float | None
    """US$ million left to spend this year (None: no limit)."""
    export_history: list[float]
    queued: list
    """Decisions already validated (a player's), applied at the start of the next round."""

    @property
    def policies(self) -> list:
        """Policies in force that this government enacted."""

    def budget_at(self, tick: int) -> float | None:
        """The budget a decision applied at the start of ``tick`` meets."""


class GovernedModel(Protocol):
    """The model a round of decisions reads and acts on."""

    config: Scenario
    tick: int
    months: int
    start_month: int
    regions: list[str]
    region_index: dict[str, int]
    china: int
    governments: dict[str, GovernmentState]
    decisions: list
    """Every decision made so far and what became of it."""
    policies_in_force: list
    """Every policy in force now."""
    rng: Any
    recorder: Any
    """What was recorded each month (``raw`` arrays and ``reo_per_unit``)."""
    ledger: Any
    book: Any
    """The policy book: alliances (``members``) and how policies compile to frictions."""
    frictions: Any
    prices: Any
    levers: Any
    mines: Any
    refiners: Any
    magnet_plants: Any

    @property
    def date(self) -> str:
        """The current month, ``YYYY-MM``."""

    def submit(self, event: Any) -> None:
        """Schedule an event."""
