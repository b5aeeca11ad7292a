"""The phases of a month over a :class:`~marketsim.world.state.World`, in the order
:meth:`RareEarthModel.step <marketsim.model.RareEarthModel.step>` runs them.

Each phase gathers from the World what one agent set (or the market) needs, lets it act with
its vectorised verb, and books the result in the ledger and the month's flows (:class:`Month`).
"""

from __future__ import annotations

import numpy as np

from marketsim.market import fundamentals, leakage, pricing, valuation
from marketsim.market.clearing import clear, cut_off_by_controls
from marketsim.vocabulary import (
    CHINA_MAGNETS,
    CHINA_MINED,
    CHINA_SEPARATED,
    CONCENTRATE,
    DYTB,
    ELEMENTS,
    MAGNET,
    MAGNET_ROWS,
    NDPR,
    OXIDE_ROWS,
    OXIDE_SPAN,
    REO_ROWS,
)
from marketsim.world.arbitrage import bidders, bound_premium, reexport
from marketsim.world.capacity import acquire_capacity
from marketsim.world.dumping import dump_premium
from marketsim.world.flows import Month, foreign_routes, goods_by_region, no_tracers, offer_output
from marketsim.world.parity import import_parity_willingness
from marketsim.world.quotas import (
    controls_news,
    exposed_buyers,
    licence_floor,
    own_premium,
    premium_cover,
    price_quota,
)
from marketsim.world.state import World


def open_month(world: World, tick: int) -> Month:
    """Value the feed and the concentrate on offer, rebase prices for the month and open its
    books."""
    prices, floor = world.prices, world.frictions.floor
    seller = prices.seller  # last month's posted prices (a new array at each read of the book)
    oxides_posted = pricing.producer_price(seller, floor)[OXIDE_ROWS].T
    offered = valuation.offered_mix(world)
    values = valuation.feed_mix(world, offered) * oxides_posted
    market_values = offered * oxides_posted
    market_oxides, market_dytb = market_values[:, 0] + market_values[:, 1], market_values[:, 2]
    base = pricing.price_base(
        valuation.concentrate_value(world, seller),
        valuation.magnet_cost(world, prices.regional),
        world.reference[MAGNET],
    )
    payable = valuation.refiners_payable(world, market_oxides, market_dytb)
    normal = world.scenario.dynamics.capacity.normal_utilisation
    ore = (
        12.0 * np.add.reduce(world.mines.output, None)
        if np.logical_or.reduce(world.mines.output, None)
        else np.add.reduce(world.mines.capacity, None) * normal
    )
    refining = world.refiners.by_region(world.refiners.capacity, world.size)
    prices.rebase(base, pricing.price_ceiling(world.reference, payable, refining, world.market, ore))
    market_posted = prices.seller  # this month's, after the rebase (a new array: the month's own)
    return Month(
        tick=tick,
        market_posted=market_posted,
        posted=pricing.producer_price(market_posted, floor),
        oxide_value=values[:, 0] + values[:, 1],
        dytb_value=values[:, 2],
        market_oxides=market_oxides,
        market_dytb=market_dytb,
        held_before=world.ledger.held(REO_ROWS),
        magnets_before=world.ledger.held(MAGNET_ROWS),
        produced=goods_by_region(world),
    )


def produce(world: World, month: Month, rng: np.random.Generator) -> None:
    """Mines produce concentrate (some are down this month) and offer it."""
    f, posted = world.frictions, month.posted
    outage = rng.random(len(world.mines)) < world.market.outage_rate
    elements = world.mines.produce(
        posted[CONCENTRATE] / world.prices.base[CONCENTRATE],
        valuation.netback_values(world, posted),
        f.stage_cost_share("mining"),
        np.minimum(f.mining_quota, world.managed.monthly_cap(world.size)),
        outage,
        valuation.unsold_brake(world, CONCENTRATE) * f.mine_available,
        world.managed.group_caps(),
    )
    month.produced[CONCENTRATE] = month.mined = np.add.reduce(elements, axis=1)
    carried = no_tracers(world)
    carried[CONCENTRATE, :, ELEMENTS] = elements
    made = goods_by_region(world)
    made[CONCENTRATE] = month.mined
    offer_output(world, made, CHINA_MINED, carried)


