"""Market clearing for all goods at once, with trade frictions per route.

Arrays are indexed ``[good, origin, destination]``. Buyers in each destination split their
demand over origins by a logit on perceived delivered cost, weighted by what each origin has to
offer (a gravity-style discrete choice). Licences, export quotas and the sellers' stock then
cut the requested flows, and two more rounds let unserved buyers turn to origins with stock left
(licensed routes take applications only in the first round). Everything is vectorised over
goods and regions.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from marketsim.policy.book import Frictions
from marketsim.scenario.behaviour import BehaviourParams
from marketsim.scenario.schema import MarketParams

DEFAULT = BehaviourParams()
"""The ``[behaviour]`` defaults: ``clearing_rounds`` allocation rounds per tick (the first spreads
demand, later ones re-route what was refused or not in stock; licensed routes take applications only
in the first) and the ``restricted_share`` of refused demand that counts as cut off."""


@dataclass
class Clearing:
    """What one tick of clearing decided."""

    flows: np.ndarray
    """(goods, origins, destinations) tonnes delivered."""
    delivered_cost: np.ndarray
    """(goods, origins, destinations) US$/kg a buyer pays, taxes, tariffs and freight included."""
    price_index: np.ndarray
    """(goods, destinations) expected delivered price over the buyers' choice of origins."""
    received: np.ndarray
    """(goods, destinations) tonnes received."""
    sold: np.ndarray
    """(goods, origins) tonnes sold."""
    refused: np.ndarray
    """(goods, origins, destinations) tonnes first requested but refused by licences or quotas."""
    requested: np.ndarray
    """(goods, origins) tonnes buyers asked each seller for over all rounds, once licences and
    quotas allowed (a seller's orders, which it prices and plans its output by)."""


def delivered_cost(seller_price: np.ndarray, frictions: Frictions, params: MarketParams) -> np.ndarray:
    """Cost to a buyer in each destination of a kg bought from each origin.

    Domestic purchases pay the seller's price; imports also pay the exporter's tax, the
    importer's tariff and freight.
    """
    routes = _routes(frictions, params)
    imported = (seller_price * routes.export_factor)[:, :, None] * routes.import_factor
    return np.where(routes.foreign, imported, seller_price[:, :, None])


@dataclass
class Routes:
    """What clearing derives from the frictions in force alone (kept with them, see
    :attr:`Frictions.derived`): computed once per change of policy, not every month."""

    foreign: np.ndarray
    """(regions, regions) True off the diagonal."""
    export_factor: np.ndarray
    """(goods, origins) 1 plus the export tax."""
    import_factor: np.ndarray
    """(goods, origins, destinations) 1 plus the tariff and freight."""
    preference: np.ndarray
    """(goods, origins, destinations) 1 minus the discount buyers give allies and home."""
    routable: np.ndarray
    """(goods, origins, destinations) True where a route is open and licences are granted."""
    unlicensed: np.ndarray
    """Routable routes that need no licence (all later rounds may use)."""
    licensing: bool
    """Whether any route needs a licence (else approval multiplies by one)."""
    quota_cells: list
    """Index of the cells each export quota counts (:func:`_export_cells`)."""


def _routes(frictions: Frictions, params: MarketParams) -> Routes:
    """The :class:`Routes` of ``frictions`` under the market parameters ``params`` (computed on first use)."""
    key = ("routes", params.ally_preference, params.home_preference, params.transport_cost)
    routes = frictions.derived.get(key)
    if routes is None:
        regions = frictions.open.shape[1]
        discount = params.ally_preference * frictions.ally + params.home_preference * _identity(regions)
        routable = (frictions.open > 0) & (frictions.approval > 0)
        routes = frictions.derived[key] = Routes(
            foreign=~np.eye(regions, dtype=bool),
            export_factor=1.0 + frictions.export_tax,
            import_factor=1.0 + frictions.tariff + params.transport_cost,
            preference=1.0 - discount,
            routable=routable,
            unlicensed=routable & (frictions.approval >= 1.0),
            licensing=bool((frictions.approval != 1.0).any()),
            quota_cells=[
                _export_cells(goods_covered, origin, regions)
                for goods_covered, origin in zip(frictions.quota_goods, frictions.quota_origin, strict=True)
            ],
        )
    return routes


