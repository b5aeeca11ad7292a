"""RareEarthModel: builds the world from a scenario and orders each monthly tick."""

from __future__ import annotations

import mesa
import numpy as np

from marketsim.agents import Government, MagnetPlant, Manufacturer, Mine, Recycler, Refiner
from marketsim.governance import rounds as governance
from marketsim.governance.strategies import build_strategy
from marketsim.levers.diversification import Levers
from marketsim.market import valuation
from marketsim.market.clearing import clear, cut_off_by_controls
from marketsim.policy import schedule
from marketsim.policy.book import PolicyBook, in_force
from marketsim.policy.events import ONE_OFF_EVENTS
from marketsim.reports.metrics import Recorder
from marketsim.scenario.schema import Scenario
from marketsim.vocabulary import (
    CHINA_MAGNETS,
    CHINA_MINED,
    CHINA_SEPARATED,
    CONCENTRATE,
    DYTB,
    ELEMENTS,
    GOODS,
    MAGNET,
    NDPR,
    OXIDE_ROWS,
    REO_GOODS,
    TRACERS,
    month_index,
    month_label,
)
from marketsim.world import build as world
from marketsim.world.initial import FEED_COVER_MONTHS, fill_initial_stocks
from marketsim.world.ledger import Ledger

RESTOCK_MONTHS = 3.0
"""Buyers close a third of the gap between their stock and its target each month."""
DY_FREE_SHARE = 0.3
"""Share of magnet output that can be made in Dy-free grades when Dy/Tb runs short (REF §8:
consumer grades use none)."""
ORDERS_MEMORY = 0.3
"""Weight of the current month in producers' moving average of the orders they receive."""