def separate(world: World, month: Month) -> None:
    """Separation plants plan next month's feed, separate the concentrate on hand into oxides
    and offer them."""
    size, buyer, regional = world.size, world.ledger.buyer, world.prices.regional
    stage_cost = world.frictions.stage_cost_share("separation")
    month.planned_feed = world.refiners.plan(month.market_oxides, month.market_dytb, regional[CONCENTRATE], stage_cost)
    used, oxides, month.lost = world.refiners.separate(
        month.oxide_value,
        month.dytb_value,
        stage_cost,
        buyer.amount[CONCENTRATE],
        buyer.tracer[CONCENTRATE][:, ELEMENTS],
    )
    month.taken = goods_by_region(world)
    month.taken[CONCENTRATE] = used
    feed_tracer = buyer.take(month.taken)[CONCENTRATE]
    mined_in_china = np.divide(feed_tracer[:, CHINA_MINED], used, out=np.zeros(size), where=used > 0)
    made = goods_by_region(world)
    made[OXIDE_ROWS] = oxides.T
    carried = no_tracers(world)
    carried[:, :, CHINA_MINED] = made * mined_in_china
    offer_output(world, made, CHINA_SEPARATED, carried)
    month.produced += made
    month.separated = np.add.reduce(made, axis=0)


def plan_magnets(world: World, month: Month, rng: np.random.Generator) -> np.ndarray:
    """Magnet plants plan to make to order and end users plan their need; return the (plants,)
    planned output."""
    plants, f, regional = world.magnet_plants, world.frictions, world.prices.regional
    stock_gap = world.market.seller_cover_months * world.orders[MAGNET] - world.ledger.seller.amount[MAGNET]
    orders = np.maximum(world.orders[MAGNET] + stock_gap / world.scenario.behaviour.restock_months, 0.0)
    planned = plants.plan(month.posted[MAGNET], regional[NDPR], regional[DYTB], f.stage_cost_share("magnets"), orders)
    month.plan = plants.by_region(planned, world.size)
    sigma = world.market.demand_noise
    noise = np.exp(sigma * rng.standard_normal(len(world.manufacturers)) - 0.5 * sigma**2)
    month.sector_need = world.manufacturers.plan_need(
        month.tick, world.contracts.paid(regional), noise * f.demand_factor[world.manufacturers.sector]
    )
    return planned


def make_magnets(world: World, month: Month, planned: np.ndarray) -> None:
    """End users and magnet plants draw on their region's stock; plants make magnets (Dy-free
    grades where Dy/Tb runs short) and offer them."""
    plants, buyer = world.magnet_plants, world.ledger.buyer
    need = month.sector_need.copy()
    need[NDPR] += month.plan * plants.ndpr_per_tonne
    need[DYTB] += month.plan * plants.dytb_per_tonne
    served, by_buyer = world.manufacturers.serve(buyer.amount, need)
    dytb_limit = served[DYTB] + (1.0 - served[DYTB]) * world.scenario.behaviour.dy_free_share
    month.magnets = magnets = plants.make(planned, np.minimum(served[NDPR], dytb_limit))
    month.consumed = world.manufacturers.consume(by_buyer)
    into = month.into_magnets = goods_by_region(world)
    into[NDPR] = magnets * plants.ndpr_per_tonne
    into[DYTB] = np.minimum(magnets, month.plan * served[DYTB]) * plants.dytb_per_tonne
    month.content = buyer.content()
    buyer.take(month.consumed + into)
    inputs = np.add.reduce(month.content * into[:, :, None], axis=0)
    input_tonnes = np.add.reduce(into, axis=0)
    per_magnet = np.divide(inputs, input_tonnes[:, None], out=np.zeros(inputs.shape), where=input_tonnes[:, None] > 0)
    made = goods_by_region(world)
    made[MAGNET] = magnets
    carried = no_tracers(world)
    carried[MAGNET, :, :CHINA_MAGNETS] = magnets[:, None] * per_magnet[:, :CHINA_MAGNETS]
    offer_output(world, made, CHINA_MAGNETS, carried)
    month.produced += made


