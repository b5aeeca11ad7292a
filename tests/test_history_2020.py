"""history_2020: the world of January 2020 against the cited 2020 figures, its event timeline
against REFERENCE.md §6 and §11, its behaviour equal to baseline_2024's (it is judged untuned),
and a deterministic 6-year run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from simkit import mean, run
from test_calibration import numeric_lines_without_comment

from marketsim.scenario.loading import load_scenario
from marketsim.vocabulary import month_index

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
HISTORY_FILE = CONFIGS / "history_2020.toml"
FIRST_YEAR = range(12)

# Facts, not model outputs. USGS Mineral Commodity Summaries 2021 (2020 estimates): world mine
# production about 240,000 t REO, China 140,000 (58 %), United States 38,000, Burma 30,000,
# Australia 17,000. Roskill (Jul 2020): China about 87 % of refined output in 2020. REF §2: China
# 87-92 % of NdFeB magnets. REF §5: 2020 prices NdPr 49, Dy 261 US$/kg. REF §11: China's mining
# quota 140 / 168 / 210 / 240 / 270 kt in 2020-2024.
WORLD_MINE_2020 = 240_000.0
MINE_TOLERANCE = 0.05
CHINA_MINE_SHARE_2020 = 140_000.0 / 240_000.0
SHARE_TOLERANCE = 0.03
USGS_2020_BY_REGION = {"china": 140_000.0, "usa": 38_000.0, "myanmar": 30_000.0, "australia": 17_000.0}
CHINA_SHARE_BANDS = {"separation": (0.82, 0.92), "magnets": (0.87, 0.92)}
REFERENCE_PRICE_2020 = {"ndpr": 49.0, "dytb": 261.0}
MINING_QUOTAS = {2020: 140_000.0, 2021: 168_000.0, 2022: 210_000.0, 2023: 240_000.0, 2024: 270_000.0}
HORIZON_END = "2025-12"


@pytest.fixture(scope="module")
def history():
    return load_scenario(HISTORY_FILE)


@pytest.fixture(scope="module")
def baseline_2024():
    return load_scenario(CONFIGS / "baseline_2024.toml")


@pytest.fixture(scope="module")
def first_year(history):
    return run(history, years=1).results()


def events_of(scenario, kind: str) -> list:
    return [event for event in scenario.events if event.type == kind]


# ----------------------------------------------------------------- starting state


def test_runs_from_january_2020_to_december_2025(history):
    assert history.scenario.start == "2020-01"
    last_month = month_index(history.scenario.start) + 12 * history.scenario.years - 1
    assert last_month == month_index(HORIZON_END)


def test_mine_capacity_is_usgs_2020_output(history):
    total = sum(mine.capacity for mine in history.mines)
    assert abs(total / WORLD_MINE_2020 - 1) <= MINE_TOLERANCE, f"world mine capacity {total:,.0f} t"
    by_region: dict[str, float] = {}
    for mine in history.mines:
        by_region[mine.region] = by_region.get(mine.region, 0.0) + mine.capacity
    for region, tonnes in USGS_2020_BY_REGION.items():
        assert by_region[region] == pytest.approx(tonnes), region


def test_reference_prices_are_the_2020_averages(history):
    assert history.goods.ndpr.reference_price == REFERENCE_PRICE_2020["ndpr"]
    assert history.goods.dytb.reference_price == REFERENCE_PRICE_2020["dytb"]


def test_first_year_world_mine_output_near_240_kt(first_year):
    mined = mean(first_year, "production", "concentrate", "world", FIRST_YEAR) * 12
    assert abs(mined / WORLD_MINE_2020 - 1) <= MINE_TOLERANCE, f"mined {mined:,.0f} t REO in 2020"


def test_first_year_china_share_of_mining_is_usgs(first_year):
    share = mean(first_year, "china_share_mining", ticks=FIRST_YEAR)
    assert abs(share - CHINA_MINE_SHARE_2020) <= SHARE_TOLERANCE, f"China's share of mining {share:.3f}"


@pytest.mark.parametrize("stage", ["separation", "magnets"])
def test_first_year_china_share_of_processing(first_year, stage):
    low, high = CHINA_SHARE_BANDS[stage]
    share = mean(first_year, f"china_share_{stage}", ticks=FIRST_YEAR)
    assert low <= share <= high, f"China's share of {stage}: {share:.3f}, expected {low}-{high}"


def test_every_number_in_the_file_has_a_comment():
    missing = numeric_lines_without_comment(HISTORY_FILE.read_text())
    assert not missing, "numbers without a comment citing their source:\n" + "\n".join(missing)


# ----------------------------------------------------------------- untuned: behaviour as baseline_2024


@pytest.mark.parametrize("section", ["market", "investment", "projects", "learning", "environment", "recycling"])
def test_behavioural_parameters_are_baseline_2024s(history, baseline_2024, section):
    assert getattr(history, section) == getattr(baseline_2024, section)


def test_strategies_and_sector_behaviour_are_baseline_2024s(history, baseline_2024):
    assert {name: r.strategy for name, r in history.regions.items()} == {
        name: r.strategy for name, r in baseline_2024.regions.items()
    }
    assert set(history.sectors) == set(baseline_2024.sectors)
    behaviour = ("elasticity_short", "elasticity_long", "adjustment_years", "inventory_months", "hoarding")
    behaviour += ("backstop_multiple", "lifetime_years", "protected", "split")
    for name, sector in history.sectors.items():
        for field in behaviour:
            assert getattr(sector, field) == getattr(baseline_2024.sectors[name], field), f"{name}.{field}"
    assert history.shocks == baseline_2024.shocks
    assert history.separation_recovery == baseline_2024.separation_recovery


def test_the_technology_ban_brings_tech_access_to_baseline_2024s(history, baseline_2024):
    (ban,) = events_of(history, "technology_ban")
    for name, region in history.regions.items():
        if name == ban.region:
            continue  # the ban slows everyone else
        assert region.tech_access * ban.factor == pytest.approx(baseline_2024.regions[name].tech_access, abs=0.01), name


# ----------------------------------------------------------------- events where REF §6 and §11 put them


def test_mining_quotas_follow_ref_11(history):
    quotas = {int(event.start[:4]): event for event in events_of(history, "mining_quota")}
    assert set(quotas) == set(MINING_QUOTAS)
    for year, tonnes in MINING_QUOTAS.items():
        event = quotas[year]
        assert event.region == "china" and event.tonnes_per_year == tonnes
        assert event.start == f"{year}-01"
        assert event.end == (f"{year + 1}-01" if year < 2024 else None)


def test_china_mine_capacity_follows_the_quota(history):
    mines = {mine.name: mine for mine in history.mines if mine.region == "china"}
    capacity = {name: mine.capacity for name, mine in mines.items()}
    for year, tonnes in MINING_QUOTAS.items():
        for event in events_of(history, "capacity"):
            if event.facility in mines and event.start == f"{year}-01":
                assert capacity[event.facility] == 0.0, "each rise is a facility of its own, empty until then"
                capacity[event.facility] = event.capacity
        assert sum(capacity.values()) == pytest.approx(tonnes), year


def test_technology_ban_in_december_2023(history):
    (ban,) = events_of(history, "technology_ban")
    assert (ban.region, ban.start, ban.end) == ("china", "2023-12", None)


def test_export_licences_of_2025(history):
    april, october = sorted(events_of(history, "export_licence"), key=lambda e: e.start)
    assert (april.region, april.start, april.end) == ("china", "2025-04", None)
    assert set(april.goods) == {"dytb", "magnet"}
    assert (october.start, october.end, october.goods) == ("2025-10", "2025-11", ("ndpr",))


def test_us_price_floor_from_july_2025(history):
    (floor,) = events_of(history, "price_floor")
    assert (floor.region, floor.good, floor.price, floor.start) == ("usa", "ndpr", 110.0, "2025-07")


def test_mountain_pass_concentrate_stops_going_to_china_in_april_2025(history):
    (ban,) = events_of(history, "export_ban")
    assert (ban.region, ban.destinations, ban.goods, ban.start) == ("usa", ("china",), ("concentrate",), "2025-04")


def test_nothing_starts_after_the_horizon(history):
    late = [e for e in history.events if month_index(e.start) > month_index(HORIZON_END)]
    assert not late, late
    assert not events_of(history, "tariff"), "the Jan 2026 US magnet tariff is after the horizon"


# ----------------------------------------------------------------- a deterministic 6-year run


def run_table(scenario, seed: int) -> pd.DataFrame:
    return run(scenario, years=scenario.scenario.years, seed=seed).results()


def test_six_years_run_deterministically_per_seed(history):
    first, again, other = run_table(history, 1), run_table(history, 1), run_table(history, 2)
    assert int(first["tick"].max()) == 12 * 6 - 1
    assert first["date"].iloc[-1] == HORIZON_END
    pd.testing.assert_frame_equal(first, again)
    assert not np.array_equal(first["value"].to_numpy(), other["value"].to_numpy())
