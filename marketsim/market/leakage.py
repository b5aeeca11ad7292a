"""Export quotas' licence rent and leakage (REF §10 K7, K9).

A binding export quota (or licence) refuses part of what buyers abroad ask for. Its shadow price,
the **licence premium**, is what a licence is worth per kg: the gap between what cut-off buyers
abroad pay (their regional price, scarcity included) and the legal delivered cost from the
exporter. That gap also pays smugglers: each month a share of the refused requests leaks past the
quota, growing with the log price gap and bounded by ``max_share`` and by the exporter's unsold
stock (undocumented mining, the other leak, is a share of the managed region's mine output:
``managed_supply.undocumented_share``).
"""

from __future__ import annotations

import numpy as np

from marketsim.scenario.dynamics import LeakageParams


def licence_premium(flows: np.ndarray, refused: np.ndarray, delivered: np.ndarray, regional: np.ndarray) -> np.ndarray:
    """(goods, origins) licence premium, US$/kg: where controls refused some of a good's exports
    from an origin, the export-weighted gap between importers' regional price and the legal
    delivered cost; 0 elsewhere.

    Args:
        flows: (goods, origins, destinations) tonnes delivered.
        refused: (goods, origins, destinations) tonnes refused by licences or quotas.
        delivered: (goods, origins, destinations) legal delivered cost, US$/kg.
        regional: (goods, destinations) price buyers in each region face, US$/kg.
    """
    foreign = ~np.eye(flows.shape[1], dtype=bool)[None, :, :]
    gap = np.maximum(regional[:, None, :] - delivered, 0.0) * foreign
    weight = (flows + refused) * foreign
    total = weight.sum(axis=2)
    premium = np.divide((gap * weight).sum(axis=2), total, out=np.zeros_like(total), where=total > 0)
    return np.where(refused.sum(axis=2) > 1e-9, premium, 0.0)


def smuggle(
    refused: np.ndarray,
    delivered: np.ndarray,
    regional: np.ndarray,
    unsold: np.ndarray,
    params: LeakageParams,
    taxed_trade: np.ndarray | None = None,
) -> np.ndarray:
    """(goods, origins, destinations) tonnes smuggled past export controls this month: the share
    ``min(rate * ln(P_d / C_od), max_share)`` of the refused requests, scaled to the origin's
    unsold stock.

    Args:
        refused: (goods, origins, destinations) tonnes refused by licences or quotas.
        delivered: (goods, origins, destinations) legal delivered cost, US$/kg.
        regional: (goods, destinations) price buyers in each region face, US$/kg.
        unsold: (goods, origins) sellers' stock left after clearing, t.
        params: Leakage parameters.
        taxed_trade: (goods, origins, destinations) legal exports that paid an export tax or used
            a quota licence this month; the same share of them is matched by smuggled tonnes
            (evasion grows with the tax and licence gap on all the trade of a route: Fisman & Wei
            2004; REF §10 K9). None: only refused requests leak.
    """
    ratio = np.divide(regional[:, None, :], delivered, out=np.ones_like(delivered), where=delivered > 0)
    share = np.clip(params.rate * np.log(np.maximum(ratio, 1.0)), 0.0, params.max_share)
    base = refused if taxed_trade is None else refused + taxed_trade
    wanted = base * share
    asked = wanted.sum(axis=2)
    scale = np.minimum(1.0, np.divide(unsold, asked, out=np.ones_like(asked), where=asked > 0))
    return wanted * scale[:, :, None]


