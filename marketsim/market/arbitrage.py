"""Arbitrage past export controls (model.md 7.39): traders re-sell between importing regions, and
smugglers and traders buy at the controlling exporter's domestic price to sell abroad.

Two limits to the scarcity premium that buyers cut off by export controls bid (7.10, 7.30):

- **Re-export between importers.** Where buyers in one region that trades a good freely pay more
  than ``1 + m`` times what buyers in another pay, traders re-sell from the well-stocked to the short
  (during China's 2010 halt to Japan, material reached Japan through traders and third countries;
  REF §10 K3, prices "indifferent" to the halt): buyers' stocks move toward the group's pooled cover,
  and the group bids one scarcity premium on its pooled cover.
- **The tier gap.** A region's price cannot stay above the controlling exporter's domestic price by
  more than a multiple ``1 + k`` of it (export duty and the smugglers' risk premium): beyond it,
  smuggling and grey trade grow without limit (REF §7, §10 K7, K9). The premium is capped so that
  ``P_d <= (1 + k) * P_o`` for every origin ``o`` whose controls cut ``d`` off.

The tier bound applies only to the premium, never to the legal delivered cost.
"""

from __future__ import annotations

import numpy as np


def free_sources(
    open_routes: np.ndarray, export_tax: np.ndarray, quota_goods: np.ndarray, quota_origin: np.ndarray
) -> np.ndarray:
    """(goods, regions) True where a region exports the good with no export control of its own: no
    closed route, no export tax, no export quota covering it (it can re-sell what it bought).

    Args:
        open_routes: (goods, origins, destinations) 1 where the route is open.
        export_tax: (goods, origins) export tax rate.
        quota_goods: (quotas, goods) goods each export quota covers.
        quota_origin: (quotas,) region each export quota applies to.
    """
    free = (open_routes > 0).all(axis=2) & (export_tax <= 0)
    for goods, origin in zip(quota_goods, quota_origin, strict=True):
        free[np.asarray(goods, dtype=bool), origin] = False
    return free


def reexport(
    held: np.ndarray, normal: np.ndarray, regional: np.ndarray, free: np.ndarray, margin: float, rate: float
) -> np.ndarray:
    """(goods, regions) tonnes traders move between buyers' stocks of the regions that trade a good
    freely (re-export), this month: where the dearest of them pays more than ``1 + margin`` times the
    cheapest, each moves the share ``rate`` of the way to the group's pooled cover (stock over
    normal stock), from the well-stocked to the short. The moves sum to zero for every good.

    Args:
        held: (goods, regions) buyers' stock, t.
        normal: (goods, regions) stock buyers would aim at with no speculative cover, t.
        regional: (goods, regions) price buyers face, US$/kg.
        free: (goods, regions) regions that re-sell freely (:func:`free_sources`).
        margin: Freight and traders' margin: price gaps within it are not worth trading.
        rate: Share of the gap to the pooled cover closed a month (0-1).
    """
    in_group = free & (normal > 1e-9)
    dearest = np.where(in_group, regional, 0.0).max(axis=1)
    cheapest = np.where(in_group, regional, np.inf).min(axis=1)
    active = in_group & (dearest > (1.0 + margin) * cheapest)[:, None]
    pooled = np.divide(
        np.where(active, held, 0.0).sum(axis=1),
        np.where(active, normal, 0.0).sum(axis=1),
        out=np.zeros(held.shape[0]),
        where=active.any(axis=1),
    )
    return np.where(active, rate * (pooled[:, None] * normal - held), 0.0)


def pooled_bid(
    cut_off: np.ndarray, held: np.ndarray, normal: np.ndarray, free: np.ndarray, weight: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Who bids a scarcity premium and on what cover, once traders arbitrage between the regions that
    trade a good freely: they bid, whenever export controls cut any of them off, on a cover that is
    ``weight`` the group's pooled cover (its buyers' stock over their normal stock) and ``1 - weight``
    their own (1: one market).

    Args:
        cut_off: (goods, regions) True where export controls left the region's buyers short.
        held: (goods, regions) buyers' stock, t.
        normal: (goods, regions) stock buyers would aim at with no speculative cover, t.
        free: (goods, regions) regions that re-sell freely (:func:`free_sources`).
        weight: Weight of the pooled cover (0-1).

    Returns:
        (goods, regions) cut-off flags and (goods, regions) covers, the group's where ``free``.
    """
    group_held = np.where(free, held, 0.0).sum(axis=1, keepdims=True)
    group_normal = np.where(free, normal, 0.0).sum(axis=1, keepdims=True)
    pooled = np.divide(group_held, group_normal, out=np.ones_like(group_held), where=group_normal > 1e-9)
    own = held / np.maximum(normal, 1e-9)
    cover = np.where(free, weight * pooled + (1.0 - weight) * own, own)
    any_cut = (cut_off & free).any(axis=1, keepdims=True)
    return np.where(free, any_cut, cut_off), cover


def tier_cap(regional: np.ndarray, cut_by: np.ndarray, gap: float) -> np.ndarray:
    """(goods, regions) highest price buyers cut off by an origin's controls can hold before
    smugglers and grey traders buying at the origin's domestic price undercut them:
    ``(1 + gap)`` times the cheapest such origin's price; infinite where no origin cuts them off.

    Args:
        regional: (goods, regions) price buyers face, US$/kg.
        cut_by: (goods, origins, destinations) True where the origin's controls cut the
            destination's buyers off.
        gap: Largest relative gap of the price abroad over the origin's domestic price.
    """
    origin_price = np.where(cut_by, regional[:, :, None], np.inf)
    return (1.0 + gap) * origin_price.min(axis=1)


def capped_premium(scarcity: np.ndarray, index: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """(goods, regions) scarcity premium no higher than the one that puts the price at ``cap``
    (never below 0: the cap bounds the premium, not the delivered cost ``index``)."""
    room = np.divide(cap, np.maximum(index, 1e-9)) - 1.0
    return np.minimum(scarcity, np.maximum(room, 0.0))
