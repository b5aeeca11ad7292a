"""Shared fixtures: the shipped scenarios and a small three-region world built in code."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from marketsim.scenario.loading import load_scenario, validate_scenario
from marketsim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"

SMALL_WORLD: dict = {
    "scenario": {"name": "small", "start": "2024-01", "years": 3, "seed": 7},
    "goods": {"ndpr": {"reference_price": 56.0}, "dytb": {"reference_price": 260.0}, "lace": {"reference_price": 1.0}},
    "deposit_types": {
        "bastnaesite": {"lace": 0.73, "ndpr": 0.247, "dytb": 0.002, "other": 0.021},
        "ionic_heavy": {"lace": 0.02, "ndpr": 0.037, "dytb": 0.08, "other": 0.863},
    },
    "regions": {"china": {"name": "China"}, "usa": {"name": "USA"}, "japan": {"name": "Japan"}},
    "alliances": {"quad": {"members": ["usa", "japan"]}},
    "mines": [
        {"name": "China light", "region": "china", "deposit": "bastnaesite", "capacity": 100000, "unit_cost": 3.0},
        {"name": "China heavy", "region": "china", "deposit": "ionic_heavy", "capacity": 20000, "unit_cost": 6.0},
        {"name": "US mine", "region": "usa", "deposit": "bastnaesite", "capacity": 20000, "unit_cost": 4.0},
    ],
    "refiners": [
        {"name": "China separation", "region": "china", "capacity": 150000, "unit_cost": 2.0},
        {"name": "US separation", "region": "usa", "capacity": 5000, "unit_cost": 5.0, "heavy_circuit": False},
    ],
    "magnet_plants": [
        {"name": "China magnets", "region": "china", "capacity": 110000, "unit_cost": 12.0},
        {"name": "Japan magnets", "region": "japan", "capacity": 15000, "unit_cost": 15.0},
    ],
    "sectors": {
        "ev": {
            "good": "magnet",
            "demand": 90000,
            "growth": [{"year": 2024, "rate": 0.05}],
            "split": {"china": 0.6, "japan": 0.25, "usa": 0.15},
        },
        "catalysts": {
            "good": "lace",
            "demand": 70000,
            "growth": [{"year": 2024, "rate": 0.01}],
            "split": {"china": 0.6, "japan": 0.2, "usa": 0.2},
        },
    },
}


@pytest.fixture
def small_data() -> dict:
    """A fresh, editable copy of the small world's scenario data."""
    return copy.deepcopy(SMALL_WORLD)


@pytest.fixture
def small_world(small_data) -> Scenario:
    """The small world, validated."""
    return validate_scenario(small_data, "small-world")


@pytest.fixture(scope="session")
def baseline() -> Scenario:
    """configs/baseline_2024.toml."""
    return load_scenario(CONFIGS / "baseline_2024.toml")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, shared by a test module's browser tests."""
    from browser import launch  # noqa: PLC0415 (tests/browser.py; only browser tests need Playwright)
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def dask_scheduler():
    """The address of a real Dask scheduler with two worker processes on 127.0.0.1 (no dashboard)."""
    from dask import distributed  # noqa: PLC0415 (only the Dask tests need it)

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


# ---------------------------------------------------------------- the classroom game's engine
@pytest.fixture
def clock():
    """A clock the test moves by hand (see tests/_game.py)."""
    from _game import Clock  # noqa: PLC0415

    return Clock()


@pytest.fixture
def server(tmp_path, clock):
    """A game server on a fresh database, its log times and rate limits on ``clock``."""
    from marketsim.game import GameServer  # noqa: PLC0415

    game = GameServer(tmp_path / "game.db", clock=clock, limiter_clock=clock)
    yield game
    game.close()


@pytest.fixture(scope="session")
def history_2009_hand_set() -> list[str]:
    """history_2009's market settings before its calibration (runs/cal_2026-12-07d), on which 7.36, 7.37 and
    7.39 were built and tested: with the calibrated ones Japan's own premium is smaller and Dy/Tb stays
    dear even without those mechanisms, so tests of them set these back. 7.40's dumping, on in history_2009 since,
    is switched off with them: those mechanisms were built without it."""
    return [
        "market.price_speed=0.2",
        "market.expectation_months=12",
        "market.max_monthly_change=0.2",
        "market.seller_cover_months=1.0",
        "market.scarcity_adjustment=0.5",
        "market.scarcity_decay=0.015",
        "dynamics.capacity.supply_line_weight=1.0",
        "sectors.magnets.hoarding=0.5",
        "behaviour.dytb_backstop_months=2",
        "dynamics.dumping.enabled=false",
    ]
