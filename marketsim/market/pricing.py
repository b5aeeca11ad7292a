"""Price formation: sellers post prices that move with their stock cover; buyers cut off by
export controls (refused licences or quotas, or banned routes) bid a scarcity premium in their
own region.

Every posted price is ``base * markup``. Oxides are priced freely (base 1); concentrate is
priced as a payable share of the value of the oxides it contains, and magnets as a markup on
their cost, as these trades are priced in practice. Only the markup moves with the market,
after Sterman's commodity model: ``markup = anchor * relative_cover ** -sensitivity``, where
relative cover is the stock on offer over this month's requests divided by its steady-state
value ``1 + target cover``; the markup moves part of the way there each month and the
anchor follows the markup slowly. A lasting shortage thus
keeps raising the price until demand falls or supply grows.

Two tiers emerge when exports are restricted: the exporter's refused sales leave its stock
unsold and push its posted price down, while buyers abroad, cut off, bid their regional price up.

All of price formation is in this module: the starting book (:func:`initial_prices`), what
markups apply to (:func:`price_base`), the most buyers pay (:func:`price_ceiling`), the monthly
rebase and move (:meth:`PriceBook.rebase`, :meth:`PriceBook.update`) and the price floors
governments guarantee (:func:`producer_price`). What goods are worth (element values, mixes,
netbacks) is read in :mod:`marketsim.market.valuation`; the month's phases gather the inputs.
"""

from __future__ import annotations

import numpy as np

from marketsim.market.fundamentals import break_even_share
from marketsim.market.leakage import licence_floor
from marketsim.scenario.behaviour import BehaviourParams
from marketsim.scenario.schema import MarketParams
from marketsim.vocabulary import CONCENTRATE, GOODS, MAGNET, OXIDE_ROWS

DEFAULT = BehaviourParams()
"""The ``[behaviour]`` defaults (relative cover range, scarcity ceiling, concentrate and magnet
floors), for books made without a scenario's ``[behaviour]`` table."""

REQUALIFY_ORDER = 3
"""Order of the delay with which cut-off buyers' willingness to pay falls to import parity (a
pipeline delay: little response in the first months, most of it around the mean time)."""


