"""Holders dump excess stock when expectations turn (docs/model.md 7.40): no buyer bids above the choke
price, and buyers abroad who hold far more than their normal stock stop bidding a scarcity premium once
they expect prices to fall (REF §10: "inventories are dumped"; K4: Dy/Tb fell about 40 % from its peak in
4-5 months)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from marketsim.market.dumping import choke_bound, dumped_premium
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import ScenarioError, load_scenario

HISTORY = Path(__file__).resolve().parents[1] / "configs" / "history_2009.toml"
OUTSIDE = {"japan": 18.0, "usa": 8.5, "eu": 8.5}  # the K-targets' weights (configs/targets/history_2010.toml)


def dytb_outside_china(*settings: str) -> tuple[float, float]:
    """Weighted Dy/Tb price outside China (seed 6, with ``settings``): its peak from Jul 2010 to Dec 2011 and
    its Dec 2011 value."""
    model = RareEarthModel(load_scenario(HISTORY, list(settings)), seed=6, years=3)
    model.run()
    table = model.results()
    rows = table[(table.metric == "price") & (table.good == "dytb") & table.region.astype(str).isin(list(OUTSIDE))]
    wide = rows.pivot_table(index=rows.date.astype(str), columns=rows.region.astype(str), values="value")
    outside = sum(wide[region] * weight for region, weight in OUTSIDE.items()) / sum(OUTSIDE.values())
    return float(outside.loc["2010-07":"2011-12"].max()), float(outside.loc["2011-12"])


def dumping(enabled: bool, rate: float) -> list[str]:
    """Settings of 7.40 (excess_cover 3)."""
    return [f"dynamics.dumping.enabled={str(enabled).lower()}", f"dynamics.dumping.rate={rate}",
            "dynamics.dumping.excess_cover=3"]  # fmt: skip


def test_dytb_abroad_falls_from_its_peak_when_holders_dump():
    peak_off, december_off = dytb_outside_china(*dumping(False, 0.1))
    peak_on, december_on = dytb_outside_china(*dumping(True, 0.1))
    # Off, Japan's and the EU's premium sits above the choke and the price holds near its peak into Dec 2011.
    assert december_off / peak_off > 0.85
    # On, overstocked holders stop bidding once they expect a fall: Dy/Tb ends 2011 well below its peak.
    assert december_on / peak_on < 0.75


def test_no_premium_is_kept_above_the_choke_price():
    index = np.array([[100.0, 500.0, 50.0]])
    choke = np.array([[2000.0, 2000.0, np.inf]])
    bound = choke_bound(index, choke)
    assert bound[0, 0] == pytest.approx(19.0)
    assert bound[0, 1] == pytest.approx(3.0)
    assert np.isinf(bound[0, 2])  # no choke price: no bound
    assert choke_bound(np.array([[3000.0]]), np.array([[2000.0]]))[0, 0] == 0.0  # delivered above the choke


def test_only_overstocked_buyers_who_expect_a_fall_and_are_not_cut_off_dump():
    premium = np.full((1, 5), 2.0)
    cover = np.array([[6.0, 6.0, 6.0, 2.0, 6.0]])
    cut_off = np.array([[False, True, False, False, False]])
    expected = np.array([[-0.5, -0.5, 0.1, -0.5, -0.05]])  # carrying cost over the horizon: 0.09
    after = dumped_premium(premium, cover, cut_off, expected, carry=0.09, rate=0.2, excess_cover=3.0)
    assert after[0, 0] == pytest.approx(2.0 * (1.0 - 0.2 * (1.0 - 3.0 / 6.0)))  # dumps half the rate
    assert after[0, 1] == 2.0  # cut off: bids on its own cover
    assert after[0, 2] == 2.0  # expects a rise
    assert after[0, 3] == 2.0  # holds less than three times its normal stock
    assert after[0, 4] == 2.0  # expected fall within the carrying cost


def test_dumping_off_leaves_the_scenario_as_it_was():
    def japan_dytb(*settings: str) -> np.ndarray:
        model = RareEarthModel(load_scenario(HISTORY, list(settings)), seed=1, years=2)
        model.run()
        table = model.results()
        rows = table[(table.metric == "price") & (table.good == "dytb") & (table.region == "japan")]
        return rows.value.to_numpy()

    off = japan_dytb("dynamics.dumping.enabled=false")
    assert np.array_equal(off, japan_dytb("dynamics.dumping.enabled=false", "dynamics.dumping.rate=0.9"))


@pytest.mark.parametrize(
    "override",
    ["dynamics.dumping.rate=1.5", "dynamics.dumping.rate=-0.1", "dynamics.dumping.excess_cover=0.5",
     "dynamics.dumping.excess_cover=nan"],
)  # fmt: skip
def test_bad_dumping_settings_are_refused_with_a_sentence(override):
    with pytest.raises(ScenarioError, match="dumping"):
        load_scenario(HISTORY, [override])


def test_the_choke_bound_alone_lets_dytb_abroad_fall_from_its_peak():
    """history_2009 keeps the bound alone (rate 0): no premium stored above what buyers pay."""
    peak_off, december_off = dytb_outside_china(*dumping(False, 0.0))
    peak_bound, december_bound = dytb_outside_china(*dumping(True, 0.0))
    assert december_off / peak_off > 0.85  # the premium held above the choke keeps the price near its peak
    assert december_bound / peak_bound < 0.75