@functools.cache
def _identity(regions: int) -> np.ndarray:
    """(regions, regions) True on the diagonal (read-only, shared)."""
    eye = np.eye(regions, dtype=bool)
    eye.flags.writeable = False
    return eye


def _choice_shares(available: np.ndarray, perceived: np.ndarray, routable: np.ndarray, sharpness: float) -> np.ndarray:
    """Share of each destination's demand sent to each origin (zero where nothing can come)."""
    usable = routable & (available > 0)[:, :, None]
    cheapest = np.minimum.reduce(np.where(usable, perceived, np.inf), axis=1, keepdims=True)
    # Where a route is usable its destination's cheapest cost is finite, so only those cells divide.
    # weight = available * exp(-sharpness * (perceived / cheapest - 1)) on usable routes, 0 elsewhere,
    # computed in place (one array, no temporaries).
    weight = np.divide(perceived, cheapest, out=np.ones(perceived.shape), where=usable)
    weight -= 1.0
    weight *= -sharpness
    np.exp(weight, out=weight)
    weight *= available[:, :, None]
    np.copyto(weight, 0.0, where=~usable)
    total = np.add.reduce(weight, axis=1, keepdims=True)
    weight /= np.where(total > 0, total, 1.0)
    return weight


def _export_cells(goods_covered: np.ndarray, origin: int, regions: int) -> tuple[np.ndarray, ...]:
    """Index of the (good, origin, destination) cells an export quota counts: its goods, shipped
    from its region to any other."""
    goods = np.flatnonzero(goods_covered)
    foreign = np.flatnonzero(np.arange(regions) != origin)
    return np.ix_(goods, [origin], foreign)


def _within_quota(requests: np.ndarray, quota: float) -> np.ndarray:
    """Cut (goods, 1, destinations) export requests to fit a quota, every good and destination in
    the same proportion.

    A binding quota is rationed over all the goods it covers (licences issued pro rata to
    applications), so it binds on NdPr and Dy/Tb as on La/Ce, and buyers of each good abroad
    are refused the same share.
    """
    asked = np.add.reduce(requests, None)
    if asked <= quota:
        return requests
    return requests * (max(quota, 0.0) / asked)


def clear(
    offer: np.ndarray,
    demand: np.ndarray,
    seller_price: np.ndarray,
    quality: np.ndarray,
    frictions: Frictions,
    params: MarketParams,
    rounds: int = DEFAULT.clearing_rounds,
) -> Clearing:
    """Clear every market for one tick.

    Args:
        offer: (goods, origins) tonnes sellers have to sell.
        demand: (goods, destinations) tonnes buyers want.
        seller_price: (goods, origins) sellers' posted prices, US$/kg.
        quality: (goods, origins) value per kg relative to the good's norm (concentrate grade);
            buyers compare cost per unit of value.
        frictions: Trade policies in force.
        params: Market parameters.
        rounds: Rounds in which refused buyers turn to other sellers (``behaviour.clearing_rounds``).

    Returns:
        The flows and prices of the tick. Flows never exceed offers, approved licences,
        export quotas or open routes.
    """
    routes = _routes(frictions, params)
    cost = delivered_cost(seller_price, frictions, params)
    perceived = cost / quality[:, :, None] * routes.preference
    flows, first_shares, refused, requested = _allocate(offer, demand, perceived, routes, frictions, params, rounds)
    price_index = _price_index(first_shares, cost, routes.routable)
    return Clearing(
        flows=flows,
        delivered_cost=cost,
        price_index=price_index,
        received=np.add.reduce(flows, axis=1),
        sold=np.add.reduce(flows, axis=2),
        refused=refused,
        requested=requested,
    )


