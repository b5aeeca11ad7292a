"""Metrics of the market's dynamics (issue 13): contract and spot prices, licence premia, smuggling
and the stockholders' rule shares, derived from the recorder's raw fields."""

from __future__ import annotations

import numpy as np


def with_world(values: np.ndarray, world: np.ndarray) -> np.ndarray:
    """(ticks, goods, regions) values plus a world column, and an 'all' row of NaN."""
    ticks, goods, regions = values.shape
    out = np.full((ticks, goods + 1, regions + 1), np.nan)
    out[:, :goods, :regions] = values
    out[:, :goods, regions] = world
    return out


def _with_all(values: np.ndarray) -> np.ndarray:
    """Fill the 'all' row of a tonnage metric with the sum over goods."""
    values[:, -1, :] = np.nansum(values[:, :-1, :], axis=1)
    return values


def _weighted(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean over regions; the plain mean where the weights are all zero."""
    total = weights.sum(axis=-1)
    mean = np.divide((values * weights).sum(axis=-1), total, out=np.zeros_like(total), where=total > 0)
    return np.where(total > 0, mean, values.mean(axis=-1))


def market_metrics(raw: dict, received: np.ndarray, sold: np.ndarray, price: np.ndarray) -> dict[str, np.ndarray]:
    """The dynamics metrics over all ticks.

    Args:
        raw: The recorder's raw fields (``contract_price``, ``licence_premium``, ``smuggled``,
            ``fundamentalists``, ``undocumented`` and ``flows`` are read).
        received: (ticks, goods, regions) tonnes each region received.
        sold: (ticks, goods, regions) tonnes each region sold.
        price: The derived ``price`` metric (``spot_price`` is the same).
    """
    exported = sold - np.einsum("tgii->tgi", raw["flows"])
    fundamentalists = raw["fundamentalists"]
    return {
        "contract_price": with_world(raw["contract_price"], _weighted(raw["contract_price"], received)),
        "spot_price": price,
        "licence_premium": with_world(raw["licence_premium"], _weighted(raw["licence_premium"], exported)),
        "smuggled": _with_all(with_world(raw["smuggled"], raw["smuggled"].sum(axis=-1))),
        "undocumented_mining": np.concatenate(
            [raw["undocumented"], raw["undocumented"].sum(axis=-1, keepdims=True)], axis=-1
        ),
        "fundamentalist_share": with_world(fundamentalists, fundamentalists.mean(axis=-1)),
    }