def tonnage_licence_price(
    premium: np.ndarray, flows: np.ndarray, refused: np.ndarray, quota_goods: np.ndarray, quota_origin: np.ndarray
) -> np.ndarray:
    """(goods, origins) price of a licence to export a kg under each binding tonnage quota: the
    tonnage-weighted mean of the licence premia of the goods it covers, the same for each of them
    (a quota counted in tonnes, with licences traded between exporters, carries one shadow price
    per tonne whatever good it ships: Falvey 1979; REF §10 K7-K8: licences traded at about US$15/kg
    for La in 2010); 0 where no quota binds.

    Args:
        premium: (goods, origins) licence premium of each good (:func:`licence_premium`), US$/kg.
        flows: (goods, origins, destinations) tonnes delivered.
        refused: (goods, origins, destinations) tonnes refused by licences or quotas.
        quota_goods: (quotas, goods) goods each export quota covers.
        quota_origin: (quotas,) region each export quota applies to.
    """
    tonnes = _abroad(flows + refused)
    price = np.zeros_like(premium)
    for goods, origin in zip(quota_goods, quota_origin, strict=True):
        covered = np.flatnonzero(goods)
        weight = tonnes[covered, origin]
        if weight.sum() <= 0 or not (premium[covered, origin] > 0).any():
            continue
        price[covered, origin] = np.maximum(
            price[covered, origin], (premium[covered, origin] * weight).sum() / weight.sum()
        )
    return price


def _abroad(tonnes: np.ndarray) -> np.ndarray:
    """(goods, origins) sum over destinations other than the origin of (goods, origins, destinations) tonnes."""
    return (tonnes * ~np.eye(tonnes.shape[1], dtype=bool)[None, :, :]).sum(axis=2)


def licence_floor(delivered: np.ndarray, licence_price: np.ndarray) -> np.ndarray:
    """(goods, destinations) least a buyer abroad pays for a licensed kg: the cheapest legal
    delivered cost plus the licence price over the origins whose quota binds (0 where none)."""
    licensed = licence_price[:, :, None] > 0
    cost = np.where(licensed, delivered + licence_price[:, :, None], np.inf)
    cost[:, np.arange(cost.shape[1]), np.arange(cost.shape[1])] = np.inf
    cheapest = cost.min(axis=1)
    return np.where(np.isfinite(cheapest), cheapest, 0.0)


def refused_share(
    flows: np.ndarray, refused: np.ndarray, quota_goods: np.ndarray, quota_origin: np.ndarray
) -> np.ndarray:
    """(quotas,) share of the tonnes buyers abroad asked each export quota's origin for, over the
    goods it covers, that the quota refused this month (0 where nothing was asked).

    Args:
        flows: (goods, origins, destinations) tonnes delivered.
        refused: (goods, origins, destinations) tonnes refused by licences or quotas.
        quota_goods: (quotas, goods) goods each export quota covers.
        quota_origin: (quotas,) region each export quota applies to.
    """
    asked, denied = _abroad(flows + refused), _abroad(refused)
    share = np.zeros(len(quota_origin))
    for q, (goods, origin) in enumerate(zip(quota_goods, quota_origin, strict=True)):
        covered = np.flatnonzero(goods)
        total = asked[covered, origin].sum()
        share[q] = denied[covered, origin].sum() / total if total > 0 else 0.0
    return share


