"""Export quotas in the month's repricing: which buyers bid a premium of their own, and the
licence price a binding quota charges every buyer abroad of the goods it covers (model.md 7.30,
7.34; :mod:`marketsim.market.leakage`); export-control news, tightening and which buyers are exposed
to them (what sets off speculation and precaution, 7.33, 7.36)."""

from __future__ import annotations

import numpy as np

from marketsim.market import leakage
from marketsim.policy.book import Frictions
from marketsim.vocabulary import CONCENTRATE, MAGNET, NDPR
from marketsim.world.flows import Month, foreign_routes
from marketsim.world.parity import import_parity_willingness
from marketsim.world.state import World


def quota_covered(world: World) -> np.ndarray:
    """(goods, regions) True where an export quota of another region covers the good
    (:func:`marketsim.market.leakage.quota_covered` of the frictions in force; read-only, worked out
    once per change of policy: frictions are never edited in place)."""
    f = world.frictions
    covered = f.derived.get("quota_covered")
    if covered is None:
        covered = leakage.quota_covered(f.quota_goods, f.quota_origin, len(world.reference), world.size)
        covered.flags.writeable = False
        f.derived["quota_covered"] = covered
    return covered


def own_premium(world: World, month: Month) -> np.ndarray:
    """(goods, regions) True where buyers bid a scarcity premium on their own stock cover: where
    export controls cut them off, except, when binding quotas are priced once for all buyers abroad
    (7.34), where a quota covers the good and no ban singles the region out."""
    if not world.scenario.dynamics.leakage.quota_price or not len(world.frictions.quota):
        return month.cut_off
    f, result = world.frictions, month.clearing
    covered = quota_covered(world)
    banned = (f.open == 0).any(axis=1) & (result.received < (1.0 - 1e-3) * month.demand)
    return month.cut_off & (~covered | banned)


def premium_cover(world: World, month: Month) -> np.ndarray:
    """(goods, regions) buyers' stock over the stock they would aim at, which a premium of their own
    is bid on; when binding quotas are priced once (7.34), a region singled out by a ban counts its
    state stockpile too (its buyers bid against all the stock the region holds: Japan's JOGMEC
    stockpile during the 2010 halt, REF §7)."""
    held = world.ledger.buyer.amount
    if world.scenario.dynamics.leakage.quota_price:
        banned = (world.frictions.open == 0).any(axis=1)
        held = held + np.where(banned, world.ledger.stockpile.amount, 0.0)
    return held / np.maximum(world.normal_stock, 1e-9)


def price_quota(world: World, month: Month) -> None:
    """Price each export quota once for all buyers abroad of the goods it covers (7.34): its licence
    price moves with the quota's refusals and slack, and every buyer abroad pays it over the legal
    delivered cost (0 where no quota is in force). Buyers whose licence adds more than
    ``licence_cut_off`` to their delivered cost count as cut off from then on in the month."""
    params, f, result = world.scenario.dynamics.leakage, world.frictions, month.clearing
    if not params.quota_price:
        return  # licence prices stay 0 all run: nothing to charge, nobody cut off by them
    size, goods = world.size, len(world.reference)
    step, slack = np.zeros((goods, size)), np.zeros((goods, size), dtype=bool)
    covered = np.zeros((goods, size), dtype=bool)
    bound = None
    if len(f.quota):
        step, slack = leakage.quota_licence_step(
            result.flows, result.refused, result.delivered_cost, f.quota, f.quota_goods, f.quota_origin, params
        )
        covered = quota_covered(world)
        if params.licence_bound:
            rent = demand_price(world, result.delivered_cost) - result.delivered_cost
            asked = world.prices.remember_requests(result.flows + result.refused, params.licence_memory_months)
            bound = leakage.licence_bound(asked, rent, f.quota, f.quota_goods, f.quota_origin)
    world.prices.charge_licence(
        step, slack, result.delivered_cost, covered, params.licence_rise, params.licence_decay, bound
    )
    month.cut_off = month.cut_off | (world.prices.licence_gap > params.licence_cut_off)


def demand_price(world: World, delivered: np.ndarray) -> np.ndarray:
    """(goods, origins, destinations) most buyers in each destination pay for a kg of each good from
    each origin (7.38): an oxide's choke price, where substitutes take all its demand, and for NdPr
    no more than the import parity of the magnets its buyers make (7.31, without the requalification
    delay: magnet makers stop buying oxide above it); for concentrate, the buyers' refiners' break-even
    share of the value of the origin's concentrate. Magnets: no limit."""
    prices = world.prices
    most = np.broadcast_to(prices.choke[:, None, :], delivered.shape).copy()
    parity = import_parity_willingness(world, delivered[MAGNET], world.scenario.dynamics.import_parity.margin)
    most[NDPR] = np.minimum(most[NDPR], parity[NDPR][None, :])
    most[CONCENTRATE] = prices.ceiling[CONCENTRATE][None, :] * prices.base[CONCENTRATE][:, None]
    return most