def _allocate(
    offer: np.ndarray,
    demand: np.ndarray,
    perceived: np.ndarray,
    routes: Routes,
    frictions: Frictions,
    params: MarketParams,
    rounds: int = DEFAULT.clearing_rounds,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Spread demand over origins in ``rounds`` rounds, within licences, quotas and stock.

    Returns:
        ``(flows, first_shares, refused, requested)``: tonnes delivered, the first round's choice
        shares, tonnes refused by licences or quotas in the first round, and tonnes requested of
        each seller over all rounds.
    """
    goods, regions = offer.shape
    flows = np.zeros((goods, regions, regions))
    remaining_offer = offer.astype(float)  # a copy (astype copies)
    remaining_demand = demand.astype(float)
    quota_cells, licensing = routes.quota_cells, routes.licensing  # no licensing: approval multiplies by one
    remaining_quota = [float(q) for q in frictions.quota]
    first_shares = requested = refused = None
    for round_ in range(rounds):
        # A licence is applied for once a month: refused buyers turn to other routes afterwards.
        open_routes = routes.routable if round_ == 0 else routes.unlicensed
        shares = _choice_shares(remaining_offer, perceived, open_routes, params.choice_sharpness)
        wanted = shares * remaining_demand[:, None, :]
        if licensing:
            granted = wanted * frictions.approval
        else:  # the first round keeps what was wanted (to count refusals) if a quota may cut it
            granted = wanted.copy() if round_ == 0 and quota_cells else wanted
        for cells, left in zip(quota_cells, remaining_quota, strict=True):
            granted[cells] = _within_quota(granted[cells], left)
        asked = np.add.reduce(granted, axis=2)
        requested = asked if round_ == 0 else requested + asked
        if round_ == 0:
            # Nothing is refused where no licence or quota applies: wanted - granted is 0 in every cell.
            refused = wanted - granted if granted is not wanted else np.zeros(wanted.shape)
            first_shares = shares
        supply_scale = np.minimum(1.0, remaining_offer / np.maximum(asked, 1e-300))
        granted *= supply_scale[:, :, None]
        flows += granted
        if round_ == rounds - 1:
            break  # nothing is left over for another round
        remaining_offer = np.maximum(remaining_offer - np.add.reduce(granted, axis=2), 0.0)
        remaining_demand = np.maximum(remaining_demand - np.add.reduce(granted, axis=1), 0.0)
        remaining_quota = [
            max(left - np.add.reduce(granted[cells], None), 0.0)
            for cells, left in zip(quota_cells, remaining_quota, strict=True)
        ]
    return flows, first_shares, refused, requested


def _price_index(first_shares: np.ndarray, cost: np.ndarray, routable: np.ndarray) -> np.ndarray:
    """(goods, destinations) expected delivered cost over the buyers' first choice of origins
    (the cheapest routable cost where buyers had no choice)."""
    price_index = np.add.reduce(first_shares * cost, axis=1)
    no_choice = np.add.reduce(first_shares, axis=1) == 0
    if np.logical_or.reduce(no_choice, None):
        fallback = np.minimum.reduce(np.where(routable, cost, np.inf), axis=1)
        price_index = np.where(no_choice, fallback, price_index)
    return price_index


def cut_off_by_controls(
    result: Clearing, demand: np.ndarray, frictions: Frictions, restricted_share: float = DEFAULT.restricted_share
) -> np.ndarray:
    """(goods, destinations) True where export controls left buyers short this month: licences or
    quotas refused more than ``restricted_share`` of their demand, or a ban closed a route and they
    did not get all they asked for elsewhere."""
    refused = np.add.reduce(result.refused, axis=1)
    banned = frictions.derived.get("banned")
    if banned is None:  # once per change of policy
        banned = frictions.derived["banned"] = (frictions.open == 0).any(axis=1)
    short = result.received < (1.0 - 1e-3) * demand
    return (refused > restricted_share * demand) | (banned & short)
