"""Arbitrage in the month's repricing (model.md 7.39, :mod:`marketsim.market.arbitrage`): traders
re-sell between importing regions, and the price abroad stays within the largest gap over an
exporter's domestic price that its controls can hold against smugglers and grey traders."""

from __future__ import annotations

import numpy as np

from marketsim.market import arbitrage
from marketsim.world.state import World


def _free(world: World) -> np.ndarray:
    """(goods, regions) regions that re-sell a good freely (:func:`marketsim.market.arbitrage.free_sources`
    of the frictions in force; read-only, worked out once per change of policy like
    :func:`marketsim.world.quotas.quota_covered`)."""
    f = world.frictions
    free = f.derived.get("free_sources")
    if free is None:
        free = arbitrage.free_sources(f.open, f.export_tax, f.quota_goods, f.quota_origin)
        free.flags.writeable = False
        f.derived["free_sources"] = free
    return free


def reexport(world: World) -> None:
    """Move buyers' stock between regions that trade a good freely, from the well-stocked to the
    short, where their prices differ by more than ``dynamics.arbitrage.reexport_margin`` (tracers
    move with the material, mixed over the sources)."""
    params = world.scenario.dynamics.arbitrage
    if params.reexport_margin is None or params.reexport_rate <= 0:
        return
    buyer = world.ledger.buyer
    move = arbitrage.reexport(
        buyer.amount, world.normal_stock, world.prices.regional, _free(world), params.reexport_margin,
        params.reexport_rate,
    )  # fmt: skip
    if not move.any():
        return
    out = np.maximum(-move, 0.0)
    removed = buyer.take(out).sum(axis=1)  # (goods, tracers) leaving the sources
    arriving = np.maximum(move, 0.0)
    share = np.divide(arriving, arriving.sum(axis=1, keepdims=True), out=np.zeros(arriving.shape),
                      where=arriving.sum(axis=1, keepdims=True) > 0)  # fmt: skip
    buyer.add(arriving, share[:, :, None] * removed[:, None, :])


def bound_premium(world: World) -> None:
    """Cap every region's scarcity premium so that its price stays within ``1 + tier_gap`` times the
    domestic price of any origin whose export controls it buys under (smugglers and grey traders)."""
    params, prices = world.scenario.dynamics.arbitrage, world.prices
    if params.tier_gap is None:
        return
    cut_by = ~_free(world)[:, :, None] & ~np.eye(world.size, dtype=bool)[None, :, :]
    cap = arbitrage.tier_cap(prices.regional, cut_by, params.tier_gap)
    prices.cap_premium(arbitrage.capped_premium(prices.scarcity, prices.index, cap))


def bidders(world: World, cut_off: np.ndarray, cover: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(goods, regions) who bids a scarcity premium and on what cover: with
    ``dynamics.arbitrage.pool_weight`` above 0 the regions that trade a good freely bid as one market on
    their pooled cover (:func:`marketsim.market.arbitrage.pooled_bid`); otherwise as given."""
    weight = world.scenario.dynamics.arbitrage.pool_weight
    if weight <= 0:
        return cut_off, cover
    return arbitrage.pooled_bid(cut_off, cover * world.normal_stock, world.normal_stock, _free(world), weight)