def licence_floor(world: World, month: Month) -> np.ndarray | None:
    """(goods, regions) least cut-off buyers pay for a licensed kg under a tonnage quota (7.30), or
    None where licences are priced per good (``dynamics.leakage.tonnage_licences = false``)."""
    if not world.scenario.dynamics.leakage.tonnage_licences or not len(world.frictions.quota):
        return None
    result, f = month.clearing, world.frictions
    price = leakage.tonnage_licence_price(
        month.licence_premium, result.flows, result.refused, f.quota_goods, f.quota_origin
    )
    return leakage.licence_floor(result.delivered_cost, price)


def controls_news(world: World) -> tuple[np.ndarray, np.ndarray]:
    """(goods,) True where export controls on the good were imposed or changed this month (a new or
    revised export quota, licence requirement or closed route covering it; controls in force when the
    run starts count as news): what sets off quota-driven speculation (REF §10; model.md 7.33, 7.36);
    and (goods,) True where they were tightened (less quota tonnage, lower approval or a route closed;
    not at the start of a run): what sets off importers' precautionary stocking (7.36). With
    ``dynamics.stockholders.precaution_scope = "all"`` news on any good is news on every good."""
    f = world.frictions
    goods = len(world.reference)
    if "controls_levels" not in f.derived:  # once per change of policy (frictions are never edited in place)
        f.derived["controls_levels"] = _control_levels(f, goods)
    controlled, levels, signature = f.derived["controls_levels"]
    if world.controls_levels is levels:  # the same frictions as last month: nothing imposed, changed or tightened
        return np.zeros(goods, dtype=bool), np.zeros(goods, dtype=bool)
    per_good, covered, quota = levels[0], levels[1], levels[2]
    tightened = np.zeros(goods, dtype=bool)
    if world.controls_levels is None:
        news = controlled.copy()
    else:
        seen, was_covered, was_quota, was_approval, was_routes = world.controls_levels
        news = controlled & np.array([per_good[g] != seen[g] for g in range(goods)])
        tighter_quota = covered & (~was_covered | (quota < was_quota - 1e-9))
        tightened = controlled & (tighter_quota | (levels[3] < was_approval - 1e-9) | (levels[4] < was_routes - 1e-9))
    world.controls_levels = levels
    if world.scenario.dynamics.stockholders.precaution_scope == "all":
        # 7.33's rule: any change of the controls while some are in force is news on every good.
        news = np.full(goods, bool(controlled.any() or len(f.quota)) and signature != world.controls_seen)
    world.controls_seen = signature
    return news, tightened


def _control_levels(f: Frictions, goods: int) -> tuple[np.ndarray, tuple, tuple]:
    """What :func:`controls_news` compares from month to month, for the frictions ``f``: (goods,) True
    where some control covers the good; each good's controls and its quota tonnage, approval and open
    routes; and the controls' signature (7.33's rule)."""
    covered = f.quota_goods.astype(bool).any(axis=0) if len(f.quota) else np.zeros(goods, dtype=bool)
    quota = np.array([f.quota[f.quota_goods[:, g].astype(bool)].sum() for g in range(goods)])
    approval, routes = f.approval.reshape(goods, -1), f.open.reshape(goods, -1)
    controlled = covered | (approval < 1.0).any(axis=1) | (routes == 0.0).any(axis=1)
    quotas = tuple(zip(f.quota, f.quota_origin, strict=True))
    per_good = tuple(
        (tuple(q for q, row in zip(quotas, f.quota_goods, strict=True) if row[g]), approval[g].sum(), routes[g].sum())
        for g in range(goods)
    )
    levels = (per_good, covered, quota, approval.sum(axis=1), routes.sum(axis=1))
    signature = (tuple(f.quota), tuple(f.quota_origin), float(f.approval.sum()), float(f.open.sum()))
    return controlled, levels, signature


def exposed_buyers(world: World) -> np.ndarray:
    """(goods, regions) True where buyers import a good under export controls of another region (an
    export quota covering it, a licence requirement or a closed route into the region)."""
    f = world.frictions
    exposed = f.derived.get("exposed_buyers")
    if exposed is None:  # once per change of policy (frictions are never edited in place)
        foreign = foreign_routes(world.size)[None, :, :]
        controlled_routes = ((f.approval < 1.0) | (f.open == 0.0)) & foreign
        exposed = f.derived["exposed_buyers"] = quota_covered(world) | controlled_routes.any(axis=1)
        exposed.flags.writeable = False
    return exposed
