"""The diversification levers in one place: supply projects, learning curves, environmental
standards, collection schemes, and the public money governments spend on all their levers.

:class:`Levers` owns the :class:`~marketsim.levers.projects.ProjectPipeline`, the
:class:`~marketsim.levers.learning.Learning` curves and the :class:`~marketsim.levers.environment.Environment`.
The world calls :meth:`Levers.set_costs` before each month (unit costs from learning, standards
and offtake guarantees) and :meth:`Levers.after_month` after it (experience, burden, projects,
collection, spending).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from marketsim.levers.environment import Environment
from marketsim.levers.learning import Learning
from marketsim.levers.projects import OPERATING, RAMP_UP, ProjectPipeline
from marketsim.market.pricing import producer_price
from marketsim.vocabulary import CONCENTRATE, LEARNING_STAGES, MAGNET, NDPR, POLICY_STAGES, STAGES

if TYPE_CHECKING:
    from marketsim.world.state import World

MIN_COST_SHARE = 0.05
"""Unit cost never falls below this share of a facility's starting cost (offtake top-ups)."""


class Levers:
    """Projects, learning, standards and public spending of a world."""

    def __init__(self, world: World) -> None:
        """Build the levers' state from the world's scenario and fleets."""
        s, size = world.scenario, world.size
        self.fleets = dict(
            zip(POLICY_STAGES, (world.mines, world.refiners, world.magnet_plants, world.recyclers), strict=True)
        )
        self.base_cost = {k: f.unit_cost.copy() for k, f in self.fleets.items()}
        capacity = np.array([self.fleets[k].by_region(self.fleets[k].capacity, size) for k in LEARNING_STAGES])
        years = np.array(
            [
                s.learning.experience_years if r.experience_years is None else r.experience_years
                for r in s.regions.values()
            ]
        )
        self.learning = Learning(s.learning, capacity, years)
        standards = np.array(
            [[r.standards.get(k, s.environment.default_standard) for r in s.regions.values()] for k in POLICY_STAGES]
        )
        self.environment = Environment(s.environment, standards)
        self.projects = ProjectPipeline(s, world.region_index, {k: self.fleets[k] for k in STAGES})
        self.multiplier = np.ones((len(POLICY_STAGES), size))
        self.spending = np.zeros(size)
        self.burden = np.zeros(size)
        self.topup = np.zeros(len(self.projects))
        p = self.projects
        self._by_stage = [(k, p.stage == k, p.row[p.stage == k]) for k in range(len(STAGES)) if (p.stage == k).any()]
        self.project_base = np.zeros(len(p))
        for k, rows, cells in self._by_stage:
            self.project_base[rows] = self.base_cost[STAGES[k]][cells]
        self._compiled = None
        self._subsidised = False
        self._offtakes = False
        self._mean_base = np.array([float(b.mean()) if len(b) else 0.0 for b in self.base_cost.values()])[:, None]
        self._developing = len(self.projects) > 0

    # ----------------------------------------------------------------- before the month
    def set_costs(self, world: World) -> None:
        """Set every facility's unit cost: starting cost times the learning multiplier, plus the
        cost of standards raised since the start, minus any offtake top-up."""
        f = world.frictions
        changed = f is not self._compiled
        if changed:
            self._compiled = f
            self.environment.set_standards(f.standard)
            self._subsidised = bool((f.cost_share < 1.0).any())
            self._offtakes = bool(f.project_support) and any(e.type == "offtake" for e in f.project_support)
        self.multiplier[1:] = self.learning.multiplier
        extra = self.environment.extra_cost
        for k, (stage, fleet) in enumerate(self.fleets.items()):
            if k or changed:  # mining does not learn: its cost moves only with standards
                fleet.unit_cost = self.base_cost[stage] * self.multiplier[k][fleet.region] + extra[k][fleet.region]
        if self._offtakes:
            self._offtake_topup(world)

    def _offtake_topup(self, world: World) -> None:
        """Lower running projects' unit cost by what their offtake guarantee pays per kg."""
        p = self.projects
        support = p.support(world.frictions.project_support, world.size)
        self.topup = np.zeros(len(p))
        running = (p.phase >= RAMP_UP) & (p.phase <= OPERATING) & (support["offtake_share"] > 0)
        if not np.logical_or.reduce(running, None):
            return
        posted = producer_price(world.prices.seller, world.frictions.floor)
        r = p.region
        gap = support["offtake_share"] * np.maximum(support["offtake_price"] - posted[NDPR, r], 0.0)
        payable = world.prices.markup[CONCENTRATE, r]
        content = np.where(
            p.stage == 0, payable * p.composition[:, 1], world.scenario.separation_recovery * world.world_mix[1]
        )
        magnet_gap = support["offtake_share"] * np.maximum(support["offtake_price"] - posted[MAGNET, r], 0.0)
        self.topup = np.where(running, np.where(p.stage == 2, magnet_gap, gap * content), 0.0)
        for k, rows, cells in self._by_stage:
            fleet = self.fleets[STAGES[k]]
            fleet.unit_cost[cells] = np.maximum(
                fleet.unit_cost[cells] - self.topup[rows], MIN_COST_SHARE * self.project_base[rows]
            )

    def project_costs(self, world: World) -> np.ndarray:
        """(projects,) operating cost each project would face now, after learning, standards
        and subsidies, US$/kg."""
        p = self.projects
        cost = self.project_base * self.multiplier[p.stage, p.region] + self.environment.extra_cost[p.stage, p.region]
        return cost * world.frictions.cost_share[p.stage, p.region]

    # ----------------------------------------------------------------- after the month
    def after_month(
        self, world: World, tick: int, produced: np.ndarray, posted: np.ndarray, state_purchases: np.ndarray
    ) -> None:
        """Learn, count the burden, move projects and collection on, and add up public spending.

        Args:
            world: The world.
            tick: This month.
            produced: (goods, regions) this month's output.
            posted: (goods, regions) producer prices this month (floors not included).
            state_purchases: (goods, regions) t received into state stockpiles this month.
        """
        f, size = world.frictions, world.size
        output = world.by_region([fleet.output for fleet in self.fleets.values()])
        self.learning.accumulate(output[1:], f.research, f.research_sharing, f.tech_factor)
        self.burden = np.add.reduce(self.environment.burden(output), axis=0)
        spending = np.add.reduce(f.research, axis=0) / 12.0
        spending += np.add.reduce(state_purchases * world.prices.regional, axis=0) / 1000.0
        if np.logical_or.reduce(f.floor, None):
            spending += np.add.reduce(np.maximum(f.floor - posted, 0.0) * produced, axis=0) / 1000.0
        if self._subsidised:
            for k, fleet in enumerate(self.fleets.values()):
                paid = (1.0 - f.cost_share[k, fleet.region]) * fleet.unit_cost * fleet.output / 1000.0
                spending += fleet.by_region(paid, size)
        spending += self._collect(world, f)
        if self._developing:
            p = self.projects
            producer = producer_price(posted, f.floor)
            p.expect(producer, world.prices.regional, world.prices.markup[CONCENTRATE])
            spending += p.advance(world, tick, self.project_costs(world))
            self._developing = bool(np.logical_or.reduce(p.phase < OPERATING, None)) or self._offtakes
        if self._offtakes and np.logical_or.reduce(self.topup, None):
            p = self.projects
            support = p.support(f.project_support, size)
            outputs = np.zeros(len(p))
            for k, rows, cells in self._by_stage:
                outputs[rows] = self.fleets[STAGES[k]].output[cells]
            spending += (self.topup * outputs / 1000.0) @ support["offtake_payer"]
        self.spending = spending

    def _collect(self, world: World, f) -> np.ndarray:
        """Build collection towards the schemes' targets; return what the schemes paid, US$ m."""
        recyclers = world.recyclers
        paid = np.zeros(world.size)
        target = f.collection_target[recyclers.region]
        active = ~np.isnan(target)
        if not np.logical_or.reduce(active, None):
            return paid
        months = 12.0 * world.scenario.recycling.collection_build_years
        rise = np.where(active, np.maximum(np.nan_to_num(target) - recyclers.collection_rate, 0.0) / months, 0.0)
        recyclers.collection_rate += rise
        collected = recyclers.available / max(recyclers.recovery_rate, 1e-12)
        cost = np.where(active, collected * f.collection_payment[recyclers.region] / 1000.0, 0.0)
        return recyclers.by_region(cost, world.size)

    # ----------------------------------------------------------------- reading
    def unit_costs(self, world: World, capacity: np.ndarray | None = None) -> np.ndarray:
        """(stages, regions) capacity-weighted unit cost of each stage in each region; where a
        region has no capacity, the world's mean starting cost under its learning and standards.
        ``capacity``: the (stages, regions) capacity by region when the caller has it (computed here when None)."""
        fallback = self._mean_base * self.multiplier + self.environment.extra_cost
        fleets = self.fleets.values()  # the world's facilities, upstream first
        if capacity is None:
            capacity = world.by_region([fleet.capacity for fleet in fleets])
        cost = world.by_region([fleet.capacity * fleet.unit_cost for fleet in fleets])
        return np.divide(cost, capacity, out=fallback, where=capacity > 0)
