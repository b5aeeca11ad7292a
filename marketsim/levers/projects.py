"""Supply projects outside today's fleet: exploration, permitting, construction, ramp-up.

Each project is a row of its stage's fleet (mines, separation plants or magnet plants) that
starts with no capacity. Every month a developer compares the revenue it expects per kg of
output (moving averages of producer prices, raised to any price floor or offtake guarantee)
with the cost of producing it, capital included at a cost of capital with a risk premium
(lowered by public loans and equity). Where the economics clear the project advances one
month; where they do not it stalls, and a project stalled for ``projects.stall_years`` is
abandoned. Capital already spent is sunk: only what remains counts. At the end of ramp-up the
fleet row reaches its full capacity. All arrays are over projects; nothing loops per tick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from marketsim.market.pricing import producer_price
from marketsim.market.valuation import netback_values
from marketsim.policy.events import Offtake, ProjectEquity, ProjectLoan
from marketsim.scenario.levers import PHASES
from marketsim.vocabulary import CONCENTRATE, DYTB, LACE, MAGNET, NDPR, STAGES
from marketsim.world.build import deposit_matrix

if TYPE_CHECKING:
    from marketsim.scenario.schema import Scenario
    from marketsim.world.state import World

RAMP_UP, OPERATING, ABANDONED = 3, 4, 5
"""Phase codes after exploration (0), permitting (1) and construction (2)."""
PUBLIC_SHARE_CAP = 0.9
"""Loans and equity together finance at most this share of a project."""


def annuity_factor(rate: np.ndarray, years: float) -> np.ndarray:
    """Share of a capital sum to recover each year over ``years`` at ``rate`` (capital recovery
    factor; ``1 / years`` at a rate of 0)."""
    rate = np.asarray(rate, dtype=float)
    safe = np.where(rate > 1e-9, rate, 1.0)
    factor = safe / (1.0 - (1.0 + safe) ** -years)
    return np.where(rate > 1e-9, factor, 1.0 / years)


class ProjectPipeline:
    """The scenario's supply projects, their phase and their developers' expectations."""

    def __init__(self, scenario: Scenario, regions: dict[str, int], fleets: dict[str, object]) -> None:
        """Create the pipeline.

        Args:
            scenario: The validated scenario (its ``pipeline`` and ``projects`` sections).
            regions: Region id to index.
            fleets: Stage name to the fleet that holds that stage's facilities.
        """
        specs, params = scenario.pipeline, scenario.projects
        self.params = params
        self.fleets = fleets
        self.region_index = dict(regions)
        self.names = [p.name for p in specs]
        self.index = {name: i for i, name in enumerate(self.names)}
        size = len(specs)
        self.region = np.array([regions[p.region] for p in specs], dtype=np.int64)
        self.stage = np.array([STAGES.index(p.stage) for p in specs], dtype=np.int64)
        self.row = np.array([fleets[p.stage].index_of(p.name) for p in specs], dtype=np.int64)
        self.capacity = np.array([p.capacity for p in specs], dtype=float)
        self.capital = np.array([p.capital_cost for p in specs], dtype=float)
        self.heavy = np.array([p.heavy_circuit for p in specs], dtype=bool)
        self.feed_cost = np.array([np.nan if p.feed_cost is None else p.feed_cost for p in specs], dtype=float)
        """(projects,) cost of a kg of own feed (integrated projects), NaN where feed is bought."""
        deposits = deposit_matrix(scenario)
        self.composition = np.array(
            [deposits[p.deposit] if p.stage == "mining" else np.zeros(4) for p in specs]
        ).reshape(size, 4)
        months = np.zeros((size, len(PHASES)))
        for i, p in enumerate(specs):
            default = params.mine_phase_years if p.stage == "mining" else params.plant_phase_years
            years = {**default, **p.phase_years}
            months[i] = [round(12 * years.get(phase, 0.0)) for phase in PHASES]
        self.months = months
        shares = np.array([params.capital_shares.get(phase, 0.0) for phase in PHASES])[None, :] * (months > 0)
        total = shares.sum(axis=1, keepdims=True)
        self.capital_share = np.divide(shares, total, out=np.zeros_like(shares), where=total > 0)
        self.phase = np.array([PHASES.index(p.phase) for p in specs], dtype=np.int64)
        self.done = np.zeros(size)
        self.stalled = np.zeros(size)
        first = np.arange(len(PHASES))[None, :] < self.phase[:, None]
        self.spent = (self.capital_share * first).sum(axis=1)
        self.viable = np.zeros(size, dtype=bool)
        self._ramping = np.zeros(size, dtype=bool)
        self.expected: np.ndarray | None = None
        self.expected_regional: np.ndarray | None = None
        self.expected_payable: np.ndarray | None = None
        self._support_key: tuple | None = None
        self._skip_empty_phases(-1)
        for i in np.flatnonzero(self.phase == RAMP_UP):
            if self.done[i] == 0.0 and not self._ramping[i]:
                self._start_ramp(i, -1)

    def __len__(self) -> int:
        return len(self.names)

    # ----------------------------------------------------------------- support
    def support(self, policies: tuple, regions: int) -> dict[str, np.ndarray]:
        """Public de-risking of each project from the loans, equity and offtakes in force.

        Returns:
            Arrays over projects: ``loan_share``, ``loan_rate``, ``equity_share``,
            ``offtake_price``, ``offtake_share``; and (projects, regions) ``capital_payer``
            (share of capital each government pays) and ``offtake_payer``.
        """
        if self._support_key is policies:
            return self._support
        size = len(self)
        out = {
            key: np.zeros(size) for key in ("loan_share", "loan_rate", "equity_share", "offtake_price", "offtake_share")
        }
        out["capital_payer"] = np.zeros((size, regions))
        out["offtake_payer"] = np.zeros((size, regions))
        rate_weight = np.zeros(size)
        for event in policies:
            i = self.index.get(getattr(event, "project", None))
            if i is None:
                continue
            payer = self.region_index[event.region]
            if isinstance(event, ProjectLoan):
                out["loan_share"][i] += event.share
                rate_weight[i] += event.share * event.rate
                out["capital_payer"][i, payer] += event.share
            elif isinstance(event, ProjectEquity):
                out["equity_share"][i] += event.share
                out["capital_payer"][i, payer] += event.share
            elif isinstance(event, Offtake) and event.price >= out["offtake_price"][i]:
                out["offtake_price"][i], out["offtake_share"][i] = event.price, event.share
                out["offtake_payer"][i] = 0.0
                out["offtake_payer"][i, payer] = 1.0
        public = out["loan_share"] + out["equity_share"]
        scale = np.minimum(1.0, PUBLIC_SHARE_CAP / np.maximum(public, 1e-12))
        for key in ("loan_share", "equity_share", "capital_payer"):
            out[key] = out[key] * (scale[:, None] if out[key].ndim == 2 else scale)
        out["loan_rate"] = np.divide(rate_weight, np.maximum(out["loan_share"] / scale, 1e-12))
        self._support_key, self._support = policies, out
        return out

    # ----------------------------------------------------------------- expectations
    def expect(self, producer: np.ndarray, regional: np.ndarray, payable: np.ndarray) -> None:
        """Fold this month's producer prices (floors included), regional prices and concentrate
        payable shares into developers' expectations."""
        if self.expected is None:
            self.expected, self.expected_regional = producer.copy(), regional.copy()
            self.expected_payable = payable.copy()
            return
        weight = 1.0 / self.params.expectation_months
        self.expected += weight * (producer - self.expected)
        self.expected_regional += weight * (regional - self.expected_regional)
        self.expected_payable += weight * (payable - self.expected_payable)

    def unit_margin(
        self, world: World, support: dict[str, np.ndarray], unit_cost: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Expected revenue and operating cost per kg of output of each project, US$/kg.

        Args:
            world: The world (mixes, recipe, policies in force).
            support: From :meth:`support`.
            unit_cost: (projects,) operating cost after learning, standards and subsidies.
        """
        floor = world.frictions.floor
        expected = producer_price(self.expected, floor)
        r = self.region
        guarantee, share = support["offtake_price"], support["offtake_share"]
        netback = netback_values(world, expected)[0]
        recovery = world.scenario.separation_recovery
        mix = world.world_mix
        revenue = np.zeros(len(self))
        cost = unit_cost.copy()
        ndpr_gap = share * np.maximum(guarantee - expected[NDPR, r], 0.0)
        mining = self.stage == 0
        payable = self.expected_payable[r]
        revenue[mining] = np.maximum((payable * (self.composition @ netback))[mining], floor[CONCENTRATE, r][mining])
        revenue[mining] += (payable * self.composition[:, 1] * ndpr_gap)[mining]
        separating = self.stage == 1
        oxides = mix[0] * expected[LACE, r] + mix[1] * expected[NDPR, r] + self.heavy * mix[2] * expected[DYTB, r]
        revenue[separating] = (recovery * (oxides + mix[1] * ndpr_gap))[separating]
        feed = np.where(np.isnan(self.feed_cost), self.expected_regional[CONCENTRATE, r], self.feed_cost)
        cost[separating] += feed[separating]
        magnets = self.stage == 2
        magnet_gap = share * np.maximum(guarantee - expected[MAGNET, r], 0.0)
        revenue[magnets] = (expected[MAGNET, r] + magnet_gap)[magnets]
        recipe = world.scenario.goods.magnet
        inputs = (
            recipe.ndpr_per_tonne * self.expected_regional[NDPR, r]
            + recipe.dytb_per_tonne * self.expected_regional[DYTB, r]
        )
        cost[magnets] += inputs[magnets]
        return revenue, cost

    def capital_charge(self, support: dict[str, np.ndarray]) -> np.ndarray:
        """(projects,) capital still to spend, per kg of annual output and year, US$/kg."""
        p = self.params
        loan, equity = support["loan_share"], support["equity_share"]
        rate = (
            (1.0 - loan - equity) * (p.discount_rate + p.risk_premium)
            + loan * support["loan_rate"]
            + equity * p.public_rate
        )
        remaining = self.capital * (1.0 - self.spent)
        return remaining * 1000.0 / self.capacity * annuity_factor(rate, p.life_years)

    # ----------------------------------------------------------------- the month
    def advance(self, world: World, tick: int, unit_cost: np.ndarray) -> np.ndarray:
        """Decide, advance or stall every project for one month.

        Args:
            world: The world.
            tick: This month.
            unit_cost: (projects,) operating cost each would face now, US$/kg.

        Returns:
            (regions,) public money paid out this month for project capital, US$ million.
        """
        regions = world.size
        if not (self.phase < OPERATING).any():
            return np.zeros(regions)
        support = self.support(world.frictions.project_support, regions)
        revenue, cost = self.unit_margin(world, support, unit_cost)
        self.viable = revenue >= cost + self.capital_charge(support)
        developing = self.phase < RAMP_UP
        going = (developing & self.viable) | (self.phase == RAMP_UP)
        stalling = developing & ~self.viable
        self.stalled = np.where(stalling, self.stalled + 1, np.where(going, 0.0, self.stalled))
        phase = np.minimum(self.phase, RAMP_UP)
        monthly = np.where(
            going,
            self.capital_share[np.arange(len(self)), phase] / np.maximum(self.months[np.arange(len(self)), phase], 1.0),
            0.0,
        )
        self.spent = np.minimum(self.spent + monthly, 1.0)
        paid = (monthly * self.capital)[:, None] * support["capital_payer"]
        self.done += going
        self.phase[stalling & (self.stalled >= 12 * self.params.stall_years)] = ABANDONED
        self._skip_empty_phases(tick)
        return paid.sum(axis=0)

    def _start_ramp(self, i: int, tick: int) -> None:
        """Schedule a project's capacity to build up evenly over its ramp-up, from next month."""
        fleet = self.fleets[STAGES[self.stage[i]]]
        fleet.ramp_to(int(self.row[i]), float(self.capacity[i]), tick + 1, max(int(self.months[i, RAMP_UP]), 1))
        self._ramping[i] = True

    def _skip_empty_phases(self, tick: int) -> None:
        """Move projects whose phase is complete to the next; start ramping capacity on entry
        into ramp-up (from next month)."""
        rows = np.arange(len(self))
        for _ in range(len(PHASES)):
            active = self.phase < OPERATING
            finished = active & (self.done >= self.months[rows, np.minimum(self.phase, RAMP_UP)])
            if not finished.any():
                return
            for i in np.flatnonzero(finished):
                self.phase[i] += 1
                self.done[i] = 0.0
                self.spent[i] = self.capital_share[i, : self.phase[i]].sum()
                if self.phase[i] == RAMP_UP:
                    self._start_ramp(i, tick)

    def counts(self, regions: int) -> np.ndarray:
        """(7, regions) projects by phase (exploration, permitting, construction, ramp-up,
        operating, abandoned) and, last, those stalled this month."""
        cells = self.phase * regions + self.region  # one count per (phase, region) cell
        out = np.bincount(cells, minlength=7 * regions).reshape(7, regions).astype(float)
        stalled = (self.phase < RAMP_UP) & ~self.viable
        out[6] = np.bincount(self.region[stalled], minlength=regions)
        return out
