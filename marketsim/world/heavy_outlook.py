"""What China's government sees when it sets its ionic-clay (medium-heavy) quota: the world's Dy/Tb
need, the other mines' Dy/Tb, the market's unsold Dy/Tb and what a tonne of ionic concentrate
yields (:mod:`marketsim.governance.heavy_quota`, docs/model.md 7.35)."""

from __future__ import annotations

import numpy as np

from marketsim.governance.heavy_quota import HeavyQuota
from marketsim.vocabulary import DYTB, ELEMENT_DYTB, ELEMENT_NDPR, MAGNET
from marketsim.world.flows import Month
from marketsim.world.state import World


def dytb_need(world: World, month: Month) -> float:
    """This month's structural Dy/Tb oxide need, t/yr: end users' need at their growth and long-run
    thrift (as :func:`marketsim.world.capacity.observed_need`), magnets at the makers' long-run Dy/Tb
    intensity (capacity-weighted), net of manufacturing scrap recycled."""
    plants, recycling, buyers = world.magnet_plants, world.scenario.recycling, world.manufacturers
    kept = 1.0 - plants.scrap_share * recycling.scrap_collection * recycling.recovery_rate
    installed = plants.capacity.sum()
    intensity = (
        float((plants.capacity * plants.thrifted[plants.region]).sum() / installed)
        if installed > 0
        else plants.base_dytb_per_tonne
    )
    tick = min(month.tick, len(buyers.growth_index) - 1)
    structural = buyers.base * buyers.growth_index[tick][buyers.sector] * buyers.thrift
    magnets = structural[buyers.good == MAGNET].sum()
    return 12.0 * float(structural[buyers.good == DYTB].sum() + magnets * intensity * kept)


def content(world: World, heavy: HeavyQuota, element: int) -> float:
    """Share of an element group in the category's concentrate (capacity-weighted)."""
    mines = world.mines
    installed = float(mines.capacity[heavy.ionic].sum())
    if installed <= 0:
        return float(mines.composition[heavy.ionic, element].mean())
    return float((mines.capacity * mines.composition[:, element])[heavy.ionic].sum()) / installed


def others_dytb(world: World, heavy: HeavyQuota, utilisation: float) -> float:
    """Dy/Tb oxide the mines outside the category supply, t/yr: their capacity at normal
    utilisation (not their output: see :func:`marketsim.world.capacity.others_feed_supply`)."""
    mines = world.mines
    outside = ~heavy.ionic
    dytb = (mines.capacity * mines.composition[:, ELEMENT_DYTB])[outside].sum()
    return utilisation * world.scenario.separation_recovery * float(dytb)


def dytb_gap(world: World) -> float:
    """The world's unsold Dy/Tb oxide short of sellers' target cover, t (negative: a surplus)."""
    target = world.market.seller_cover_months * float(world.orders[DYTB].sum())
    return target - float(world.ledger.seller.amount[DYTB].sum())


def review_heavy(world: World, month: Month, utilisation: float, growth: float) -> None:
    """Review the ionic-clay quota when the managing government reviews its quotas.

    Args:
        world: The world.
        month: This month.
        utilisation: The industry's normal utilisation of others' capacity.
        growth: Growth of need expected over the coming review period.
    """
    managed = world.managed
    if not managed.split:
        return
    heavy = managed.heavy
    heavy.prices.append(float(world.prices.regional[DYTB, managed.region]))
    if not managed.due(month.tick):
        return
    recovered = world.scenario.separation_recovery * content(world, heavy, ELEMENT_DYTB)
    need, others = dytb_need(world, month) * growth, others_dytb(world, heavy, utilisation)
    rule = managed.params
    heavy.review(need, others, dytb_gap(world), recovered, rule.band_response, rule.fill_gap)


def ionic_ndpr_feed(world: World) -> float:
    """The ionic clays' output at their quota, in t/yr of the world's NdPr feed (0 while they share
    the region's one quota): what the light quota need not supply."""
    managed = world.managed
    if not managed.split:
        return 0.0
    mined = managed.heavy.quota / (1.0 - managed.params.undocumented_share)
    return mined * content(world, managed.heavy, ELEMENT_NDPR) / max(world.world_mix[1], 1e-6)


def home_groups(world: World) -> list[tuple[np.ndarray, float]]:
    """The managing region's mines as (rows, yearly output cap) groups, each ordering capacity
    toward its own quota: the light mines and the ionic clays once they have their own quota."""
    managed, mines = world.managed, world.mines
    home = mines.region == managed.region
    if not managed.split:
        return [(home, managed.output_cap)]
    keep = 1.0 - managed.params.undocumented_share
    ionic = managed.heavy.ionic
    return [(home & ~ionic, managed.quota / keep), (ionic, managed.heavy.quota / keep)]
