"""The starting world: its monthly flows at the start, and every stock filled to its target with
China tracers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from marketsim.vocabulary import (
    CONCENTRATE,
    DYTB,
    ELEMENT_GROUPS,
    ELEMENT_TO_GOOD,
    ELEMENTS,
    GOODS,
    MAGNET,
    NDPR,
    OXIDE_ROWS,
    TRACERS,
)

if TYPE_CHECKING:
    from marketsim.agents.magnet_plant import MagnetPlantFleet
    from marketsim.agents.manufacturer import ManufacturerFleet
    from marketsim.agents.mine import MineFleet
    from marketsim.agents.recycler import RecyclerFleet
    from marketsim.agents.refiner import RefinerFleet
    from marketsim.world.state import World


def starting_magnet_output(plants: MagnetPlantFleet, buyers: ManufacturerFleet, regions: int) -> np.ndarray:
    """(regions,) magnets made a month at the start: world magnet need shared by plant capacity."""
    capacity = plants.by_region(plants.capacity, regions)
    return buyers.total(buyers.base)[MAGNET].sum() * (capacity / max(capacity.sum(), 1e-9))


def starting_flows(
    mines: MineFleet,
    refiners: RefinerFleet,
    plants: MagnetPlantFleet,
    buyers: ManufacturerFleet,
    mine_mix: np.ndarray,
    recovery: float,
    regions: int,
    recyclers: RecyclerFleet | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Monthly flows of the starting world, to size its first stocks (oxide output includes the
    oxide recyclers recover from manufacturing scrap, when ``recyclers`` are given).

    Returns:
        ``(need, output)``: (goods, regions) what each region's users and plants use a month,
        and what its producers make a month, with all capacity shared out in proportion.
    """

    def share(capacity: np.ndarray) -> np.ndarray:
        return capacity / max(capacity.sum(), 1e-9)

    need = buyers.total(buyers.base)
    output = np.zeros_like(need)
    output[MAGNET] = starting_magnet_output(plants, buyers, regions)
    need[NDPR] += output[MAGNET] * plants.ndpr_per_tonne
    need[DYTB] += output[MAGNET] * plants.base_dytb_per_tonne
    mined = mines.by_region(mines.capacity, regions) / 12.0
    output[CONCENTRATE] = mined
    separating = share(refiners.by_region(refiners.capacity, regions))
    need[CONCENTRATE] = mined.sum() * separating
    elements = recovery * mined @ mine_mix
    for group, good in ELEMENT_TO_GOOD.items():
        output[good] = elements[ELEMENT_GROUPS.index(group)] * separating
    if recyclers is not None and plants.scrap_share > 0:
        kept = recyclers.by_region(recyclers.scrap_collection, regions) * recyclers.recovery_rate * plants.scrap_share
        output[NDPR] += output[MAGNET] * plants.ndpr_per_tonne * kept
        output[DYTB] += output[MAGNET] * plants.base_dytb_per_tonne * kept
    return need, output


def fill_initial_stocks(world: World) -> None:
    """Start with every stock at its target, so the first months show the world's own
    imbalances rather than a refilling of empty shelves."""
    size = world.size
    need, output = starting_flows(
        world.mines,
        world.refiners,
        world.magnet_plants,
        world.manufacturers,
        world.mine_mix,
        world.scenario.separation_recovery,
        size,
        world.recyclers,
    )
    world.orders = output.copy()
    world.sales_trend = output.copy()
    china_content = np.zeros((len(GOODS), size, TRACERS))
    if world.china >= 0:
        # Imported stock carries China's world share of each stage; China's own is Chinese.
        stage_output = (output[CONCENTRATE], output[OXIDE_ROWS].sum(axis=0), output[MAGNET])
        for stage, made in enumerate(stage_output):
            china_content[:, :, stage] = made[world.china] / max(made.sum(), 1e-9)
        china_content[:, world.china, :3] = 1.0
    elements = np.zeros((len(GOODS), size, TRACERS))
    elements[CONCENTRATE, :, ELEMENTS] = world.mine_mix
    end_use = world.manufacturers.total(world.manufacturers.base)
    feed_cover = world.scenario.behaviour.feed_cover_months
    buyer_stock = need + feed_cover * (need - end_use) + world.manufacturers.target_stock(np.zeros_like(need))
    # Separation capacity exceeds ore supply, so refiners hold little feed beyond the month's.
    buyer_stock[CONCENTRATE] = need[CONCENTRATE]
    held = {world.ledger.seller: world.scenario.market.seller_cover_months * output, world.ledger.buyer: buyer_stock}
    for pool, stock in held.items():
        pool.add(stock, stock[:, :, None] * (china_content + elements))
    days = np.array([r.stockpile_days for r in world.scenario.regions.values()])
    recipe = np.array([world.magnet_plants.ndpr_per_tonne, world.magnet_plants.base_dytb_per_tonne])
    use = np.maximum(need[[NDPR, DYTB]], need[MAGNET] * recipe[:, None])
    stockpile = np.zeros((len(GOODS), size))
    stockpile[[NDPR, DYTB]] = days / 30.0 * use
    world.ledger.stockpile.add(stockpile, stockpile[:, :, None] * china_content)
