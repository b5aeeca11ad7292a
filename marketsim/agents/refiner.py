"""Separation plants: buy concentrate, split it into oxides in the proportions it contains."""

from __future__ import annotations

import numpy as np

from marketsim.agents.fleet import FacilityAgent, Fleet, utilisation

LACE, NDPR, DYTB, OTHER = range(4)


class RefinerFleet(Fleet):
    """All separation plants; capacity is t REO of concentrate fed per year."""

    stage = "separation"

    def __init__(self, *, heavy_circuit: np.ndarray, recovery: float, **fleet_args) -> None:
        """Create the fleet.

        Args:
            heavy_circuit: (refiners,) whether a plant recovers Dy and Tb.
            recovery: Share of each element that ends up in saleable oxide.
            **fleet_args: Passed on to :class:`Fleet`.
        """
        super().__init__(**fleet_args)
        self.heavy_circuit = np.asarray(heavy_circuit, dtype=bool)
        self.recovery = recovery

    def plan(self, oxide_value: np.ndarray, dytb_value: np.ndarray, feed_price: np.ndarray,
             cost_share: np.ndarray) -> np.ndarray:
        """Decide how much concentrate each plant wants to buy this month.

        Args:
            oxide_value: (regions,) value of the oxides in 1 kg of the region's feed, without Dy/Tb.
            dytb_value: (regions,) value of the Dy/Tb oxide in 1 kg of the region's feed.
            feed_price: (regions,) price paid for concentrate, US$/kg REO.
            cost_share: (regions,) share of unit cost paid after subsidies.

        Returns:
            (refiners,) planned feed purchases, t REO this month.
        """
        revenue = self._revenue(oxide_value, dytb_value)
        cost = feed_price[self.region] + self.unit_cost * cost_share[self.region]
        return self.capacity / 12.0 * self.remember_margin(revenue / cost)

    def _revenue(self, oxide_value: np.ndarray, dytb_value: np.ndarray) -> np.ndarray:
        return self.recovery * (oxide_value[self.region] + dytb_value[self.region] * self.heavy_circuit)

    def separate(self, oxide_value: np.ndarray, dytb_value: np.ndarray, cost_share: np.ndarray,
                 feed: np.ndarray, feed_elements: np.ndarray):
        """Separate the concentrate on hand, up to capacity, wherever the oxides pay the
        processing cost (the concentrate already bought is a sunk cost).

        Args:
            oxide_value, dytb_value: As for :meth:`plan`.
            cost_share: (regions,) share of unit cost paid after subsidies.
            feed: (regions,) concentrate on hand at the plants, t REO.
            feed_elements: (regions, 4) element tonnes in that concentrate.

        Returns:
            ``(used, oxides, lost)``: (regions,) t REO of concentrate used, (regions, 3) t of
            oxide made in the order lace, ndpr, dytb, and (regions,) t REO lost.
        """
        regions = len(feed)
        cash = self._revenue(oxide_value, dytb_value) / (self.unit_cost * cost_share[self.region])
        running = self.capacity / 12.0 * utilisation(cash)
        wanted = self.by_region(running, regions)
        used = np.minimum(wanted, feed)
        served = np.divide(used, wanted, out=np.zeros(regions), where=wanted > 0)
        self.output = running * served[self.region]
        heavy = self.by_region(self.output * self.heavy_circuit, regions)
        heavy_share = np.divide(heavy, used, out=np.zeros(regions), where=used > 0)
        fraction = np.divide(used, feed, out=np.zeros(regions), where=feed > 0)
        elements = feed_elements * fraction[:, None]
        oxides = self.recovery * elements[:, :3]
        oxides[:, DYTB] *= heavy_share
        lost = used - oxides.sum(axis=1)
        return used, oxides, lost


class Refiner(FacilityAgent):
    """A separation plant (a view of one row of the :class:`RefinerFleet`)."""

    @property
    def heavy_circuit(self) -> bool:
        """Whether the plant recovers Dy and Tb."""
        return bool(self.fleet.heavy_circuit[self.row])
