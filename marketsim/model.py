"""RareEarthModel: owns a World built from a scenario; its step() is the month, phase by phase."""

from __future__ import annotations

import bisect

import mesa
import numpy as np

from marketsim.agents.government import Government
from marketsim.governance import rounds as governance
from marketsim.governance.strategies import build_strategy
from marketsim.levers.diversification import Levers
from marketsim.policy import schedule
from marketsim.policy.book import PolicyBook, in_force
from marketsim.policy.events import ONE_OFF_EVENTS
from marketsim.reports.metrics import Recorder
from marketsim.scenario.schema import Scenario
from marketsim.vocabulary import month_index, month_label
from marketsim.world import phases
from marketsim.world.build import build_world
from marketsim.world.capacity import wear_out
from marketsim.world.flows import Month, material_balance
from marketsim.world.state import World


def _strategy(spec):
    """The controller a scenario's strategy spec describes (None: scripted, no decisions)."""
    return build_strategy(spec) if spec is not None and spec.kind != "scripted" else None


class RareEarthModel(mesa.Model):
    """The rare-earth supply chain: mines, separation, magnets, end use and governments.

    One tick is one month. The state of the chain is one :class:`~marketsim.world.state.World`
    (``self.world``); :meth:`step` runs the month's phases over it. All randomness comes from
    ``self.rng``, seeded by ``seed``.
    """

    def __init__(
        self, scenario: Scenario, *, seed: int | None = None, years: int | None = None, buyers_per_cell: int = 1
    ) -> None:
        """Build the world.

        Args:
            scenario: A validated scenario.
            seed: Random seed; the scenario's own seed when None.
            years: Length of the run; the scenario's when None.
            buyers_per_cell: End users per (sector, region), for scaling experiments.
        """
        self.seed_used = scenario.scenario.seed if seed is None else int(seed)
        super().__init__(rng=self.seed_used)
        s = self.config = scenario
        self.regions = list(s.regions)
        self.region_index = {name: i for i, name in enumerate(self.regions)}
        self.china = self.region_index.get("china", -1)
        self.months = (s.scenario.years if years is None else int(years)) * 12
        self.start_month = s.start_month
        self.tick = 0
        self.book = PolicyBook(
            self.regions, {k: a.members for k, a in s.alliances.items()}, list(s.sectors), dict(s.alliances)
        )
        self.world: World = build_world(s, self.rng, self.months, self.book.compile([]), buyers_per_cell)
        self.world.enlist(self)
        self.governments = {
            name: Government(self, name, _strategy(r.strategy), r.budget) for name, r in s.regions.items()
        }
        self.decisions: list = []
        self.refused_joins: list = []
        self.alliance_log: list = [(0, name, member, "join") for name, a in s.alliances.items() for member in a.members]
        """(tick, alliance, region, "join" or "leave"): membership over time."""
        self.events = sorted(s.events, key=lambda e: month_index(e.start))
        self.event_log: list = []
        weights = [1.0, 1.0, 1.0, 1.0, self.world.magnet_plants.reo_per_magnet]
        self.recorder = Recorder(self.months, self.regions, self.china, np.array(weights))
        self.levers = Levers(self.world)
        self.policies_in_force = in_force(self.timed_events(), self.start_month, month_index)
        self.frictions = self.book.compile(self.policies_in_force)

    # ----------------------------------------------------------------- events
    def timed_events(self) -> list:
        """Scheduled events that hold a policy in force (not one-off acts)."""
        return [e for e in self.events if not isinstance(e, ONE_OFF_EVENTS)]

    def submit(self, event) -> None:
        """Schedule a policy or shock event (e.g. from a player or a strategy)."""
        unknown = [r for r in event.regions() if r not in self.region_index]
        if unknown:
            raise ValueError(f"event names unknown region(s): {', '.join(unknown)}")
        events = list(self.events)  # a new list: the schedule's caches notice the change
        bisect.insort(events, event, key=lambda e: month_index(e.start))  # after those starting the same month
        self.events = events

    def assign_controller(self, region: str, controller) -> None:
        """Hand a government to an external controller (anything with ``decide(observation)``),
        or back to its scenario strategy with None."""
        government = self.governments[region]
        government.controller = _strategy(self.config.regions[region].strategy) if controller is None else controller
        government.export_history = []

    # ----------------------------------------------------------------- the month
    def step(self) -> None:
        """Advance one month: governments act, then the month's phases run over the world."""
        if self.tick >= self.months:
            self.running = False
            return
        world, tick, rng = self.world, self.tick, self.rng
        self.govern()
        if tick > 0:
            wear_out(world, self.config.dynamics.capacity)  # last month's wear
        for fleet in world.facilities:
            fleet.arrive(tick)
        self.levers.set_costs(world)
        month = phases.open_month(world, tick)
        phases.produce(world, month, rng)  # mines
        phases.separate(world, month)  # separation plants
        planned = phases.plan_magnets(world, month, rng)  # magnet plants and end users plan
        phases.make_magnets(world, month, planned)  # ... and draw on their stock
        phases.recycle(world, month)  # recyclers; end users' magnets start their life
        phases.trade(world, month)  # the market clears
        phases.reprice(world, month)
        phases.adapt(world, month)  # end users and magnet plants thrift
        phases.invest(world, month)  # capacity on expected demand
        state_purchases = month.clearing.received * month.to_state
        self.levers.after_month(world, tick, month.produced, month.market_posted, state_purchases)
        self.record(month)
        self.tick += 1
        self.running = self.tick < self.months

    def govern(self) -> None:
        """Governments refill their budgets each year, shocks strike, each round governments
        decide, and the policy schedule puts this month's events in force."""
        if self.tick % 12 == 0:
            for government in self.governments.values():
                government.new_year()
        governance.draw_shocks(self)
        governance.play_round(self)
        schedule.apply_events(self, self.tick)

    def record(self, month: Month) -> None:
        """Store the month's prices, flows, stocks, capacities and policy figures."""
        world, size = self.world, len(self.regions)
        balance, magnet_balance = material_balance(world, month)
        consumed, ledger = month.consumed, world.ledger
        capacity = world.by_region([fleet.capacity for fleet in world.facilities])
        self.recorder.store(
            month.tick,
            price=world.prices.regional,
            seller_price=world.prices.seller,
            production=month.produced,
            separated=month.separated,
            consumption=consumed,
            use=consumed + month.into_magnets + month.taken,
            unmet=month.sector_need - consumed,
            stock=ledger.seller.amount + ledger.buyer.amount,
            stockpile=ledger.stockpile.amount,
            flows=month.clearing.flows,
            consumed_china=month.content[:, :, :3] * consumed[:, :, None],
            capacity=capacity,
            recycled=month.recycled,
            end_of_life=month.end_of_life,
            scrap_generated=np.add.reduce(month.scrap, axis=0),
            scrap_recycled=month.scrap_recycled,
            allies=np.add.reduce(world.frictions.ally, axis=1),
            balance_error=balance,
            magnet_balance_error=magnet_balance,
            burden=self.levers.burden,
            public_spending=self.levers.spending,
            unit_cost=self.levers.unit_costs(world, capacity),
            projects=self.levers.projects.counts(size),
            contract_price=world.contracts.price,
            licence_premium=month.licence_premium,
            smuggled=month.smuggled,
            smuggled_in=month.smuggled_in,
            fundamentalists=world.expectations.fundamentalists,
            undocumented=world.managed.undocumented(month.mined),
        )

    # ----------------------------------------------------------------- the world, by name
    # Other packages (governance, game, reports, viz) read these; they are the World's.
    @property
    def frictions(self):
        """The policies in force, compiled (the World's)."""
        return self.world.frictions

    @frictions.setter
    def frictions(self, value) -> None:
        self.world.frictions = value

    @property
    def stockpile_orders(self) -> list[list]:
        """Open state purchases and releases (the World's)."""
        return self.world.stockpile_orders

    @property
    def prices(self):
        """The price book (the World's)."""
        return self.world.prices

    @property
    def ledger(self):
        """Stocks of every good in every region (the World's)."""
        return self.world.ledger

    @property
    def reference(self):
        """(goods,) reference prices (the World's)."""
        return self.world.reference

    @property
    def mines(self):
        """The mines' agent set (the World's)."""
        return self.world.mines

    @property
    def refiners(self):
        """The separation plants' agent set (the World's)."""
        return self.world.refiners

    @property
    def magnet_plants(self):
        """The magnet plants' agent set (the World's)."""
        return self.world.magnet_plants

    @property
    def recyclers(self):
        """The recyclers' agent set (the World's)."""
        return self.world.recyclers

    @property
    def manufacturers(self):
        """The end users' agent set (the World's)."""
        return self.world.manufacturers

    @property
    def reo_per_magnet(self) -> float:
        """REO in a tonne of finished magnet at the base recipe, t."""
        return self.world.magnet_plants.reo_per_magnet

    def expected_rise(self):
        """(goods, regions) log change of regional prices over the last three months."""
        return self.world.expected_rise()

    # ----------------------------------------------------------------- reading
    def date_of(self, tick: int) -> str:
        """Calendar month (YYYY-MM) of a tick."""
        return month_label(self.start_month + tick)

    @property
    def date(self) -> str:
        """Calendar month of the next tick to run."""
        return self.date_of(self.tick)

    def run(self, progress=None) -> None:
        """Run to the end; call ``progress(ticks_done)`` after each tick when given."""
        while self.running and self.tick < self.months:
            self.step()
            if progress is not None:
                progress(self.tick)

    def results(self):
        """The recorded ticks as a tidy long pandas table (see docs/metrics.md)."""
        return self.recorder.to_frame([self.date_of(t) for t in range(self.months)], self.tick)
