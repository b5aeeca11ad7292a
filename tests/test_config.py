"""Scenario schema validation: every problem is reported with its source, field path, value and
what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from marketsim.scenario.loading import ScenarioError, load_scenario, validate_scenario
from marketsim.scenario.schema import Scenario

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
SOURCE = "my-scenario.toml"
KNOWN_REGIONS = "china, japan, usa"


def error_for(data: dict) -> str:
    """The message of the ScenarioError that validating ``data`` raises."""
    with pytest.raises(ScenarioError) as caught:
        validate_scenario(data, SOURCE)
    message = str(caught.value)
    assert SOURCE in message, f"the message does not name the source:\n{message}"
    assert "errors.pydantic.dev" not in message, f"the message leaks pydantic internals:\n{message}"
    return message


def assert_mentions(message: str, *parts: str) -> None:
    missing = [part for part in parts if part not in message]
    assert not missing, f"message lacks {missing}:\n{message}"


def event(kind: str, **fields) -> dict:
    return {"type": kind, "start": "2025-01", **fields}


# ----------------------------------------------------------------- valid scenarios


def test_small_world_validates(small_data):
    scenario = validate_scenario(small_data, SOURCE)
    assert isinstance(scenario, Scenario)
    assert list(scenario.regions) == ["china", "usa", "japan"]
    assert scenario.mines[0].capacity == small_data["mines"][0]["capacity"]


SHIPPED = sorted(CONFIGS.glob("*.toml"))


def test_baseline_is_shipped():
    assert CONFIGS / "baseline_2024.toml" in SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_configs_validate(path):
    scenario = load_scenario(path)
    assert scenario.regions and scenario.sectors and scenario.mines


def test_every_event_kind_validates(small_data):
    small_data["events"] = [
        event("export_quota", region="china", tonnes_per_year=30000),
        event("export_ban", region="china", destinations=["japan"], goods=["magnet"], end="2025-06"),
        event("export_licence", region="china", approval_rate=0.5),
        event("export_tax", region="china", rate=0.25),
        event("tariff", importer="usa", rate=0.5, origins=["china"]),
        event("subsidy", region="usa", stage="separation", rate=0.3),
        event("price_floor", region="usa", good="ndpr", price=60.0),
        event("stockpile", region="japan", good="dytb", tonnes=100.0, months=6),
        event("mining_quota", region="china", tonnes_per_year=90000),
        event("capacity", facility="US mine", capacity=40000, ramp_months=12),
        event("recycling_mandate", region="japan", collection_rate=0.3),
        event("alliance_join", region="china", alliance="quad"),
        event("alliance_leave", region="japan", alliance="quad", start="2026-01"),
    ]
    scenario = validate_scenario(small_data, SOURCE)
    assert [e.type for e in scenario.events] == [e["type"] for e in small_data["events"]]


def test_event_day_is_truncated_to_its_month(small_data):
    small_data["events"] = [event("export_ban", region="china", start="2024-09-15", end="2024-11")]
    assert validate_scenario(small_data, SOURCE).events[0].start == "2024-09"


# ----------------------------------------------------------------- unknown keys


def test_unknown_top_level_key(small_data):
    small_data["bogus"] = 1
    assert_mentions(error_for(small_data), "bogus", "unknown key", "1")


def test_unknown_key_in_market(small_data):
    small_data["market"] = {"price_speed": 0.3, "bogus": 1}
    assert_mentions(error_for(small_data), "market.bogus", "unknown key", "1")


def test_unknown_key_in_a_mine(small_data):
    small_data["mines"][1]["colour"] = "red"
    assert_mentions(error_for(small_data), "mines.1.colour", "unknown key", "'red'")


def test_unknown_key_in_an_event(small_data):
    small_data["events"] = [event("export_ban", region="china", bogus=3)]
    assert_mentions(error_for(small_data), "events.0", "bogus", "unknown key")


def test_unknown_event_type(small_data):
    small_data["events"] = [event("embargo", region="china")]
    assert_mentions(error_for(small_data), "events.0", "'embargo'", "export_ban")


# ----------------------------------------------------------------- bad values


@pytest.mark.parametrize("kind", ["mines", "refiners", "magnet_plants"])
def test_negative_capacity(small_data, kind):
    small_data[kind][0]["capacity"] = -5
    assert_mentions(error_for(small_data), f"{kind}.0.capacity", "-5", "greater than or equal to 0")


def test_deposit_shares_not_summing_to_one(small_data):
    small_data["deposit_types"]["bastnaesite"]["lace"] = 0.5
    assert_mentions(error_for(small_data), "deposit_types.bastnaesite", "sum to 1", "0.77")


def test_deposit_shares_within_tolerance_pass(small_data):
    small_data["deposit_types"]["bastnaesite"]["lace"] += 1e-9
    validate_scenario(small_data, SOURCE)


def test_split_not_summing_to_one(small_data):
    small_data["sectors"]["ev"]["split"]["china"] = 0.7
    assert_mentions(error_for(small_data), "sectors.ev.split", "sum to 1", "1.1")


def test_bad_month_in_scenario_start(small_data):
    small_data["scenario"]["start"] = "2010-13"
    assert_mentions(error_for(small_data), "scenario.start", "'2010-13'", "YYYY-MM")


@pytest.mark.parametrize("month", ["2010-13", "2010-00", "2010/09", "Sept 2010"])
def test_bad_month_in_an_event(small_data, month):
    small_data["events"] = [event("export_ban", region="china", start=month)]
    assert_mentions(error_for(small_data), "events.0", "start", repr(month), "YYYY-MM")


def test_bad_end_month(small_data):
    small_data["events"] = [event("export_ban", region="china", end="2025-13")]
    assert_mentions(error_for(small_data), "events.0", "end", "'2025-13'", "YYYY-MM")


@pytest.mark.parametrize("end", ["2024-06", "2025-01"])
def test_end_not_after_start(small_data, end):
    small_data["events"] = [event("export_ban", region="china", start="2025-01", end=end)]
    assert_mentions(error_for(small_data), "events.0", end, "2025-01", "must come after")


def test_several_problems_are_all_reported(small_data):
    small_data["mines"][0]["capacity"] = -1
    small_data["market"] = {"bogus": 2}
    assert_mentions(error_for(small_data), "mines.0.capacity", "market.bogus")


# ----------------------------------------------------------------- cross references


@pytest.mark.parametrize(
    ("bad_event", "name"),
    [
        (event("export_quota", region="atlantis", tonnes_per_year=10), "atlantis"),
        (event("export_ban", region="china", destinations=["japan", "mars"]), "mars"),
        (event("export_licence", region="china", approval_rate=0.5, destinations=["mars"]), "mars"),
        (event("tariff", importer="narnia", rate=0.1), "narnia"),
        (event("tariff", importer="usa", rate=0.1, origins=["mordor"]), "mordor"),
        (event("subsidy", region="atlantis", stage="mining", rate=0.1), "atlantis"),
    ],
    ids=[
        "quota-region",
        "ban-destination",
        "licence-destination",
        "tariff-importer",
        "tariff-origin",
        "subsidy-region",
    ],
)
def test_event_naming_unknown_region(small_data, bad_event, name):
    small_data["events"] = [event("export_tax", region="china", rate=0.1), bad_event]
    assert_mentions(error_for(small_data), "events.1", repr(name), KNOWN_REGIONS)


def test_mine_in_unknown_region(small_data):
    small_data["mines"][2]["region"] = "atlantis"
    assert_mentions(error_for(small_data), "mines.2.region", "'atlantis'", KNOWN_REGIONS)


def test_split_over_unknown_region(small_data):
    small_data["sectors"]["catalysts"]["split"] = {"china": 0.6, "atlantis": 0.4}
    assert_mentions(error_for(small_data), "sectors.catalysts.split.atlantis", "'atlantis'", KNOWN_REGIONS)


def test_alliance_member_unknown_region(small_data):
    small_data["alliances"]["quad"]["members"].append("atlantis")
    assert_mentions(error_for(small_data), "alliances.quad.members", "'atlantis'", KNOWN_REGIONS)


def test_mine_with_unknown_deposit_type(small_data):
    small_data["mines"][0]["deposit"] = "moon_rock"
    assert_mentions(error_for(small_data), "mines.0.deposit", "'moon_rock'", "bastnaesite", "ionic_heavy")


def test_event_naming_unknown_facility(small_data):
    small_data["events"] = [event("capacity", facility="Atlantis mine", capacity=5000)]
    message = error_for(small_data)
    # What was expected: the facilities that exist, as the unknown-region message lists regions.
    assert_mentions(message, "events.0.capacity.facility", "'Atlantis mine'", "China light", "US mine")


def test_event_naming_unknown_alliance(small_data):
    small_data["events"] = [event("alliance_join", region="china", alliance="nato")]
    message = error_for(small_data)
    # What was expected: the alliances that exist.
    assert_mentions(message, "events.0.alliance_join.alliance", "'nato'", "quad")


def test_facility_name_used_twice(small_data):
    small_data["refiners"][0]["name"] = "China light"
    assert_mentions(error_for(small_data), "refiners.0.name", "'China light'", "twice")
