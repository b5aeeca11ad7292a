"""The starting stocks of a world: every pool at its target, with China tracers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from marketsim.vocabulary import CONCENTRATE, DYTB, ELEMENTS, GOODS, MAGNET, NDPR, OXIDE_ROWS, TRACERS
from marketsim.world import build as world

if TYPE_CHECKING:
    from marketsim.model import RareEarthModel

FEED_COVER_MONTHS = 1.5
"""Stock of inputs plants aim to hold, in months of planned use."""


def fill_initial_stocks(model: RareEarthModel) -> None:
    """Start with every stock at its target, so the first months show the world's own
    imbalances rather than a refilling of empty shelves."""
    size = len(model.regions)
    need, output = world.starting_flows(
        model.mines,
        model.refiners,
        model.magnet_plants,
        model.manufacturers,
        model._mine_mix,
        model.config.separation_recovery,
        size,
        model.recyclers,
    )
    model.orders = output.copy()
    china_content = np.zeros((len(GOODS), size, TRACERS))
    if model.china >= 0:
        # Imported stock carries China's world share of each stage; China's own is Chinese.
        stage_output = (output[CONCENTRATE], output[OXIDE_ROWS].sum(axis=0), output[MAGNET])
        for stage, made in enumerate(stage_output):
            china_content[:, :, stage] = made[model.china] / max(made.sum(), 1e-9)
        china_content[:, model.china, :3] = 1.0
    elements = np.zeros((len(GOODS), size, TRACERS))
    elements[CONCENTRATE, :, ELEMENTS] = model._mine_mix
    end_use = model.manufacturers.total(model.manufacturers.base)
    buyer_stock = need + FEED_COVER_MONTHS * (need - end_use) + model.manufacturers.target_stock(np.zeros_like(need))
    # Separation capacity exceeds ore supply, so refiners hold little feed beyond the month's.
    buyer_stock[CONCENTRATE] = need[CONCENTRATE]
    held = {model.ledger.seller: model.config.market.seller_cover_months * output, model.ledger.buyer: buyer_stock}
    for pool, stock in held.items():
        pool.add(stock, stock[:, :, None] * (china_content + elements))
    days = np.array([r.stockpile_days for r in model.config.regions.values()])
    recipe = np.array([model.magnet_plants.ndpr_per_tonne, model.magnet_plants.base_dytb_per_tonne])
    use = np.maximum(need[[NDPR, DYTB]], need[MAGNET] * recipe[:, None])
    stockpile = np.zeros((len(GOODS), size))
    stockpile[[NDPR, DYTB]] = days / 30.0 * use
    model.ledger.stockpile.add(stockpile, stockpile[:, :, None] * china_content)