def recycle(world: World, month: Month) -> None:
    """Recyclers recover NdPr and Dy/Tb oxide from end-of-life magnets and this month's
    manufacturing scrap and offer it; end users' magnets start their life."""
    size, plants = world.size, world.magnet_plants
    month.scrap = scrap = month.into_magnets * plants.scrap_share
    month.end_of_life = world.end_of_life.arriving(month.tick) * plants.reo_per_magnet
    recipe = np.array([plants.ndpr_per_tonne, plants.base_dytb_per_tonne])
    split = recipe / np.add.reduce(recipe, None)
    recovered_value = split[0] * month.posted[NDPR] + split[1] * month.posted[DYTB]
    scrap_reo = np.add.reduce(scrap, axis=0)
    month.recycled, month.scrap_recycled = world.recyclers.recycle(
        month.end_of_life, recovered_value, world.frictions.stage_cost_share("recycling"), scrap_reo
    )
    made = goods_by_region(world)
    made[NDPR], made[DYTB] = month.recycled * split[0], month.recycled * split[1]
    carried = no_tracers(world)
    if np.logical_or.reduce(month.scrap_recycled, None):
        share = np.divide(month.scrap_recycled, scrap_reo, out=np.zeros(size), where=scrap_reo > 0)
        from_scrap = scrap * share
        made += from_scrap
        carried[:, :, CHINA_MINED] = from_scrap * month.content[:, :, CHINA_MINED]
    offer_output(world, made, CHINA_SEPARATED, carried)
    month.produced += made
    buyers = world.manufacturers
    magnets = np.where(buyers.good == MAGNET, buyers.consumed, 0.0)
    sectors = world.end_of_life.memory.shape[1]
    used = np.bincount(buyers.sector * size + buyers.region, weights=magnets, minlength=sectors * size)
    world.end_of_life.record(month.tick, used.reshape(sectors, size))


def buyer_demand(world: World, month: Month) -> np.ndarray:
    """What buyers order: next month's use plus a third of the gap to their target stock."""
    plants = world.magnet_plants
    plant_need = goods_by_region(world)
    plant_need[NDPR] = month.plan * plants.ndpr_per_tonne
    plant_need[DYTB] = month.plan * plants.dytb_per_tonne
    plant_need[CONCENTRATE] = world.refiners.by_region(month.planned_feed, world.size)
    use = month.sector_need + plant_need
    buyers, stockholders = world.manufacturers, world.expectations
    behaviour = world.scenario.behaviour
    speculative, feed_cover = None, behaviour.feed_cover_months
    if stockholders.params.enabled:
        exposed = stockholders.precaution * exposed_buyers(world) * stockholders.params.precaution_cover
        expected = buyers.each(stockholders.storage_gain)
        speculative = stockholders.speculative_months(buyers.inventory_months, buyers.hoarding, expected)
        speculative = speculative + buyers.inventory_months * buyers.each(exposed)
        feed = np.full(plant_need.shape, feed_cover)
        extra = stockholders.speculative_months(feed, stockholders.params.feed_hoarding, stockholders.storage_gain)
        feed_cover = feed + np.minimum(extra + feed * exposed, behaviour.hoarding_cap_months)
    target = buyers.target_stock(world.expected_rise(), speculative) + feed_cover * plant_need
    world.target_stock = target
    world.normal_stock = buyers.normal_stock() + behaviour.feed_cover_months * plant_need
    gap = target - world.ledger.buyer.amount
    return np.maximum(use + gap / behaviour.restock_months, 0.0)


