"""State and behaviours shared by every kind of producing facility, held as arrays.

Each kind of facility (mines, separation plants, magnet plants, recyclers; and the end users in
:mod:`marketsim.agents.manufacturer`) is a Mesa :class:`~mesa.AgentSet` of its facility agents
that holds their state as numpy columns, one row per agent, and acts on all of them at once:
the month calls each set's verbs (``produce``, ``separate``, ``make``, ``recycle``, ``acquire``)
as its phases, the pattern of mesa-frames' vectorised ``AgentSet``. We chose that over Mesa 3
``shuffle_do`` over per-facility (or per-region) agents because every behaviour couples the
agents of a kind through their region's market (a region's quota, stock or orders are shared
out over its facilities), so a step is one vectorised update whatever the number of facilities:
a per-agent step would cost a Python call per facility per month (the scaled world has 1,000
mines and 10,000 end users). The Mesa agents are the rows seen one at a time (name, region,
capacity, output) for inspection, data collection and the dashboard.
"""

from __future__ import annotations

from random import Random

import mesa
import numpy as np
from mesa.agent import AgentSet

from marketsim.scenario.behaviour import BehaviourParams

PIPELINE_MONTHS = 480
"""How far ahead capacity additions can be scheduled (lead time plus ramp). An array size, not
behaviour: it stays a constant (it changes no result while it exceeds every lead time)."""

DEFAULT = BehaviourParams()
"""The ``[behaviour]`` defaults, used by fleets built without a scenario (the builder sets each
fleet's values from the scenario's ``[behaviour]`` table)."""


def utilisation(revenue_over_cost: np.ndarray, band: float = DEFAULT.utilisation_band) -> np.ndarray:
    """Share of capacity worth running at a given ratio of unit revenue to unit cost.

    Costs inside a facility are spread evenly over ``unit_cost * (1 +- band / 2)``, so half the
    capacity runs at break-even, all of it once revenue clears the dearest unit and none below
    the cheapest.

    Args:
        revenue_over_cost: Revenue per unit divided by cash cost per unit.
        band: Width of the cost spread, as a share of unit cost.
    """
    low = 1.0 - band / 2.0
    return np.minimum(np.maximum((revenue_over_cost - low) / band, 0.0), 1.0)  # np.clip, without its wrappers


class AgentColumns(AgentSet):
    """A Mesa agent set whose agents' state lives in numpy columns, one row per agent.

    It is built with its columns first (from the scenario, before a model exists) and its
    agents are enlisted with :meth:`enlist` once the model does; its length is its number of
    rows.
    """

    def __init__(self) -> None:
        """Create the set with no agents yet (its random generator is the model's once enlisted)."""
        super().__init__((), random=Random(0))

    def enlist(self, model: mesa.Model, kind: type[mesa.Agent], *args) -> None:
        """Create one agent of ``kind`` per row, registered with ``model`` and this set.

        Args:
            model: The model.
            kind: The agent class; called as ``kind(model, self, row, *args_for_row)``.
            *args: Sequences with one value per row, passed on to each agent.
        """
        self.random = model.random
        for row in range(len(self)):
            self.add(kind(model, self, row, *(values[row] for values in args)))


