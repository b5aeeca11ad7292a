"""Behavioural constants of the agents (issue 15): the scenario's ``[behaviour]`` table.

These numbers used to be module constants (``THRIFT_MONTHS``, ``HOARDING_CAP_MONTHS`` ...); as
scenario parameters, sweeps and calibration can vary them by their dotted path
(``--set behaviour.thrift_months=30``). Every default is the old constant, so a scenario without a
``[behaviour]`` table runs exactly as before. Equations: docs/model.md (the names in backticks).

Numbers that are not behaviour stay constants in the code: the length of the fleets' capacity
pipeline (``agents/fleet.py: PIPELINE_MONTHS``, an array size beyond the longest lead time) and how
far demand growth is tabulated beyond the run (``world/build.py: FORECAST_MONTHS``, a horizon
longer than any planner's look-ahead); neither changes a result while it is long enough. The caps
of the policy levers (``levers/projects.py: PUBLIC_SHARE_CAP``, ``levers/diversification.py:
MIN_COST_SHARE``) are limits of the levers, not behaviour, and the governments' strategy constants
(``governance/rounds.py``) are not agents' behaviour either.
"""

from __future__ import annotations

from pydantic import Field

from marketsim.scenario.base import Strict


class BehaviourParams(Strict):
    """How end users, magnet makers and facility operators react (the ``[behaviour]`` table)."""

    # End users and plants as buyers.
    hoarding_cap_months: float = Field(
        6.0,
        ge=0.0,
        le=36.0,
        description="Most extra months of cover a buyer seeks, however fast prices rise (months; "
        "plausible 3-12; ASSUMPTION).",
    )
    substitution_elasticity: float = Field(
        2.0,
        ge=0.0,
        le=10.0,
        description="Demand elasticity above a sector's backstop price, where substitutes (ferrite magnets, "
        "induction motors, other catalysts) become cheaper than rare earths (dimensionless; plausible 1-4; "
        "ASSUMPTION).",
    )
    restock_months: float = Field(
        3.0,
        ge=1.0,
        le=24.0,
        description="Time over which buyers, and magnet makers restocking to order, close the gap between "
        "their stock and its target (months; plausible 1-6; ASSUMPTION).",
    )
    feed_cover_months: float = Field(
        1.5,
        ge=0.0,
        le=12.0,
        description="Stock of inputs plants aim to hold, in months of planned use (months; plausible 1-3; ASSUMPTION).",
    )
    price_memory_months: int = Field(
        4,
        ge=2,
        le=24,
        description="Months of regional prices buyers remember to judge whether prices are rising when "
        "stockholders' expectations are off (the rise is over this window less one month; plausible 3-7; "
        "ASSUMPTION).",
    )

    # Magnet makers.
    dy_free_share: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="Share of magnet output that can be made in Dy-free grades when Dy/Tb runs short "
        "(share; plausible 0.2-0.5; REF §8: consumer grades use none).",
    )
    thrift_elasticity: float = Field(
        -0.4,
        ge=-3.0,
        le=0.0,
        description="Long-run elasticity of Dy/Tb per tonne of magnet to the Dy/Tb price (dimensionless; "
        "plausible -0.2 to -0.8; REF §8-10 thrift after 2011; ASSUMPTION for the value).",
    )
    thrift_months: float = Field(
        60.0,
        ge=1.0,
        le=600.0,
        description="Time constant of magnet makers' Dy/Tb thrift (grain-boundary diffusion, lower-Dy "
        "grades) (months; plausible 24-96; ASSUMPTION).",
    )
    dytb_backstop: float = Field(
        3.0,
        ge=1.0,
        le=20.0,
        description="Multiple of its reference price above which magnet makers cut Dy/Tb at once in "
        "proportion (switching grades) (multiple; plausible 2-5; REF §8).",
    )
    dytb_backstop_months: float = Field(
        0.0,
        ge=0.0,
        le=120.0,
        description="Time constant of magnet makers' grade switching above the Dy/Tb backstop: at most 1 "
        "cuts Dy/Tb at once, more spreads the cut over this many months (months; plausible 1-36: REF §10-11, "
        "lower-Dy magnets and thrift over 1-2 years; history_2009: 7.7, calibrated (runs/cal_2026-12-07d); "
        "docs/model.md 7.37).",
    )

    # Producers' view of their orders.
    orders_memory: float = Field(
        0.3,
        gt=0.0,
        le=1.0,
        description="Weight of the current month in producers' moving average of the orders they receive "
        "(weight per month; plausible 0.1-0.5; ASSUMPTION).",
    )
    sales_trend_months: float = Field(
        12.0,
        ge=1.0,
        le=120.0,
        description="Time constant of producers' slow average of their orders, against which they judge "
        "unsold stock (months; plausible 6-24; ASSUMPTION).",
    )

    # Facility operators and investors.
    utilisation_band: float = Field(
        0.3,
        gt=0.0,
        le=2.0,
        description="Width of the spread of unit costs inside a separation, magnet or recycling plant, as a "
        "share of its unit cost; sets how gradually output falls as margins shrink (share; plausible "
        "0.1-0.6; ASSUMPTION).",
    )
    mine_cost_spread: float = Field(
        0.6,
        gt=0.0,
        le=2.0,
        description="Width of the spread of unit costs inside a mining district (pits and grades), as a "
        "share of its unit cost (share; plausible 0.3-1.0; ASSUMPTION).",
    )
    operating_months: float = Field(
        3.0,
        ge=1.0,
        le=60.0,
        description="Time constant of the margin plant operators decide what to run on (months; "
        "plausible 1-6; ASSUMPTION).",
    )
    mine_operating_months: float = Field(
        6.0,
        ge=1.0,
        le=60.0,
        description="Time constant of the margin mine operators decide what to run on: mines take months "
        "to idle or restart pits (months; plausible 3-12; ASSUMPTION).",
    )
    margin_months: float = Field(
        24.0,
        ge=1.0,
        le=120.0,
        description="Time constant of the margin investors judge facilities by (months; plausible 12-36; ASSUMPTION).",
    )

    # Markets: clearing, price floors, price response and scarcity.
    clearing_rounds: int = Field(
        3,
        ge=1,
        le=10,
        description="Rounds in which buyers turn to other sellers each month after licences, quotas or "
        "empty stock refused them (rounds; plausible 2-5; ASSUMPTION).",
    )
    restricted_share: float = Field(
        0.01,
        ge=0.0,
        lt=1.0,
        description="Buyers count as cut off by export controls (and bid up a scarcity premium) when "
        "licences and quotas refused more than this share of their demand (share; plausible 0-0.05; "
        "ASSUMPTION).",
    )
    min_relative_cover: float = Field(
        0.25,
        gt=0.0,
        lt=1.0,
        description="Lower clip of sellers' relative cover before it moves the price: the tightest market "
        "a price responds to (ratio; plausible 0.1-0.5; ASSUMPTION).",
    )
    max_relative_cover: float = Field(
        4.0,
        gt=1.0,
        le=100.0,
        description="Upper clip of sellers' relative cover before it moves the price: the loosest market a "
        "price responds to (ratio; plausible 2-10; ASSUMPTION).",
    )
    max_scarcity: float = Field(
        20.0,
        gt=0.0,
        le=1000.0,
        description="Ceiling on the scarcity premium of buyers cut off by export controls (multiple of the "
        "delivered cost; the regional price is at most 1 + this times it; plausible 5-50; ASSUMPTION).",
    )
    concentrate_min_payable: float = Field(
        0.05,
        gt=0.0,
        lt=1.0,
        description="Concentrate never sells for less than this share of the value of its oxides (share; "
        "plausible 0.02-0.2; ASSUMPTION).",
    )
    ceiling_fall_per_month: float = Field(
        0.1,
        gt=0.0,
        le=10.0,
        description="Most the concentrate price ceiling (the marginal refiner's break-even payable) falls in a "
        "month, as a log change: mines and refiners renegotiate offtake prices over months, not at once "
        "(REF §11: concentrate priced on quarterly offtake formulas; log per month; plausible 0.1-0.3, "
        "like ``market.max_monthly_change``; 10: at once; ASSUMPTION).",
    )
    magnet_min_markup: float = Field(
        0.7,
        gt=0.0,
        le=1.0,
        description="Magnet makers never sell below this share of their full cost (share; plausible "
        "0.5-1.0; ASSUMPTION).",
    )
    trend_months: int = Field(
        3,
        ge=1,
        le=24,
        description="Trend-following stockholders extrapolate the log price change of the last this many "
        "months (months; plausible 1-12; ASSUMPTION).",
    )