def reserve_orders(world: World, month: Month) -> None:
    """The managing government's state reserve opens this month's NdPr and Dy/Tb purchases or
    releases at home (:mod:`marketsim.governance.managed_supply`)."""
    managed, home = world.managed, world.managed.region
    if not managed.active:
        return
    goods = slice(NDPR, DYTB + 1)  # NdPr and Dy/Tb (a view, not a gather)
    relative = world.prices.regional[goods, home] / world.reference[goods]
    held = world.ledger.stockpile.amount[goods, home]
    orders = managed.reserve_orders(relative, month.produced[goods, home], held)
    for good, tonnes in zip((NDPR, DYTB), orders, strict=True):
        if tonnes != 0.0:
            world.stockpile_orders.append([good, home, float(tonnes), 1])


def stockpile_orders(world: World) -> tuple[np.ndarray, np.ndarray]:
    """This month's state purchases and releases from the open stockpile orders."""
    buy = goods_by_region(world)
    release = goods_by_region(world)
    for order in world.stockpile_orders:
        good, region, rate, _ = order
        (buy if rate > 0 else release)[good, region] += abs(rate)
        order[3] -= 1
    world.stockpile_orders = [o for o in world.stockpile_orders if o[3] > 0]
    return buy, release


def trade(world: World, month: Month) -> None:
    """Buyers and state stockpiles order; every market clears; goods move; states release."""
    ledger = world.ledger
    reserve_orders(world, month)
    state_buy, state_release = stockpile_orders(world)
    month.demand = demand = buyer_demand(world, month) + state_buy
    quality = valuation.concentrate_quality(world)
    month.offered = ledger.seller.amount.copy()
    rounds = world.scenario.behaviour.clearing_rounds
    month.clearing = result = clear(
        month.offered, demand, world.prices.seller, quality, world.frictions, world.market, rounds
    )
    month.to_state = np.divide(state_buy, demand, out=goods_by_region(world), where=demand > 0)
    ledger.trade(result.flows, month.to_state)
    leak(world, month)
    behaviour = world.scenario.behaviour
    world.orders += behaviour.orders_memory * (result.requested - world.orders)
    world.sales_trend += (result.requested - world.sales_trend) / behaviour.sales_trend_months
    ledger.release(state_release)


def leak(world: World, month: Month) -> None:
    """Price the licences of binding export controls and smuggle part of what they refused
    (:mod:`marketsim.market.leakage`); smuggled goods reach buyers abroad but stay out of the
    month's (official) flows: the exporter does not declare them (``month.smuggled``, by origin),
    the importer's customs do (``month.smuggled_in``, by destination; REF §10 K9)."""
    result, regional = month.clearing, world.prices.regional
    params = world.scenario.dynamics.leakage
    taxed = None
    if params.evade_taxed_trade:
        evadable = evadable_routes(world)
        # With no route taxed or under quota, taxed trade is 0 on every route (what the product gives).
        taxed = result.flows * evadable if evadable is not None else np.zeros(result.flows.shape)
    if not np.logical_or.reduce(result.refused, None) and (taxed is None or not np.logical_or.reduce(taxed, None)):
        # Controls refused nothing and no taxed trade to evade: no licence rent, nothing to smuggle
        # (what the two functions below return then at finite prices, without their work on every route).
        month.licence_premium = np.zeros(result.sold.shape)
        month.smuggled = np.zeros(result.sold.shape)
        month.smuggled_in = np.zeros(result.sold.shape)
        return
    month.licence_premium = leakage.licence_premium(result.flows, result.refused, result.delivered_cost, regional)
    smuggled = leakage.smuggle(
        result.refused, result.delivered_cost, regional, world.ledger.seller.amount, params, taxed
    )
    month.smuggled = np.add.reduce(smuggled, axis=2)
    month.smuggled_in = np.add.reduce(smuggled, axis=1)
    if np.logical_or.reduce(smuggled, None):
        world.ledger.trade(smuggled, goods_by_region(world))


