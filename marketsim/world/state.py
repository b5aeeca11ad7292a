"""The World: everything the month's phases read and write, in one object.

The model owns one World (``model.world``); the phases of the month (:mod:`marketsim.world.phases`)
take it, and the agent sets, the market and the levers read what they need from it. It is built
by :func:`marketsim.world.build.build_world`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa
import numpy as np

from marketsim.agents.magnet_plant import MagnetPlant, MagnetPlantFleet
from marketsim.agents.manufacturer import Manufacturer, ManufacturerFleet
from marketsim.agents.mine import Mine, MineFleet
from marketsim.agents.recycler import EndOfLife, Recycler, RecyclerFleet
from marketsim.agents.refiner import Refiner, RefinerFleet
from marketsim.governance.managed_supply import ManagedSupply
from marketsim.market.contracts import ContractBook
from marketsim.market.expectations import Expectations
from marketsim.market.pricing import PriceBook
from marketsim.policy.book import Frictions
from marketsim.scenario.schema import Scenario
from marketsim.world.ledger import Ledger


@dataclass(eq=False)
class World:
    """The state of the supply chain: agent sets, stocks, prices and the policies in force."""

    scenario: Scenario
    """The validated scenario the world was built from (its fixed parameters)."""
    regions: list[str]
    region_index: dict[str, int]
    china: int
    """Row of China (-1 when the scenario has none): tracers follow what passes through it."""
    reference: np.ndarray
    """(goods,) reference price of every good, US$/kg."""
    mines: MineFleet
    refiners: RefinerFleet
    magnet_plants: MagnetPlantFleet
    manufacturers: ManufacturerFleet
    recyclers: RecyclerFleet
    end_of_life: EndOfLife
    ledger: Ledger
    mine_mix: np.ndarray
    """(regions, 4) capacity-weighted element mix of each region's mines."""
    world_mix: np.ndarray
    """(4,) capacity-weighted element mix of all mines."""
    tech_access: np.ndarray
    """(regions,) access to processing technology (0 to 1)."""
    frictions: Frictions
    """The trade and industrial policies in force, compiled (replaced when policies change)."""
    prices: PriceBook | None = None
    """Sellers' markups and the prices buyers face (set by the builder)."""
    orders: np.ndarray | None = None
    """(goods, regions) moving average of the orders each region's producers receive."""
    sales_trend: np.ndarray | None = None
    """(goods, regions) slow (12-month) moving average of the orders producers receive: the rate of
    sales they judge their unsold stock against."""
    price_memory: list[np.ndarray] = field(default_factory=list)
    """The last ``behaviour.price_memory_months`` months of regional prices, oldest first."""
    target_stock: np.ndarray | None = None
    """(goods, regions) stock buyers aimed at this month."""
    normal_stock: np.ndarray | None = None
    """(goods, regions) stock buyers would aim at with no speculative cover: what a scarcity premium
    measures their stock against (7.31)."""
    stockpile_orders: list[list] = field(default_factory=list)
    """Open state purchases and releases: ``[good, region, tonnes a month, months left]``."""
    managed: ManagedSupply | None = None
    """China's managed supply: the mining quota rule and the state reserve (set by the builder)."""
    chain_cost: float | None = None
    """Full cost of the marginal mine-and-separation chain in the first month, US$/kg REO."""
    contracts: ContractBook | None = None
    """Long-term contract prices (set by the builder)."""
    expectations: Expectations | None = None
    """Stockholders' heterogeneous price expectations (set by the builder)."""
    controls_seen: tuple | None = None
    controls_levels: tuple | None = None
    """Last month's (goods,) quota tonnes, approval and open routes of export controls (what tightening
    is measured against; None before the first month)."""
    """Export controls in force last month (quotas, their origins, licences, open routes), to see news."""
    expected_need: np.ndarray | None = None
    """(3,) smoothed need of the mining, separation and magnet industries, t/yr (capacity units)."""

    def __post_init__(self) -> None:
        self.size = len(self.regions)
        """Number of regions (read many times a month, so stored)."""
        self._facility_cells: np.ndarray | None = None
        """Each facility's (fleet, region) cell, upstream fleet first (see :meth:`by_region`)."""

    @property
    def market(self):
        """The scenario's market parameters."""
        return self.scenario.market

    @property
    def facilities(self) -> tuple[MineFleet, RefinerFleet, MagnetPlantFleet, RecyclerFleet]:
        """The agent sets of producing facilities, upstream first."""
        return (self.mines, self.refiners, self.magnet_plants, self.recyclers)

    def by_region(self, columns: list[np.ndarray]) -> np.ndarray:
        """(facility fleets, regions) one per-facility quantity of each producing fleet (``columns``
        in the order of :attr:`facilities`) summed by region: what each fleet's
        :meth:`~marketsim.agents.fleet.Fleet.by_region` gives, in one operation for all four."""
        if self._facility_cells is None:  # the fleets' facilities never change
            self._facility_cells = np.concatenate([k * self.size + f.region for k, f in enumerate(self.facilities)])
        fleets = len(columns)
        totals = np.bincount(self._facility_cells, weights=np.concatenate(columns), minlength=fleets * self.size)
        return totals.reshape(fleets, self.size)

    def enlist(self, model: mesa.Model) -> None:
        """Create the Mesa agent of every row of every agent set and register it with ``model``."""
        for fleet, kind in zip(self.facilities, (Mine, Refiner, MagnetPlant, Recycler), strict=True):
            fleet.enlist(model, kind)
        sectors = list(self.scenario.sectors)
        self.manufacturers.enlist(model, Manufacturer, [sectors[s] for s in self.manufacturers.sector])

    def expected_rise(self) -> np.ndarray:
        """(goods, regions) log change of regional prices over the last three months."""
        return np.log(self.price_memory[-1] / self.price_memory[0])

    def remember_prices(self) -> None:
        """Push this month's regional prices into the memory, dropping the oldest."""
        self.price_memory = [*self.price_memory[1:], self.prices.regional.copy()]