def producer_price(seller: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """(goods, regions) what producers get: the posted price, raised to any price floor in force
    (the government pays the difference)."""
    return np.maximum(seller, floor)


def price_base(concentrate_value: np.ndarray, magnet_cost: np.ndarray, magnet_reference: float) -> np.ndarray:
    """(goods, regions) what each posted price is a markup on: 1 for oxides; for concentrate, the
    value of the oxides in a kg of the region's concentrate; for magnets, the full cost of a kg
    of the region's magnets (the mean over regions with plants where a region has none, the
    reference price where no region has any).

    Args:
        concentrate_value: (regions,) value of the oxides in a kg of each region's concentrate.
        magnet_cost: (regions,) full cost of a kg of each region's magnets (0 where no plants).
        magnet_reference: Reference magnet price, US$/kg.
    """
    base = np.ones((len(GOODS), len(concentrate_value)))
    base[CONCENTRATE] = concentrate_value
    has_plants = magnet_cost > 0
    fallback = magnet_cost[has_plants].mean() if np.logical_or.reduce(has_plants, None) else float(magnet_reference)
    base[MAGNET] = np.where(has_plants, magnet_cost, fallback)
    return base


def price_ceiling(
    reference: np.ndarray, payable: np.ndarray, refining: np.ndarray, params: MarketParams, ore: float
) -> np.ndarray:
    """(goods, regions) highest markups buyers pay: for concentrate, the break-even payable of the
    marginal refiners, those needed to separate the world's ore (:func:`break_even_share`: the
    rent goes to the stage that binds); for oxides, the choke price (``max_price_multiple`` times
    the reference), above which substitutes take all demand.

    Args:
        reference: (goods,) reference prices.
        payable: (regions,) most each region's refiners can pay, as a share of the oxides' value.
        refining: (regions,) separation capacity each region runs at normal utilisation, t/yr.
        params: Market parameters.
        ore: The world's mine output, t REO/yr.
    """
    ceiling = np.full((len(GOODS), len(payable)), np.inf)
    ceiling[OXIDE_ROWS] = params.max_price_multiple * reference[OXIDE_ROWS, None]
    ceiling[CONCENTRATE] = break_even_share(payable, refining, ore)
    return ceiling


def initial_prices(
    reference: np.ndarray,
    base: np.ndarray,
    payable_share: float,
    magnet_markup: float,
    params: MarketParams,
    behaviour: BehaviourParams = DEFAULT,
) -> PriceBook:
    """Oxides at their reference prices, concentrate at its payable share, magnets at cost-plus.

    Args:
        reference: (goods,) reference prices.
        base: (goods, regions) starting bases, from :func:`price_base` at reference prices.
        payable_share: Share of its oxides' value concentrate sells for at the start.
        magnet_markup: Magnet makers' normal markup on full cost.
        params: Market parameters.
        behaviour: Behavioural constants (concentrate and magnet floors, price response).
    """
    size = base.shape[1]
    markup = np.ones((len(GOODS), size))
    floor = np.ones((len(GOODS), size))
    for good in OXIDE_ROWS:
        markup[good] = reference[good]
        floor[good] = params.min_price_share * reference[good]
    markup[CONCENTRATE] = payable_share
    floor[CONCENTRATE] = behaviour.concentrate_min_payable
    markup[MAGNET] = 1.0 + magnet_markup
    floor[MAGNET] = behaviour.magnet_min_markup
    normal = np.full(len(GOODS), np.nan)
    normal[MAGNET] = 1.0 + magnet_markup
    book = PriceBook(markup, floor, base, normal, params, behaviour)
    book.choke[OXIDE_ROWS] = params.max_price_multiple * reference[OXIDE_ROWS, None]
    return book


class PriceBook:
    """Sellers' markups and their anchors, scarcity premia, and the prices buyers face."""

    def __init__(
        self,
        markup: np.ndarray,
        markup_floor: np.ndarray,
        base: np.ndarray,
        normal_markup: np.ndarray,
        params: MarketParams,
        behaviour: BehaviourParams = DEFAULT,
    ) -> None:
        """Create the book.

        Args:
            markup: (goods, regions) markups at the start (the price itself for oxides).
            markup_floor: (goods, regions) lowest markup sellers accept.
            base: (goods, regions) what the markup applies to at the start, US$/kg.
            normal_markup: (goods,) markup that competition pulls anchors back to (NaN where
                the price is free, as for oxides).
            params: Market parameters.
            behaviour: Behavioural constants (relative cover range, scarcity ceiling).
        """
        self.normal = np.asarray(normal_markup, dtype=float)[:, None]
        self.markup = np.asarray(markup, dtype=float).copy()
        self.anchor = self.markup.copy()
        self.floor = np.asarray(markup_floor, dtype=float)
        self.params = params
        self.behaviour = behaviour
        self.base = np.asarray(base, dtype=float).copy()
        self.ceiling = np.full_like(self.base, np.inf)
        self.choke = np.full_like(self.base, np.inf)
        """(goods, regions) most a buyer pays for a good (oxides' choke price; no limit elsewhere)."""
        self.scarcity = np.zeros_like(self.markup)
        self.licence = np.zeros_like(self.markup)
        """(goods, origins) price of a licence to export a kg under each origin's export quota (7.34)."""
        self.asked: np.ndarray | None = None
        """(goods, origins, destinations) smoothed monthly requests the licence bound ranks (7.38)."""
        self.licence_gap = np.zeros_like(self.markup)
        """(goods, regions) licence price buyers abroad pay, over their delivered cost (7.34)."""
        self.index = self.seller.copy()
        self.requalified = [np.full_like(self.base, np.inf) for _ in range(REQUALIFY_ORDER)]
        """Stages of the delayed willingness to pay of cut-off buyers (:meth:`requalify`); the last
        is the ceiling on regional prices."""
        self._regional: np.ndarray | None = None
        """The regional prices once computed (:attr:`regional`); None after the book moves."""
        self._requalify_rest: tuple | None = None
        """(rate, choke, stages) when :meth:`requalify` last left its stages where they were with
        nobody cut off: with the same rate and choke prices it leaves them there again."""

    @property
    def seller(self) -> np.ndarray:
        """(goods, regions) prices sellers post, US$/kg."""
        return self.base * self.markup

    @property
    def regional(self) -> np.ndarray:
        """(goods, regions) price buyers in each region face: delivered cost plus scarcity, never
        above the choke price where one is set, nor above what buyers cut off long enough to
        requalify imported finished goods will pay (:meth:`requalify`; that ceiling caps the
        scarcity premium only, never the delivered cost itself).

        Read-only: computed once after each move of the book (:meth:`update`, :meth:`requalify`,
        :meth:`charge_licence`), not at each of the dozen reads of a month."""
        if self._regional is None:
            ceiling = np.minimum(self.choke, np.maximum(self.requalified[-1], self.index))
            regional = np.minimum(self.index * (1.0 + np.maximum(self.scarcity, self.licence_gap)), ceiling)
            regional.flags.writeable = False
            self._regional = regional
        return self._regional

    def rebase(self, base: np.ndarray, ceiling: np.ndarray) -> None:
        """Set what markups apply to this month (oxide values, magnet costs) and the highest
        markup buyers will pay (refiners' break-even payable for concentrate), which falls by at most
        ``behaviour.ceiling_fall_per_month`` (log) a month (7.32)."""
        self.base = np.maximum(base, 1e-9)
        slowest = self.ceiling * np.exp(-self.behaviour.ceiling_fall_per_month)
        self.ceiling = np.maximum(np.maximum(ceiling, self.floor), np.where(np.isfinite(slowest), slowest, 0.0))
        self.markup = np.minimum(self.markup, self.ceiling)
        self.anchor = np.minimum(self.anchor, self.ceiling)

    def update(
        self,
        offered: np.ndarray,
        requested: np.ndarray,
        demand: np.ndarray,
        cut_off: np.ndarray,
        buyer_cover: np.ndarray,
        price_index: np.ndarray,
        producers: np.ndarray,
        fundamental: np.ndarray | None = None,
        cost_pull_months: float = np.inf,
        licence_floor: np.ndarray | None = None,
    ) -> None:
        """Move prices after a tick of trade.

        Args:
            offered: (goods, regions) sellers' stock on offer at clearing.
            requested: (goods, regions) tonnes buyers asked each seller for (licences and quotas
                allowing).
            demand: (goods, regions) tonnes buyers in each region asked for in all.
            cut_off: (goods, regions) True where export controls left the region's buyers short.
            buyer_cover: (goods, regions) buyers' stock over their target stock, after trade.
            price_index: (goods, regions) expected delivered cost from the clearing.
            producers: (goods, regions) True where the region has capacity to make the good;
                producers with nothing on offer quote by the world market's tightness, so an
                idle industry sees when buyers want its goods again.
            fundamental: (goods, regions) markup at the marginal supplier's full cost (NaN where
                none); anchors are pulled toward it with time constant ``cost_pull_months``.
            cost_pull_months: Time constant of that pull.
            licence_floor: (goods, regions) least cut-off buyers pay for a licensed kg (legal
                delivered cost plus the tonnage licence price, 7.30); their premium bids at least
                up to it.
        """
        p = self.params
        stocked = offered > 1e-9
        selling = stocked | (requested > 1e-9) | producers
        world = offered.sum(axis=1, keepdims=True) / np.maximum(demand.sum(axis=1, keepdims=True), 1e-9)
        relative = np.where(stocked, offered / np.maximum(requested, 1e-9), world)
        relative = relative / (1.0 + p.seller_cover_months)
        # np.clip, without its wrappers:
        low, high = self.behaviour.min_relative_cover, self.behaviour.max_relative_cover
        relative = np.minimum(np.maximum(relative, low), high)
        indicated = np.minimum(np.maximum(self.anchor * relative**-p.price_sensitivity, self.floor), self.ceiling)
        step = p.price_speed * np.log(indicated / self.markup)
        change = np.minimum(np.maximum(step, -p.max_monthly_change), p.max_monthly_change)
        markup = self.markup * np.exp(change)
        # A region with no stock, no requests and no capacity quotes import parity.
        parity = np.maximum(price_index / self.base, self.floor)
        self.markup = np.where(selling, markup, parity)
        anchor = self.anchor + (self.markup - self.anchor) / p.expectation_months
        anchor = np.where(np.isnan(self.normal), anchor, anchor + (self.normal - anchor) / p.competition_months)
        if fundamental is not None:
            anchor = np.where(np.isnan(fundamental), anchor, anchor + (fundamental - anchor) / cost_pull_months)
        self.anchor = np.where(selling, np.maximum(anchor, self.floor), parity)

        self._bid_scarcity(cut_off, buyer_cover, price_index, licence_floor)
        self.index = price_index
        self._regional = None

    def _bid_scarcity(
        self, cut_off: np.ndarray, buyer_cover: np.ndarray, price_index: np.ndarray, licence_floor: np.ndarray | None
    ) -> None:
        """Buyers refused by export controls bid up what is left in their region: toward
        ``1 / cover - 1``, and at least up to the licence floor where one is given."""
        p = self.params
        max_scarcity = self.behaviour.max_scarcity
        gap = np.minimum(np.maximum(buyer_cover, 1.0 / (1.0 + max_scarcity)), 1.0) ** -1.0 - 1.0  # np.clip, unwrapped
        if licence_floor is not None:
            gap = np.maximum(gap, licence_floor / np.maximum(price_index, 1e-9) - 1.0)
        target = np.where(cut_off, np.minimum(gap, max_scarcity), 0.0)
        rate = np.where(target > self.scarcity, p.scarcity_adjustment, p.scarcity_decay)
        self.scarcity += rate * (target - self.scarcity)

    def charge_licence(
        self,
        step: np.ndarray,
        slack: np.ndarray,
        delivered: np.ndarray,
        covered: np.ndarray,
        rise: float,
        decay: float,
        bound: np.ndarray | None = None,
    ) -> None:
        """Move each export quota's licence price and charge it to every buyer abroad of the goods it
        covers (7.34). The price rises by ``rise`` times the increment that would clear this month's
        refusals (a tatonnement: it keeps rising while the quota refuses requests), holds while the
        quota is just filled and falls by the share ``decay`` a month once it is slack; it stays below
        ``behaviour.max_scarcity`` times the dearest delivered cost of the good. Buyers' premium over
        their delivered cost is the cheapest legal delivered cost plus licence over the origins whose
        quota prices, less their delivered cost.

        Args:
            step: (goods, origins) increment that would clear each quota's refusals, US$/kg.
            slack: (goods, origins) True where the quota covering the good is slack.
            delivered: (goods, origins, destinations) legal delivered cost, US$/kg.
            covered: (goods, destinations) True where a quota of another region covers the good.
                Licence prices of goods no quota covers any longer are 0.
            rise: Share of the clearing increment added each month.
            decay: Share of the licence price lost each month while the quota is slack.
            bound: (goods, origins) most the licence is worth to the buyer of the quota's marginal
                tonne (7.38), US$/kg; None: no bound but the scarcity ceiling.
        """
        cap = self.behaviour.max_scarcity * delivered.max(axis=2)
        if bound is not None:  # it rises no higher than the bound, and above it falls as a slack licence does
            cap = np.minimum(cap, np.maximum(bound, self.licence))
        licence = np.minimum(self.licence + rise * step, cap) * np.where(slack, 1.0 - decay, 1.0)
        if bound is not None:
            licence = np.where(licence > bound, licence - decay * (licence - bound), licence)
        self.licence = licence if np.logical_or.reduce(covered, None) else np.zeros_like(licence)
        self.licence[self.licence < 1e-6] = 0.0
        gap = licence_floor(delivered, self.licence) / np.maximum(self.index, 1e-9) - 1.0  # -1 where none
        self.licence_gap = np.where(covered, np.clip(gap, 0.0, self.behaviour.max_scarcity), 0.0)
        self._regional = None

    def cap_premium(self, premium: np.ndarray) -> None:
        """Lower buyers' scarcity premium to at most ``premium`` (arbitrage bounds, 7.39)."""
        self.scarcity = np.minimum(self.scarcity, premium)
        self._regional = None

    def remember_requests(self, asked: np.ndarray, months: float) -> np.ndarray:
        """(goods, origins, destinations) tonnes buyers ask for a month, smoothed exponentially over
        ``months`` (buyers with stock skip months; the licence market sees their demand over a few):
        what the licence bound ranks (7.38). The first month's requests start the memory."""
        if self.asked is None or self.asked.shape != asked.shape:
            self.asked = asked.copy()
        else:
            self.asked = self.asked + (asked - self.asked) / max(months, 1.0)
        return self.asked

    def requalify(self, willingness: np.ndarray, cut_off: np.ndarray, months: float) -> None:
        """Move the ceiling on regional prices toward cut-off buyers' willingness to pay (7.31).

        Where export controls cut buyers off, the ceiling falls from the choke price toward
        ``willingness`` (import parity of the finished good) with a third-order delay of mean
        ``months`` (requalifying imported magnets, moving production); elsewhere it returns to the
        choke price with the same delay. Log prices are delayed, so the fall is proportional.

        Args:
            willingness: (goods, regions) most buyers pay once requalified, US$/kg (inf: no limit).
            cut_off: (goods, regions) True where export controls left the region's buyers short.
            months: Mean time of the delay.
        """
        rate, calm = min(REQUALIFY_ORDER / months, 1.0), not np.logical_or.reduce(cut_off, None)
        self._regional = None
        if calm and self._at_rest(rate):
            return  # nobody cut off and the delay at rest at the choke prices: it stays there
        free = np.isfinite(self.choke)
        ceiling = np.where(cut_off & np.isfinite(willingness), np.minimum(willingness, self.choke), self.choke)
        goal = np.log(np.where(free, np.maximum(ceiling, 1e-9), 1.0))
        stages = []
        for stage in self.requalified:
            level = np.log(np.where(free, np.minimum(stage, self.choke), 1.0))
            goal = level + rate * (goal - level)
            stages.append(np.where(free, np.exp(goal), np.inf))
        # At rest when no stage moved (stages are positive or inf: equal values are equal bits).
        rest = calm and all(
            np.logical_and.reduce(new == old, None) for new, old in zip(stages, self.requalified, strict=True)
        )
        self.requalified = stages
        self._requalify_rest = (rate, self.choke.copy(), stages) if rest else None

    def _at_rest(self, rate: float) -> bool:
        """Whether the last :meth:`requalify` left its stages unmoved with nobody cut off, at this
        rate and these choke prices, and nothing has replaced the stages since."""
        if self._requalify_rest is None:
            return False
        last_rate, choke, stages = self._requalify_rest
        return (
            last_rate == rate and stages is self.requalified and bool(np.logical_and.reduce(choke == self.choke, None))
        )