class RareEarthModel(mesa.Model):
    """The rare-earth supply chain: mines, separation, magnets, end use and governments.

    One tick is one month. All randomness comes from ``self.rng``, seeded by ``seed``.
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
        self.config = scenario
        self.regions = list(scenario.regions)
        self.region_index = {name: i for i, name in enumerate(self.regions)}
        self.china = self.region_index.get("china", -1)
        self.months = (scenario.scenario.years if years is None else int(years)) * 12
        self.start_month = scenario.start_month
        self.tick = 0
        self._build(buyers_per_cell)
        self.policies_in_force = in_force(self.timed_events(), self.start_month, month_index)
        self.frictions = self.book.compile(self.policies_in_force)

    # ----------------------------------------------------------------- building
    def _build(self, buyers_per_cell: int) -> None:
        s, regions, rng = self.config, self.region_index, self.rng
        size = len(self.regions)
        self.reference = world.reference_price_by_good(s)
        self.mines = world.build_mines(s, regions, rng)
        self.refiners = world.build_refiners(s, regions, rng)
        self.magnet_plants = world.build_magnet_plants(s, regions, rng)
        self.manufacturers = world.build_manufacturers(s, regions, self.months, self.reference, buyers_per_cell)
        self.end_of_life = world.build_end_of_life(s, regions)
        self.reo_per_magnet = self.magnet_plants.reo_per_magnet
        self.recyclers = world.build_recyclers(
            s, regions, self.end_of_life, self.magnet_plants, self.manufacturers, rng
        )
        for fleet, kind in (
            (self.mines, Mine),
            (self.refiners, Refiner),
            (self.magnet_plants, MagnetPlant),
            (self.recyclers, Recycler),
        ):
            for row in range(len(fleet)):
                kind(self, fleet, row)
        sector_names = list(s.sectors)
        for row in range(len(self.manufacturers)):
            Manufacturer(self, self.manufacturers, row, sector_names[self.manufacturers.sector[row]])
        self.governments = {
            name: Government(self, name, spec.strategy, spec.budget) for name, spec in s.regions.items()
        }
        self.decisions: list = []
        self.refused_joins: list = []
        self.alliance_log: list = [(0, name, member, "join") for name, a in s.alliances.items() for member in a.members]
        """(tick, alliance, region, "join" or "leave"): membership over time."""
        self.tech_access = np.array([r.tech_access for r in s.regions.values()])

        self.book = PolicyBook(
            self.regions, {k: a.members for k, a in s.alliances.items()}, list(s.sectors), dict(s.alliances)
        )
        self.events = sorted(s.events, key=lambda e: month_index(e.start))
        self.policies_in_force: list = []
        self.frictions = self.book.compile([])
        self.stockpile_orders: list[list] = []
        self.event_log: list = []

        self.ledger = Ledger(len(GOODS), size)
        self.recorder = Recorder(
            self.months, self.regions, self.china, np.array([1.0, 1.0, 1.0, 1.0, self.reo_per_magnet])
        )
        self._mine_mix = world.regional_mine_mix(s, regions)
        self._world_mix = world.world_mine_mix(s)
        self.prices = valuation.initial_prices(self)
        self._price_memory = [self.prices.regional.copy() for _ in range(4)]
        fill_initial_stocks(self)
        self.levers = Levers(self)

    # ----------------------------------------------------------------- events
    def timed_events(self) -> list:
        """Scheduled events that hold a policy in force (not one-off acts)."""
        return [e for e in self.events if not isinstance(e, ONE_OFF_EVENTS)]

    def submit(self, event) -> None:
        """Schedule a policy or shock event (e.g. from a player or a strategy)."""
        unknown = [r for r in event.regions() if r not in self.region_index]
        if unknown:
            raise ValueError(f"event names unknown region(s): {', '.join(unknown)}")
        self.events = sorted([*self.events, event], key=lambda e: month_index(e.start))

    def assign_controller(self, region: str, controller) -> None:
        """Hand a government to an external controller (anything with ``decide(observation)``),
        or back to its scenario strategy with None."""
        government = self.governments[region]
        spec = self.config.regions[region].strategy
        if controller is None and spec.kind != "scripted":
            controller = build_strategy(spec)
        government.controller = controller
        government.export_history = []

    # ----------------------------------------------------------------- the tick
    def step(self) -> None:
        """Advance one month."""
        if self.tick >= self.months:
            self.running = False
            return
        if self.tick % 12 == 0:
            for government in self.governments.values():
                government.new_year()
        governance.draw_shocks(self)
        if self.tick > 0 and self.tick % self.config.scenario.round_months == 0:
            governance.play_round(self)
        schedule.apply_events(self, self.tick)
        for fleet in (self.mines, self.refiners, self.magnet_plants, self.recyclers):
            fleet.arrive(self.tick)
        self.levers.set_costs(self)
        self._simulate_month(self.tick, record=True)
        self.tick += 1
        self.running = self.tick < self.months

    def _simulate_month(self, tick: int, record: bool) -> None:
        size, f, ledger = len(self.regions), self.frictions, self.ledger
        seller, buyer = ledger.seller, ledger.buyer
        regional = self.prices.regional
        oxides_posted = np.maximum(self.prices.seller, f.floor)[OXIDE_ROWS].T
        values = valuation.feed_mix(self) * oxides_posted
        oxide_value, dytb_value = values[:, 0] + values[:, 1], values[:, 2]
        market_values = valuation.offered_mix(self) * oxides_posted
        market_oxides, market_dytb = market_values[:, 0] + market_values[:, 1], market_values[:, 2]
        self.prices.rebase(
            valuation.price_base(self, self.prices.seller, regional),
            valuation.price_ceiling(self, market_oxides, market_dytb),
        )
        market_posted = self.prices.seller.copy()
        posted = np.maximum(market_posted, f.floor)
        held_before = ledger.held(REO_GOODS)
        magnets_before = ledger.held([MAGNET])
        produced = np.zeros((len(GOODS), size))

        # Mining
        outage = self.rng.random(len(self.mines)) < self.config.market.outage_rate
        payable = posted[CONCENTRATE] / self.prices.base[CONCENTRATE]
        elements = self.mines.produce(
            payable,
            valuation.netback_values(self, posted),
            f.stage_cost_share("mining"),
            f.mining_quota,
            outage,
            valuation.unsold_brake(self, CONCENTRATE) * f.mine_available,
        )
        produced[CONCENTRATE] = mined = elements.sum(axis=1)
        tracer = np.zeros((len(GOODS), size, TRACERS))
        tracer[CONCENTRATE, :, ELEMENTS] = elements
        if self.china >= 0:
            tracer[CONCENTRATE, self.china, CHINA_MINED] = mined[self.china]
        seller.add(produced * (np.arange(len(GOODS)) == CONCENTRATE)[:, None], tracer)

        # Separation
        planned_feed = self.refiners.plan(
            market_oxides, market_dytb, regional[CONCENTRATE], f.stage_cost_share("separation")
        )
        used, oxides, lost = self.refiners.separate(
            oxide_value,
            dytb_value,
            f.stage_cost_share("separation"),
            buyer.amount[CONCENTRATE],
            buyer.tracer[CONCENTRATE][:, ELEMENTS],
        )
        taken = np.zeros((len(GOODS), size))
        taken[CONCENTRATE] = used
        feed_tracer = buyer.take(taken)[CONCENTRATE]
        mined_in_china = np.divide(feed_tracer[:, CHINA_MINED], used, out=np.zeros(size), where=used > 0)
        made = np.zeros((len(GOODS), size))
        made[OXIDE_ROWS] = oxides.T
        tracer = np.zeros((len(GOODS), size, TRACERS))
        tracer[:, :, CHINA_MINED] = made * mined_in_china
        if self.china >= 0:
            tracer[:, self.china, CHINA_SEPARATED] = made[:, self.china]
        seller.add(made, tracer)
        produced += made
        separated = made.sum(axis=0)

        # Magnet making and end use, both drawing on buyers' stock
        plants = self.magnet_plants
        stock_gap = self.config.market.seller_cover_months * self.orders[MAGNET] - seller.amount[MAGNET]
        orders = np.maximum(self.orders[MAGNET] + stock_gap / RESTOCK_MONTHS, 0.0)
        planned_magnets = plants.plan(
            posted[MAGNET], regional[NDPR], regional[DYTB], f.stage_cost_share("magnets"), orders
        )
        plan = plants.by_region(planned_magnets, size)
        noise = self._demand_noise() * f.demand_factor[self.manufacturers.sector]
        sector_need = self.manufacturers.plan_need(tick, regional, noise)
        need = sector_need.copy()
        need[NDPR] += plan * plants.ndpr_per_tonne
        need[DYTB] += plan * plants.dytb_per_tonne
        served, by_buyer = self.manufacturers.serve(buyer.amount, need)
        dytb_limit = served[DYTB] + (1.0 - served[DYTB]) * DY_FREE_SHARE
        magnets = plants.make(planned_magnets, np.minimum(served[NDPR], dytb_limit))
        consumed = self.manufacturers.consume(by_buyer)
        into_magnets = np.zeros((len(GOODS), size))
        into_magnets[NDPR] = magnets * plants.ndpr_per_tonne
        into_magnets[DYTB] = np.minimum(magnets, plan * served[DYTB]) * plants.dytb_per_tonne
        content = buyer.content()
        buyer.take(consumed + into_magnets)
        inputs = (content * into_magnets[:, :, None]).sum(axis=0)
        input_tonnes = into_magnets.sum(axis=0)
        per_magnet = np.divide(
            inputs, input_tonnes[:, None], out=np.zeros_like(inputs), where=input_tonnes[:, None] > 0
        )
        made = np.zeros((len(GOODS), size))
        made[MAGNET] = magnets
        tracer = np.zeros((len(GOODS), size, TRACERS))
        tracer[MAGNET, :, :CHINA_MAGNETS] = magnets[:, None] * per_magnet[:, :CHINA_MAGNETS]
        if self.china >= 0:
            tracer[MAGNET, self.china, CHINA_MAGNETS] = magnets[self.china]
        seller.add(made, tracer)
        produced += made

        # Recycling of end-of-life magnets and of this month's manufacturing scrap
        scrap = into_magnets * plants.scrap_share
        end_of_life = self.end_of_life.arriving(tick) * self.reo_per_magnet
        recycled, scrap_recycled, made = self._recycle(end_of_life, scrap, content, posted)
        produced += made
        self._remember_end_of_life(tick, record)

        # Orders for next month, then trade
        demand = self._buyer_demand(sector_need, plan, planned_feed)
        stockpile_buy, stockpile_release = self._stockpile_orders()
        total_demand = demand + stockpile_buy
        quality = valuation.concentrate_quality(self)
        offered = seller.amount.copy()
        result = clear(offered, total_demand, self.prices.seller, quality, f, self.config.market)
        to_state = np.divide(stockpile_buy, total_demand, out=np.zeros_like(total_demand), where=total_demand > 0)
        ledger.trade(result.flows, to_state)
        self.orders += ORDERS_MEMORY * (result.requested - self.orders)
        ledger.release(stockpile_release)

        self.prices.update(
            offered,
            result.requested,
            total_demand,
            cut_off_by_controls(result, total_demand, f),
            buyer.amount / np.maximum(self._target_stock, 1e-9),
            result.price_index,
            valuation.producers(self),
        )
        regional = self.prices.regional
        self._price_memory = [*self._price_memory[1:], regional.copy()]
        self.manufacturers.adapt(regional)
        plants.thrift(regional[DYTB], self.reference[DYTB])
        if record:
            self._invest(tick)
            self.levers.after_month(self, tick, produced, market_posted, result.flows.sum(axis=1) * to_state)
            direct = consumed.copy()
            direct[MAGNET] = 0.0
            in_magnets = into_magnets * (1.0 - plants.scrap_share)
            scrap_lost = scrap.sum() - scrap_recycled.sum()
            balance = (
                mined.sum()
                + recycled.sum()
                - direct[REO_GOODS].sum()
                - in_magnets.sum()
                - lost.sum()
                - scrap_lost
                - (ledger.held(REO_GOODS) - held_before)
            )
            magnet_balance = magnets.sum() - consumed[MAGNET].sum() - (ledger.held([MAGNET]) - magnets_before)
            self.recorder.store(
                tick,
                price=regional,
                seller_price=self.prices.seller,
                production=produced,
                separated=separated,
                consumption=consumed,
                use=consumed + into_magnets + taken,
                unmet=sector_need - consumed,
                stock=seller.amount + buyer.amount,
                stockpile=ledger.stockpile.amount,
                flows=result.flows,
                consumed_china=content[:, :, :3] * consumed[:, :, None],
                capacity=[
                    fleet.by_region(fleet.capacity, size)
                    for fleet in (self.mines, self.refiners, plants, self.recyclers)
                ],
                recycled=recycled,
                end_of_life=end_of_life,
                scrap_generated=scrap.sum(axis=0),
                scrap_recycled=scrap_recycled,
                allies=f.ally.sum(axis=1),
                balance_error=balance,
                magnet_balance_error=magnet_balance,
                burden=self.levers.burden,
                public_spending=self.levers.spending,
                unit_cost=self.levers.unit_costs(self),
                projects=self.levers.projects.counts(size),
            )

    # ----------------------------------------------------------------- helpers
    def _recycle(
        self, end_of_life: np.ndarray, scrap: np.ndarray, content: np.ndarray, posted: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Recover NdPr and Dy/Tb oxide from end-of-life magnets and manufacturing scrap into
        the seller pools.

        Args:
            end_of_life: (regions,) t REO in magnets reaching end of life.
            scrap: (goods, regions) t REO of manufacturing scrap this month.
            content: (goods, regions, tracers) tracer tonnes per tonne of the buyer pools the
                magnet plants drew on (scrap keeps its China-mined share).
            posted: (goods, regions) producer prices.

        Returns:
            ``(end_of_life, scrap, made)``: (regions,) t REO recovered from each feed, and the
            (goods, regions) oxide they made.
        """
        size = len(self.regions)
        plants = self.magnet_plants
        recipe = np.array([plants.ndpr_per_tonne, plants.base_dytb_per_tonne])
        split = recipe / recipe.sum()
        recovered_value = split[0] * posted[NDPR] + split[1] * posted[DYTB]
        scrap_reo = scrap.sum(axis=0)
        recycled, scrap_recycled = self.recyclers.recycle(
            end_of_life, recovered_value, self.frictions.stage_cost_share("recycling"), scrap_reo
        )
        made = np.zeros((len(GOODS), size))
        made[NDPR], made[DYTB] = recycled * split[0], recycled * split[1]
        tracer = np.zeros((len(GOODS), size, TRACERS))
        if scrap_recycled.any():
            from_scrap = scrap * np.divide(scrap_recycled, scrap_reo, out=np.zeros(size), where=scrap_reo > 0)
            made += from_scrap
            tracer[:, :, CHINA_MINED] = from_scrap * content[:, :, CHINA_MINED]
        if self.china >= 0:
            tracer[:, self.china, CHINA_SEPARATED] = made[:, self.china]
        self.ledger.seller.add(made, tracer)
        return recycled, scrap_recycled, made

    def _demand_noise(self) -> np.ndarray:
        sigma = self.config.market.demand_noise
        draws = self.rng.standard_normal(len(self.manufacturers))
        return np.exp(sigma * draws - 0.5 * sigma**2)

    def _remember_end_of_life(self, tick: int, record: bool) -> None:
        if not record:
            return
        m = self.manufacturers
        magnets = np.where(m.good == MAGNET, m.consumed, 0.0)
        sectors = self.end_of_life.memory.shape[1]
        key = m.sector * len(self.regions) + m.region
        used = np.bincount(key, weights=magnets, minlength=sectors * len(self.regions))
        self.end_of_life.record(tick, used.reshape(sectors, len(self.regions)))

    def expected_rise(self) -> np.ndarray:
        """(goods, regions) log change of regional prices over the last three months."""
        return np.log(self._price_memory[-1] / self._price_memory[0])

    def _buyer_demand(self, sector_need: np.ndarray, plan: np.ndarray, planned_feed: np.ndarray) -> np.ndarray:
        """What buyers order: next month's use plus a third of the gap to their target stock."""
        plants = self.magnet_plants
        plant_need = np.zeros_like(sector_need)
        plant_need[NDPR] = plan * plants.ndpr_per_tonne
        plant_need[DYTB] = plan * plants.dytb_per_tonne
        plant_need[CONCENTRATE] = self.refiners.by_region(planned_feed, len(self.regions))
        use = sector_need + plant_need
        target = self.manufacturers.target_stock(self.expected_rise()) + FEED_COVER_MONTHS * plant_need
        self._target_stock = target
        gap = target - self.ledger.buyer.amount
        return np.maximum(use + gap / RESTOCK_MONTHS, 0.0)

    def _stockpile_orders(self) -> tuple[np.ndarray, np.ndarray]:
        """This month's state purchases and releases from the open stockpile orders."""
        buy = np.zeros((len(GOODS), len(self.regions)))
        release = np.zeros_like(buy)
        for order in self.stockpile_orders:
            good, region, rate, _ = order
            (buy if rate > 0 else release)[good, region] += abs(rate)
            order[3] -= 1
        self.stockpile_orders = [o for o in self.stockpile_orders if o[3] > 0]
        return buy, release

    def _invest(self, tick: int) -> None:
        inv, rng = self.config.investment, self.rng
        self.mines.invest(tick, rng, inv.hurdle, inv.step)
        for fleet in (self.refiners, self.magnet_plants):
            readiness = self.tech_access[fleet.region] * self.frictions.tech_factor[fleet.region]
            fleet.invest(tick, rng, inv.hurdle, inv.step, readiness=readiness)
        self.recyclers.expand(tick)

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