def evadable_routes(world: World) -> np.ndarray | None:
    """(goods, origins, destinations) True on the routes abroad from an origin that taxes the good's
    exports or holds it under an export quota: the trade smugglers may evade (None where there is
    none). Worked out once per change of policy (frictions are never edited in place)."""
    f = world.frictions
    if "evadable" not in f.derived:
        controlled = f.export_tax > 0
        for goods, origin in zip(f.quota_goods, f.quota_origin, strict=True):
            controlled[goods.astype(bool), origin] = True
        routes = controlled[:, :, None] * foreign_routes(world.size)
        f.derived["evadable"] = routes if routes.any() else None
    return f.derived["evadable"]


def reprice(world: World, month: Month) -> None:
    """Sellers move their markups with their stock cover; cut-off buyers bid scarcity."""
    result, demand = month.clearing, month.demand
    if world.scenario.dynamics.arbitrage.enabled:
        reexport(world)
    fundamental = fundamental_markup(world)
    month.cut_off = cut_off_by_controls(result, demand, world.frictions, world.scenario.behaviour.restricted_share)
    bidding, cover = own_premium(world, month), premium_cover(world, month)
    if world.scenario.dynamics.arbitrage.enabled:
        bidding, cover = bidders(world, bidding, cover)
    world.prices.update(
        month.offered,
        result.requested,
        demand,
        bidding,
        cover,
        result.price_index,
        valuation.producers(world),
        fundamental,
        world.scenario.dynamics.prices.cost_pull_months,
        None if world.scenario.dynamics.leakage.quota_price else licence_floor(world, month),
    )
    if world.scenario.dynamics.dumping.enabled:
        dump_premium(world, bidding, cover)
    price_quota(world, month)
    parity = world.scenario.dynamics.import_parity
    if parity.enabled:
        # Only cut-off buyers requalify: with none this month their willingness to pay changes nothing.
        willing = (
            import_parity_willingness(world, result.delivered_cost[MAGNET], parity.margin)
            if np.logical_or.reduce(month.cut_off, None)
            else np.full(month.cut_off.shape, np.inf)
        )
        world.prices.requalify(willing, month.cut_off, parity.requalify_months)
    if world.scenario.dynamics.arbitrage.enabled:
        bound_premium(world)
    world.remember_prices()
    news, tightened = controls_news(world)
    world.expectations.update(world.prices.regional, fundamental * world.prices.base, news, tightened)
    world.contracts.update(world.prices.regional)


def fundamental_markup(world: World) -> np.ndarray:
    """(goods, regions) oxide markups at the marginal chain's full cost (:mod:`marketsim.market.
    fundamentals`): each oxide's reference price times the cost index; NaN for other goods."""
    normal = world.scenario.dynamics.capacity.normal_utilisation
    needed = (
        world.expected_need[0] if world.expected_need is not None else 12.0 * np.add.reduce(world.mines.output, None)
    )
    chain = 0.0
    for fleet in (world.mines, world.refiners):
        full = fleet.unit_cost * (1.0 + fleet.capital_ratio)
        chain += fundamentals.marginal_cost(full, fleet.capacity * normal, needed)
    if world.chain_cost is None:
        world.chain_cost = chain
    markup = np.full((len(world.reference), world.size), np.nan)
    markup[OXIDE_SPAN] = world.reference[OXIDE_SPAN, None] * chain / max(world.chain_cost, 1e-9)
    return markup


def adapt(world: World, month: Month) -> None:
    """End users substitute and thrift towards the new prices (faster down than back up, and lower
    where export controls cut them off); magnet plants thrift Dy/Tb."""
    regional, thrift = world.prices.regional, world.scenario.dynamics.thrift
    world.manufacturers.adapt(regional, thrift if thrift.ratchet else None, month.cut_off)
    world.magnet_plants.thrift(regional[DYTB], world.reference[DYTB])


def invest(world: World, month: Month) -> None:
    """Mines, separation and magnet plants retire worn capacity and order capacity on expected
    demand (:mod:`marketsim.world.capacity`); recyclers follow their collected feed."""
    acquire_capacity(world, month, world.scenario.dynamics.capacity)
    world.recyclers.expand(month.tick)