class Fleet(AgentColumns):
    """Capacity, costs and investment of all facilities of one kind."""

    stage: str = ""
    cost_spread: float = DEFAULT.utilisation_band
    """Width of the spread of unit costs inside a facility, as a share of its unit cost."""
    operating_memory: float = 1.0 / DEFAULT.operating_months
    """Weight of the current month in the margin operators act on."""
    margin_memory: float = 1.0 / DEFAULT.margin_months
    """Weight of the current month in the margins investors remember (about two years)."""

    def __init__(
        self,
        names: list[str],
        regions: np.ndarray,
        capacity: np.ndarray,
        unit_cost: np.ndarray,
        lead_months: int,
        rng: np.random.Generator,
    ) -> None:
        """Create a fleet.

        Args:
            names: Facility names, unique within the scenario.
            regions: Region index of each facility.
            capacity: Annual capacity of each facility.
            unit_cost: Operating cost per unit of output, US$/kg.
            lead_months: Months from an investment decision to new capacity.
            rng: The model's random generator (decision months are drawn from it).
        """
        super().__init__()
        self.names = list(names)
        self.region = np.asarray(regions, dtype=np.int64)
        self.capacity = np.asarray(capacity, dtype=float).copy()
        self.unit_cost = np.asarray(unit_cost, dtype=float).copy()
        self.lead_months = int(lead_months)
        size = len(self.names)
        self.pipeline = np.zeros((size, PIPELINE_MONTHS))
        """(facilities, months) capacity due to arrive in each month (slot ``tick % PIPELINE_MONTHS``), t/yr:
        a facility's row is contiguous, so the capacity phase sums a few facilities' rows without a gather."""
        self.margin = np.ones(size)
        self.full_margin = np.ones(size)
        """Investors' moving average of revenue over full cost (operating plus capital charge)."""
        self.capital_ratio = 0.0
        """Capital charge per unit of output as a multiple of the unit operating cost."""
        self.operating_margin = np.ones(size)
        self.output = np.zeros(size)
        self.decision_month = rng.integers(0, 12, size) if size else np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.names)

    def index_of(self, name: str) -> int | None:
        """Row of the facility called ``name``, or None."""
        try:
            return self.names.index(name)
        except ValueError:
            return None

    def arrive(self, tick: int) -> None:
        """Add the capacity that completes this month."""
        slot = tick % PIPELINE_MONTHS
        self.capacity = np.maximum(self.capacity + self.pipeline[:, slot], 0.0)
        self.pipeline[:, slot] = 0.0

    def ramp_to(self, row: int, target: float, tick: int, ramp_months: int) -> None:
        """Move one facility's capacity to ``target`` evenly over ``ramp_months`` from ``tick``."""
        pending = self.pipeline[row].sum()
        step = (target - self.capacity[row] - pending) / ramp_months
        for month in range(ramp_months):
            self.pipeline[row, (tick + month) % PIPELINE_MONTHS] += step

    def remember_margin(self, revenue_over_cost: np.ndarray, extra_cost: np.ndarray | float = 0.0) -> np.ndarray:
        """Fold this month's revenue over cost into the moving averages that operators (a few
        months) and investors (about two years) look at, and return the share of capacity worth
        running on the operators' average.

        Investors also remember revenue over full cost, the capital charge included
        (``capital_ratio`` times the unit operating cost per unit of output); ``extra_cost`` is
        the part of the cost per unit other than the operating cost (feed, materials), so that
        cost is ``extra_cost + unit operating cost``. Refiners and magnet plants decide what to
        run on their cash margin instead: what they hold is already paid for.
        """
        cost = extra_cost + self.unit_cost
        full = revenue_over_cost * cost / (cost + self.capital_ratio * self.unit_cost)
        self.margin += self.margin_memory * (revenue_over_cost - self.margin)
        self.full_margin += self.margin_memory * (full - self.full_margin)
        self.operating_margin += self.operating_memory * (revenue_over_cost - self.operating_margin)
        return utilisation(self.operating_margin, self.cost_spread)

    def retire(self, life_years: float) -> None:
        """Capacity wears out: a ``1 / (12 life_years)`` share retires this month."""
        self.capacity *= 1.0 - 1.0 / (12.0 * life_years)

    def acquire(self, tick: int, ordered: np.ndarray, lead_months: int | None = None) -> None:
        """Put the capacity ordered for each facility (t/yr) in its pipeline, due after the
        fleet's lead time (or ``lead_months``)."""
        lead = self.lead_months if lead_months is None else lead_months
        self.pipeline[:, (tick + max(lead, 1)) % PIPELINE_MONTHS] += ordered

    @property
    def supply_line(self) -> float:
        """Capacity ordered and not yet arrived, t/yr, over the whole fleet."""
        return float(self.pipeline.sum())

    def by_region(self, values: np.ndarray, regions: int) -> np.ndarray:
        """Sum a per-facility quantity by region."""
        return np.bincount(self.region, weights=values, minlength=regions)


class FacilityAgent(mesa.Agent):
    """A facility: a Mesa agent that is one row of its fleet (the agent set that acts for it)."""

    def __init__(self, model: mesa.Model, fleet: Fleet, row: int) -> None:
        """Register the agent with the model.

        Args:
            model: The model.
            fleet: The fleet holding this facility's state.
            row: The facility's row in the fleet.
        """
        super().__init__(model)
        self.fleet = fleet
        self.row = row

    @property
    def name(self) -> str:
        """Facility name from the scenario."""
        return self.fleet.names[self.row]

    @property
    def region(self) -> str:
        """Region id the facility stands in."""
        return self.model.regions[self.fleet.region[self.row]]

    @property
    def capacity(self) -> float:
        """Current annual capacity."""
        return float(self.fleet.capacity[self.row])

    @property
    def output(self) -> float:
        """Output in the last month."""
        return float(self.fleet.output[self.row])