def quota_licence_step(
    flows: np.ndarray,
    refused: np.ndarray,
    delivered: np.ndarray,
    quota: np.ndarray,
    quota_goods: np.ndarray,
    quota_origin: np.ndarray,
    params: LeakageParams,
) -> tuple[np.ndarray, np.ndarray]:
    """How each export quota's licence price should move this month (model.md 7.34), as the
    increment that would clear this month's refusals and the mask of quotas left slack.

    A quota that refused the share ``s`` of the requests made at this month's licence price needs a
    licence dearer by ``(1 - s) ** (-1 / e) - 1`` times the legal export cost (``e``: the licence
    elasticity of requests), the tonnage-weighted export cost of the goods it covers (one price per
    tonne; per good where ``params.tonnage_licences`` is false). One price for all buyers abroad,
    whatever their own stocks (Falvey 1979; REF §10 K7). A quota that refused nothing and shipped
    under 99 % of its ceiling is slack: its licence price falls.

    Args:
        flows: (goods, origins, destinations) tonnes delivered.
        refused: (goods, origins, destinations) tonnes refused by licences or quotas.
        delivered: (goods, origins, destinations) legal delivered cost, US$/kg.
        quota: (quotas,) monthly ceiling of each export quota, t.
        quota_goods: (quotas, goods) goods each export quota covers.
        quota_origin: (quotas,) region each export quota applies to.
        params: Leakage parameters (licence elasticity, tonnage licences).

    Returns:
        (goods, origins) increment of the licence price, US$/kg, and (goods, origins) True where the
        quota covering the good is slack.
    """
    foreign = ~np.eye(flows.shape[1], dtype=bool)[None, :, :]
    weight = (flows + refused) * foreign
    tonnes = weight.sum(axis=2)
    shipped = (flows * foreign).sum(axis=2)
    cost = np.divide((delivered * weight).sum(axis=2), tonnes, out=np.zeros_like(tonnes), where=tonnes > 0)
    shares = refused_share(flows, refused, quota_goods, quota_origin)
    step, slack = np.zeros_like(tonnes), np.zeros(tonnes.shape, dtype=bool)
    for share, ceiling, goods, origin in zip(shares, quota, quota_goods, quota_origin, strict=True):
        covered = np.flatnonzero(goods)
        if share <= 1e-6:
            slack[covered, origin] |= shipped[covered, origin].sum() < 0.99 * ceiling
            continue
        ratio = max(1.0 - share, 1e-9) ** (-1.0 / params.licence_elasticity) - 1.0
        value = cost[covered, origin]
        if params.tonnage_licences:
            value = np.full(len(covered), (value * tonnes[covered, origin]).sum() / tonnes[covered, origin].sum())
        step[covered, origin] = np.maximum(step[covered, origin], ratio * value)
    return step, slack & (step <= 0)


def licence_bound(
    asked: np.ndarray,
    rent: np.ndarray,
    quota: np.ndarray,
    quota_goods: np.ndarray,
    quota_origin: np.ndarray,
) -> np.ndarray:
    """(goods, origins) most a licence under each binding export quota is worth (model.md 7.38): the
    rent of the marginal tonne, what the buyer of the last tonne that fits the quota would pay over
    the legal delivered cost when this month's requests abroad for the goods it covers are ranked by
    that rent (Falvey 1979: the quota rent is the gap between the demand price at the quota and the
    supply cost). No buyer pays more for a licence than its good is worth to it, so requests from
    buyers priced out (their demand price below cost plus licence) stop raising the licence price.
    Infinite where no quota covers the good or the requests fit the quota.

    Args:
        asked: (goods, origins, destinations) tonnes buyers ask for a month (delivered plus refused).
        rent: (goods, origins, destinations) buyers' demand price less the legal delivered cost, US$/kg.
        quota: (quotas,) monthly ceiling of each export quota, t.
        quota_goods: (quotas, goods) goods each export quota covers.
        quota_origin: (quotas,) region each export quota applies to.
    """
    bound = np.full(asked.shape[:2], np.inf)
    for ceiling, goods, origin in zip(quota, quota_goods, quota_origin, strict=True):
        covered = np.flatnonzero(goods)
        abroad = np.flatnonzero(np.arange(asked.shape[2]) != origin)
        tonnes = asked[np.ix_(covered, [origin], abroad)].ravel()
        rents = rent[np.ix_(covered, [origin], abroad)].ravel()
        order = np.argsort(-rents, kind="stable")
        filled = np.cumsum(tonnes[order])
        if filled.size == 0 or filled[-1] <= ceiling:
            continue
        marginal = rents[order][np.searchsorted(filled, max(ceiling, 0.0), side="right")]
        bound[covered, origin] = np.minimum(bound[covered, origin], max(marginal, 0.0))
    return bound


def quota_covered(quota_goods: np.ndarray, quota_origin: np.ndarray, goods: int, size: int) -> np.ndarray:
    """(goods, destinations) True where an export quota of another region covers the good: there
    its buyers pay the quota's licence price, not a premium of their own."""
    covered = np.zeros((goods, size), dtype=bool)
    for covers, origin in zip(quota_goods, quota_origin, strict=True):
        abroad = np.arange(size) != origin
        covered |= covers.astype(bool)[:, None] & abroad[None, :]
    return covered
