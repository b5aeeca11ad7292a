"""Mines: produce mixed concentrate while the price covers their cost; reserves deplete."""

from __future__ import annotations

import numpy as np

from marketsim.agents.fleet import DEFAULT, FacilityAgent, Fleet


class MineFleet(Fleet):
    """All mines; each row has a deposit type that fixes its element split."""

    stage = "mining"
    cost_spread = DEFAULT.mine_cost_spread
    """A mining district's pits and grades span a wide range of costs (``behaviour.mine_cost_spread``)."""
    operating_memory = 1.0 / DEFAULT.mine_operating_months
    """Mines take months to idle or restart pits (``behaviour.mine_operating_months``)."""

    def __init__(self, *, composition: np.ndarray, reserves: np.ndarray, **fleet_args) -> None:
        """Create the fleet.

        Args:
            composition: (mines, 4) share of each element group in each mine's output.
            reserves: t REO left in the ground per mine (``inf`` when not binding).
            **fleet_args: Passed on to :class:`Fleet`.
        """
        super().__init__(**fleet_args)
        self.composition = np.asarray(composition, dtype=float)
        self.reserves = np.asarray(reserves, dtype=float).copy()

    def produce(
        self,
        payable: np.ndarray,
        element_values: np.ndarray,
        cost_share: np.ndarray,
        monthly_quota: np.ndarray,
        outage: np.ndarray,
        brake: np.ndarray | None = None,
        groups: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Mine one month and return the element tonnes produced in each region.

        A mine is paid for what its own concentrate contains: the region's payable share times
        the value of its element mix, so an ionic-clay mine rich in Dy/Tb earns more per tonne
        than a bastnaesite mine next door.

        Args:
            payable: (regions,) share of the value of its oxides that concentrate sells for.
            element_values: (regions, 4) value of each element group, US$/kg.
            cost_share: (regions,) share of unit cost the mine pays after subsidies.
            monthly_quota: (regions,) ceiling on a region's mine output this month.
            outage: (mines,) True where a mine is down this month.
            brake: (regions,) share of planned output kept given the region's unsold stock
                (mines stop piling up concentrate nobody buys); none when omitted.
            groups: (mines,) group of each mine (-1: none) and (groups,) ceiling on each group's
                output this month (separate quotas within a region); none when omitted.

        Returns:
            (regions, 4) tonnes of each element group mined.
        """
        regions = len(monthly_quota)
        price = payable[self.region] * np.add.reduce(self.composition * element_values[self.region], axis=1)
        cost = self.unit_cost * cost_share[self.region]
        planned = self.capacity / 12.0 * self.remember_margin(price / cost, cost - self.unit_cost) * ~outage
        if brake is not None:
            planned = planned * brake[self.region]
        planned = np.minimum(planned, self.reserves)
        if groups is not None:
            group, ceiling = groups
            member = group >= 0
            total = np.bincount(group[member], weights=planned[member], minlength=len(ceiling))
            keep = np.minimum(1.0, ceiling / np.maximum(total, 1e-12))
            planned = planned * np.where(member, keep[np.maximum(group, 0)], 1.0)
        total = self.by_region(planned, regions)
        scale = np.minimum(1.0, monthly_quota / np.maximum(total, 1e-12))
        self.output = planned * scale[self.region]
        self.reserves -= self.output
        elements = self.composition.shape[1]  # every element group's tonnes by region in one bincount
        cells = (self.region[:, None] * elements + np.arange(elements)).ravel()
        mined = (self.output[:, None] * self.composition).ravel()
        return np.bincount(cells, weights=mined, minlength=regions * elements).reshape(regions, elements)


class Mine(FacilityAgent):
    """A mine or mining district (a view of one row of the :class:`MineFleet`)."""

    @property
    def reserves(self) -> float:
        """T REO left in the ground."""
        return float(self.fleet.reserves[self.row])
