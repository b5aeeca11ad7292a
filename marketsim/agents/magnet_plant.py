"""Magnet plants: turn NdPr and a little DyTb into sintered NdFeB magnets."""

from __future__ import annotations

import numpy as np

from marketsim.agents.fleet import FacilityAgent, Fleet, utilisation


class MagnetPlantFleet(Fleet):
    """All magnet plants; capacity is t of magnet per year.

    The Dy/Tb content of a tonne of magnet falls over the years when Dy/Tb is dear (grain
    boundary diffusion, lower-Dy grades): each region's intensity moves towards
    ``base * (price / reference) ** thrift_elasticity`` with a time constant of
    ``thrift_months``.
    """

    stage = "magnets"

    def __init__(
        self,
        *,
        ndpr_per_tonne: float,
        dytb_per_tonne: float,
        regions_count: int,
        thrift_elasticity: float,
        thrift_months: float,
        backstop: float,
        backstop_months: float = 0.0,
        scrap_share: float = 0.0,
        **fleet_args,
    ) -> None:
        """Create the fleet.

        Args:
            ndpr_per_tonne: t NdPr oxide fed per t of magnet (scrap included).
            dytb_per_tonne: t Dy/Tb oxide fed per t of magnet at the reference Dy/Tb price.
            regions_count: Number of regions (intensity is tracked per region).
            thrift_elasticity: Long-run elasticity of Dy/Tb intensity to its price.
            thrift_months: Time constant of thrifting.
            backstop: Dy/Tb price, as a multiple of its reference, above which plants cut Dy/Tb
                in proportion (at once, or over ``backstop_months``).
            backstop_months: Time constant of that cut (switching to lower-Dy grades, 7.37);
                0 cuts at once.
            scrap_share: Share of the oxide fed that ends as manufacturing scrap, not in magnets.
            **fleet_args: Passed on to :class:`Fleet`.
        """
        super().__init__(**fleet_args)
        self.ndpr_per_tonne = ndpr_per_tonne
        self.base_dytb_per_tonne = dytb_per_tonne
        self.thrifted = np.full(regions_count, dytb_per_tonne)
        self.dytb_per_tonne = self.thrifted.copy()
        self.backstop = backstop
        self.backstop_months = backstop_months
        self.backstop_share = np.ones(regions_count)
        """(regions,) share of the thrifted Dy/Tb intensity left after grade switching above the backstop."""
        self.thrift_elasticity = thrift_elasticity
        self.thrift_months = thrift_months
        self.scrap_share = scrap_share

    @property
    def reo_per_magnet(self) -> float:
        """REO in a tonne of finished magnet at the base recipe, t: the feed less its scrap."""
        return (1.0 - self.scrap_share) * (self.ndpr_per_tonne + self.base_dytb_per_tonne)

    def full_cost(self, ndpr_price: np.ndarray, dytb_price: np.ndarray, cost_share: np.ndarray) -> np.ndarray:
        """(plants,) cost of a kg of magnet: conversion plus oxides at the given prices."""
        materials = self.ndpr_per_tonne * ndpr_price + self.dytb_per_tonne * dytb_price
        return self.unit_cost * cost_share[self.region] + materials[self.region]

    def plan(
        self,
        magnet_price: np.ndarray,
        ndpr_price: np.ndarray,
        dytb_price: np.ndarray,
        cost_share: np.ndarray,
        orders: np.ndarray,
    ) -> np.ndarray:
        """Decide how many tonnes of magnet each plant wants to make this month.

        Plants make to order: a region's plants together aim at ``orders`` (expected sales plus
        a correction towards their target stock), shared by capacity. They run wherever the
        magnet price covers conversion; the full margin, oxides included, is what investors
        remember.

        Args:
            magnet_price: (regions,) price the plant sells magnets at, US$/kg.
            ndpr_price: (regions,) price it pays for NdPr oxide, US$/kg.
            dytb_price: (regions,) price it pays for Dy/Tb oxide, US$/kg.
            cost_share: (regions,) share of unit cost paid after subsidies.
            orders: (regions,) t of magnet the region's plants aim to make.

        Returns:
            (plants,) planned output, t of magnet this month.
        """
        price = magnet_price[self.region]
        full_cost = self.full_cost(ndpr_price, dytb_price, cost_share)
        self.remember_margin(price / full_cost, extra_cost=full_cost - self.unit_cost)
        cash = price / (self.unit_cost * cost_share[self.region])
        running = self.capacity / 12.0 * utilisation(cash, self.cost_spread)
        regions = len(orders)
        capacity = self.by_region(running, regions)
        wanted = np.divide(orders, capacity, out=np.zeros(regions), where=capacity > 0)
        return running * np.minimum(wanted, 1.0)[self.region]

    def cost_floor(
        self, ndpr_price: np.ndarray, dytb_price: np.ndarray, cost_share: np.ndarray, regions: int
    ) -> np.ndarray:
        """(regions,) capacity-weighted full cost of the region's plants (0 where none)."""
        weight = self.by_region(self.capacity, regions)
        cost = self.by_region(self.capacity * self.full_cost(ndpr_price, dytb_price, cost_share), regions)
        return np.divide(cost, weight, out=np.zeros(regions), where=weight > 0)

    def make(self, planned: np.ndarray, served: np.ndarray) -> np.ndarray:
        """Make magnets with the share of planned inputs each region could supply.

        Args:
            planned: (plants,) planned output.
            served: (regions,) share of the plants' input needs met (the scarcer input).

        Returns:
            (regions,) t of magnet made.
        """
        self.output = planned * served[self.region]
        return self.by_region(self.output, len(served))

    def thrift(self, dytb_price: np.ndarray, reference_price: float) -> None:
        """Move each region's Dy/Tb intensity one month towards its long-run level, and cut it
        in proportion where Dy/Tb is dearer than the backstop: at once, or with a first-order lag
        of ``backstop_months`` (7.37: lower-Dy grades take qualification time)."""
        relative = dytb_price / reference_price
        target = self.base_dytb_per_tonne * relative**self.thrift_elasticity
        self.thrifted += (target - self.thrifted) / self.thrift_months
        cut = np.minimum(1.0, self.backstop / relative)
        if self.backstop_months > 1.0:
            self.backstop_share = self.backstop_share + (cut - self.backstop_share) / self.backstop_months
        else:
            self.backstop_share = cut
        self.dytb_per_tonne = self.thrifted * self.backstop_share


class MagnetPlant(FacilityAgent):
    """A sintered NdFeB magnet plant (a view of one row of the :class:`MagnetPlantFleet`)."""
