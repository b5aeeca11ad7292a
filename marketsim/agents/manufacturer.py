"""Manufacturers and other end users: demand that grows, reacts to price, thrifts and hoards."""

from __future__ import annotations

import mesa
import numpy as np

from marketsim.agents.fleet import AgentColumns
from marketsim.scenario.behaviour import BehaviourParams

DEFAULT = BehaviourParams()


class ManufacturerFleet(AgentColumns):
    """All end users, as a Mesa agent set of :class:`Manufacturer` agents; each row is one buyer of
    one good in one region.

    Monthly need of row ``i``::

        need = base * growth(t) * (p / p_ref) ** elasticity_short * backstop * thrift * noise

    where ``backstop = min(1, (backstop_multiple * p_ref / p) ** substitution_elasticity)``
    makes demand fall fast once the price passes the point where substitutes win.

    ``thrift`` moves towards ``(p / p_ref) ** (elasticity_long - elasticity_short)`` with a time
    constant of ``adjust_months``: substitution and thrifting take years, so the long-run
    elasticity is only reached after a lag.
    """

    hoarding_cap_months: float = DEFAULT.hoarding_cap_months
    """Most extra months of cover a buyer seeks (``behaviour.hoarding_cap_months``)."""
    substitution_elasticity: float = DEFAULT.substitution_elasticity
    """Demand elasticity above the backstop price (``behaviour.substitution_elasticity``)."""

    def __init__(
        self,
        *,
        region: np.ndarray,
        good: np.ndarray,
        sector: np.ndarray,
        base: np.ndarray,
        reference_price: np.ndarray,
        elasticity_short: np.ndarray,
        elasticity_long: np.ndarray,
        adjust_months: np.ndarray,
        inventory_months: np.ndarray,
        hoarding: np.ndarray,
        backstop: np.ndarray,
        growth_index: np.ndarray,
        goods_count: int,
        regions_count: int,
        protected: np.ndarray | None = None,
    ) -> None:
        """Create the fleet. Every per-row argument is an array with one value per buyer.

        Args:
            region: Index of the buyer's region.
            good: Index of the good it buys.
            sector: Index of its end-use sector.
            base: Monthly need at the start at the reference price, t.
            reference_price: Reference price of the buyer's good, US$/kg.
            elasticity_short: Price elasticity of demand within the month.
            elasticity_long: Price elasticity of demand once substitution has run its course.
            adjust_months: Time constant of substitution and thrifting.
            inventory_months: Stock the buyer normally holds, in months of need.
            hoarding: Extra months of cover sought per unit of expected (log) price rise.
            backstop: Price, as a multiple of the reference, above which substitutes win.
            growth_index: (ticks + 1, sectors) demand growth relative to the start.
            goods_count: Number of goods.
            regions_count: Number of regions.
            protected: Whether the buyer is served first from its region's stock (defence).
        """
        super().__init__()
        self.region = np.asarray(region, dtype=np.int64)
        self.good = np.asarray(good, dtype=np.int64)
        self.sector = np.asarray(sector, dtype=np.int64)
        self.base = np.asarray(base, dtype=float)
        self.reference_price = np.asarray(reference_price, dtype=float)
        self.elasticity_short = np.asarray(elasticity_short, dtype=float)
        self.elasticity_long = np.asarray(elasticity_long, dtype=float)
        self.adjust_months = np.asarray(adjust_months, dtype=float)
        self.inventory_months = np.asarray(inventory_months, dtype=float)
        self.hoarding = np.asarray(hoarding, dtype=float)
        self.backstop = np.asarray(backstop, dtype=float)
        self.growth_index = growth_index
        self.shape = (goods_count, regions_count)
        self.key = self.good * regions_count + self.region
        self.thrift = np.ones(len(self.base))
        self.need = self.base.copy()
        self.consumed = np.zeros(len(self.base))
        self.protected = (
            np.zeros(len(self.base), dtype=bool) if protected is None else np.asarray(protected, dtype=bool)
        )
        self._any_protected = bool(self.protected.any())

    def __len__(self) -> int:
        return len(self.base)

    def total(self, values: np.ndarray) -> np.ndarray:
        """Sum a per-buyer quantity into a (good, region) grid."""
        size = self.shape[0] * self.shape[1]
        return np.bincount(self.key, weights=values, minlength=size).reshape(self.shape)

    def each(self, grid: np.ndarray) -> np.ndarray:
        """(buyers,) each buyer's cell of a (goods, regions) grid: ``grid[good, region]``, read by
        the flat index :attr:`key` (one gather instead of a two-index one)."""
        return grid.take(self.key)

    def _relative_price(self, price: np.ndarray) -> np.ndarray:
        return self.each(price) / self.reference_price

    def plan_need(self, tick: int, price: np.ndarray, noise: np.ndarray) -> np.ndarray:
        """Set and return this month's need per (good, region).

        Args:
            tick: Months since the start.
            price: (goods, regions) price buyers face, US$/kg.
            noise: (buyers,) multiplicative demand noise with mean 1.
        """
        relative = self._relative_price(price)
        growth = self.growth_index[tick][self.sector]  # the row, then its sectors: one gather
        substitution = np.minimum(1.0, self.backstop / relative) ** self.substitution_elasticity
        self.need = self.base * growth * relative**self.elasticity_short * substitution * self.thrift * noise
        return self.total(self.need)

    def target_stock(self, expected_rise: np.ndarray, speculative: np.ndarray | None = None) -> np.ndarray:
        """Stock buyers want to hold per (good, region), given expected log price rises, or, when
        given, each buyer's speculative months of cover (stockholders' expectations, 7.27)."""
        if speculative is None:
            rise = np.maximum(self.each(expected_rise), 0.0)
            speculative = self.hoarding * rise * self.inventory_months
        extra = np.minimum(speculative, self.hoarding_cap_months)
        return self.total(self.need * (self.inventory_months + extra))

    def normal_stock(self) -> np.ndarray:
        """Stock buyers want to hold per (good, region) with no speculative cover (what
        :meth:`target_stock` gives with none)."""
        return self.total(self.need * self.inventory_months)

    def serve(self, stock: np.ndarray, need: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Share out each region's stock: protected buyers first, then everyone else (other
        end users and plants) in proportion to need.

        Args:
            stock: (goods, regions) stock in the region's buyer pool, t.
            need: (goods, regions) total need of end users and plants this month, t.

        Returns:
            ``(served, by_buyer)``: (goods, regions) share of need met for unprotected users and
            plants, and (buyers,) share of need met for each end user.
        """
        if not self._any_protected:
            served = np.minimum(1.0, np.divide(stock, need, out=np.ones_like(need), where=need > 0))
            return served, self.each(served)
        first = self.total(self.need * self.protected)
        served_first = np.minimum(1.0, np.divide(stock, first, out=np.ones_like(first), where=first > 0))
        rest, rest_need = stock - served_first * first, need - first
        served = np.minimum(
            1.0, np.divide(np.maximum(rest, 0.0), rest_need, out=np.ones_like(need), where=rest_need > 1e-12)
        )
        by_buyer = np.where(self.protected, self.each(served_first), self.each(served))
        return served, by_buyer

    def consume(self, share: np.ndarray) -> np.ndarray:
        """Use the share (buyers,) of each buyer's need; return consumption per (good, region)."""
        self.consumed = self.need * share
        return self.total(self.consumed)

    def adapt(self, price: np.ndarray, ratchet=None, cut_off: np.ndarray | None = None) -> None:
        """Move thrifting and substitution one month towards their long-run level.

        Without ``ratchet`` the move is symmetric with time constant ``adjust_months``. With a
        ratchet (:class:`~marketsim.scenario.dynamics.ThriftParams`) thrift falls fast (time constant
        ``down_months``, at most ``max_fall_per_year`` of the intensity a year) and returns slowly
        (``up_months``), and buyers cut off by export controls aim ``cut_off_target`` lower even at
        normal prices (Sprecher et al. 2017; REF §10-11).

        Args:
            price: (goods, regions) price buyers face, US$/kg.
            ratchet: Thrift parameters, or None for the symmetric lag.
            cut_off: (goods, regions) True where export controls left buyers short this month.
        """
        relative = self._relative_price(price)
        target = relative ** (self.elasticity_long - self.elasticity_short)
        if ratchet is None:
            self.thrift += (target - self.thrift) / self.adjust_months
            return
        if cut_off is not None:
            target = target * np.where(self.each(cut_off), 1.0 - ratchet.cut_off_target, 1.0)
        gap = target - self.thrift
        fall = np.maximum(gap / ratchet.down_months, -ratchet.max_fall_per_year / 12.0 * self.thrift)
        self.thrift += np.where(gap < 0.0, fall, gap / ratchet.up_months)


class Manufacturer(mesa.Agent):
    """An end user of one good in one region (one row of the :class:`ManufacturerFleet`)."""

    def __init__(self, model: mesa.Model, fleet: ManufacturerFleet, row: int, sector: str) -> None:
        """Register the agent with the model."""
        super().__init__(model)
        self.fleet = fleet
        self.row = row
        self.sector = sector

    @property
    def region(self) -> str:
        """Region id of the buyer."""
        return self.model.regions[self.fleet.region[self.row]]

    @property
    def need(self) -> float:
        """Need in the last month, t."""
        return float(self.fleet.need[self.row])

    @property
    def consumed(self) -> float:
        """Consumption in the last month, t."""
        return float(self.fleet.consumed[self.row])
