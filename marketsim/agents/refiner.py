"""Separation plants: buy concentrate, split it into oxides in the proportions it contains."""

from __future__ import annotations

import numpy as np

from marketsim.agents.fleet import FacilityAgent, Fleet, utilisation
from marketsim.vocabulary import ELEMENT_DYTB


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
        self.running = self.capacity / 12.0
        self.recovery = recovery

    def plan(
        self, oxide_value: np.ndarray, dytb_value: np.ndarray, feed_price: np.ndarray, cost_share: np.ndarray
    ) -> np.ndarray:
        """Decide how much concentrate each plant wants to buy this month: as much as it can run.

        Plants buy whatever they can separate at a cash profit; the price they pay only splits
        the value between miner and refiner (it is capped at their break-even, see
        :meth:`break_even_payable`). The full margin is remembered for investment.

        Args:
            oxide_value: (regions,) value of the oxides in 1 kg of the concentrate on offer, without
                Dy/Tb, at the region's posted oxide prices.
            dytb_value: (regions,) value of the Dy/Tb oxide in 1 kg of the concentrate on offer.
            feed_price: (regions,) price paid for concentrate, US$/kg REO.
            cost_share: (regions,) share of unit cost paid after subsidies.

        Returns:
            (refiners,) planned feed purchases, t REO this month.
        """
        revenue = self._revenue(oxide_value, dytb_value)
        processing = self.unit_cost * cost_share[self.region]
        feed = feed_price[self.region]
        self.remember_margin(revenue / (feed + processing), extra_cost=feed + processing - self.unit_cost)
        self.running = self.capacity / 12.0 * utilisation(revenue / processing, self.cost_spread)
        return self.running

    def break_even_payable(
        self, oxide_value: np.ndarray, dytb_value: np.ndarray, cost_share: np.ndarray, regions: int
    ) -> np.ndarray:
        """(regions,) most a region's refiners can pay for concentrate, as a share of the value
        of its oxides, before separation stops paying (1 where there are none)."""
        value = oxide_value + dytb_value
        revenue = self._revenue(oxide_value, dytb_value)
        room = self.by_region(self.capacity * (revenue - self.unit_cost * cost_share[self.region]), regions)
        capacity = self.by_region(self.capacity, regions)
        per_kg = np.divide(room, capacity, out=np.zeros(regions), where=capacity > 0)
        payable = np.divide(per_kg, value, out=np.ones(regions), where=value > 0)
        return np.where(capacity > 0, np.minimum(np.maximum(payable, 0.0), 1.0), 1.0)  # np.clip, unwrapped

    def _revenue(self, oxide_value: np.ndarray, dytb_value: np.ndarray) -> np.ndarray:
        return self.recovery * (oxide_value[self.region] + dytb_value[self.region] * self.heavy_circuit)

    def separate(
        self,
        oxide_value: np.ndarray,
        dytb_value: np.ndarray,
        cost_share: np.ndarray,
        feed: np.ndarray,
        feed_elements: np.ndarray,
    ):
        """Separate the concentrate on hand, up to capacity, wherever the oxides pay the
        processing cost (the concentrate already bought is a sunk cost).

        Args:
            oxide_value: (regions,) value of the oxides in 1 kg of the feed on hand, without Dy/Tb.
            dytb_value: (regions,) value of the Dy/Tb oxide in 1 kg of the feed on hand.
            cost_share: (regions,) share of unit cost paid after subsidies.
            feed: (regions,) concentrate on hand at the plants, t REO.
            feed_elements: (regions, 4) element tonnes in that concentrate.

        Returns:
            ``(used, oxides, lost)``: (regions,) t REO of concentrate used, (regions, 3) t of
            oxide made in the order lace, ndpr, dytb, and (regions,) t REO lost.
        """
        regions = len(feed)
        cash = self._revenue(oxide_value, dytb_value) / (self.unit_cost * cost_share[self.region])
        running = self.capacity / 12.0 * utilisation(cash, self.cost_spread)
        wanted = self.by_region(running, regions)
        used = np.minimum(wanted, feed)
        served = np.divide(used, wanted, out=np.zeros(regions), where=wanted > 0)
        self.output = running * served[self.region]
        heavy = self.by_region(self.output * self.heavy_circuit, regions)
        heavy_share = np.divide(heavy, used, out=np.zeros(regions), where=used > 0)
        fraction = np.divide(used, feed, out=np.zeros(regions), where=feed > 0)
        elements = feed_elements * fraction[:, None]
        oxides = self.recovery * elements[:, :3]
        oxides[:, ELEMENT_DYTB] *= heavy_share
        lost = used - np.add.reduce(oxides, axis=1)
        return used, oxides, lost


class Refiner(FacilityAgent):
    """A separation plant (a view of one row of the :class:`RefinerFleet`)."""

    @property
    def heavy_circuit(self) -> bool:
        """Whether the plant recovers Dy and Tb."""
        return bool(self.fleet.heavy_circuit[self.row])
