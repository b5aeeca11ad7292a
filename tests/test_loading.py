"""Loading scenario files, ``--set`` overrides and the scenario hash."""

from __future__ import annotations

import re

import pytest
from _toml_text import dumps

from marketsim.scenario.loading import ScenarioError, apply_overrides, load_scenario, scenario_hash, validate_scenario


@pytest.fixture
def write(tmp_path):
    """Write text (or bytes) to a scenario file and return its path."""

    def _write(content: str | bytes, name: str = "scenario.toml"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


def load_error(path, overrides=None) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    return str(caught.value)


def assert_mentions(message: str, *parts: str) -> None:
    missing = [part for part in parts if part not in message]
    assert not missing, f"message lacks {missing}:\n{message}"


# ----------------------------------------------------------------- reading files


def test_file_loads_like_its_data(write, small_data):
    scenario = load_scenario(write(dumps(small_data)))
    assert scenario == validate_scenario(small_data)


def test_malformed_toml_names_file_and_line(write, small_data):
    path = write(dumps(small_data) + "\n[market\nprice_speed = 0.3\n")
    message = load_error(path)
    assert_mentions(message, str(path), "not valid TOML")
    lines = dumps(small_data).count("\n") + 2
    assert re.search(rf"line {lines}\b", message), message


def test_duplicate_key_is_malformed_toml(write):
    path = write('[scenario]\nname = "a"\nname = "b"\n')
    assert_mentions(load_error(path), str(path), "not valid TOML", "line 3")


def test_file_that_is_not_utf8_text(write):
    path = write(b"\xff\xfe[scenario]\nname = 'x'\n")
    assert_mentions(load_error(path), str(path))


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "missing.toml"
    assert_mentions(load_error(path), str(path), "no such")


def test_folder_instead_of_file(tmp_path):
    assert_mentions(load_error(tmp_path), str(tmp_path), "folder")


def test_unknown_top_level_key_in_file(write, small_data):
    path = write(dumps(small_data) + "bogus_key = 1\n")
    assert_mentions(load_error(path), f"{path}: bogus_key", "unknown key")


def test_unknown_nested_key_in_file(write, small_data):
    path = write(dumps(small_data) + "\n[market]\nprice_speed = 0.3\nbogus = 1\n")
    assert_mentions(load_error(path), f"{path}: market.bogus", "unknown key", "(got 1)")


def test_unknown_key_in_a_mine_in_file(write, small_data):
    small_data["mines"][0]["owner"] = "state"
    path = write(dumps(small_data))
    assert_mentions(load_error(path), f"{path}: mines.0.owner", "unknown key", "'state'")


def test_negative_capacity_in_file(write, small_data):
    small_data["mines"][2]["capacity"] = -20
    path = write(dumps(small_data))
    assert_mentions(load_error(path), f"{path}: mines.2.capacity", "-20", "greater than or equal to 0")


def test_shares_not_summing_to_one_in_file(write, small_data):
    small_data["deposit_types"]["ionic_heavy"]["other"] = 0.5
    small_data["sectors"]["catalysts"]["split"]["usa"] = 0.5
    message = load_error(write(dumps(small_data)))
    assert_mentions(message, "deposit_types.ionic_heavy", "sectors.catalysts.split", "sum to 1")


def test_unknown_region_in_event_destinations_in_file(write, small_data):
    small_data["events"] = [{"type": "export_ban", "region": "china", "start": "2025-01", "destinations": ["mars"]}]
    path = write(dumps(small_data))
    assert_mentions(load_error(path), str(path), "events.0", "'mars'", "china, japan, usa")


def test_bad_month_in_file(write, small_data):
    small_data["scenario"]["start"] = "2010-13"
    path = write(dumps(small_data))
    assert_mentions(load_error(path), f"{path}: scenario.start", "'2010-13'", "YYYY-MM")


def test_end_before_start_in_file(write, small_data):
    small_data["events"] = [
        {"type": "export_quota", "region": "china", "tonnes_per_year": 1000, "start": "2026-03", "end": "2025-03"}
    ]
    path = write(dumps(small_data))
    assert_mentions(load_error(path), str(path), "events.0", "end 2025-03 must come after start 2026-03")


# ----------------------------------------------------------------- overrides


@pytest.mark.parametrize(
    ("item", "read", "expected"),
    [
        ("market.price_speed=0.3", lambda s: s.market.price_speed, 0.3),
        ("mines.0.capacity=5000", lambda s: s.mines[0].capacity, 5000),
        ("mines.2.capacity=5e3", lambda s: s.mines[2].capacity, 5000),
        ("scenario.years=2", lambda s: s.scenario.years, 2),
        ("scenario.name=other", lambda s: s.scenario.name, "other"),
        ('scenario.name="quoted name"', lambda s: s.scenario.name, "quoted name"),
        ("refiners.1.heavy_circuit=true", lambda s: s.refiners[1].heavy_circuit, True),
        ("sectors.ev.demand=12345", lambda s: s.sectors["ev"].demand, 12345),
        ("regions.japan.stockpile_days=90", lambda s: s.regions["japan"].stockpile_days, 90),
    ],
)
def test_valid_override_changes_the_value(small_world, item, read, expected):
    changed = apply_overrides(small_world, [item], "small")
    assert read(changed) == expected
    assert read(small_world) != expected


def test_override_changes_only_its_value(small_world):
    changed = apply_overrides(small_world, ["market.price_speed=0.3"], "small")
    assert changed.market.price_speed == 0.3
    assert changed.model_copy(update={"market": small_world.market}) == small_world


def test_several_overrides_apply_in_order(small_world):
    changed = apply_overrides(small_world, ["scenario.years=2", "mines.1.capacity=1", "scenario.years=4"], "s")
    assert (changed.scenario.years, changed.mines[1].capacity) == (4, 1)


def test_no_overrides_returns_the_scenario(small_world):
    assert apply_overrides(small_world, [], "small") == small_world


def test_overrides_keep_events(small_data):
    small_data["events"] = [
        {"type": "export_ban", "region": "china", "start": "2025-01", "destinations": ["japan"], "goods": ["magnet"]},
        {"type": "tariff", "importer": "usa", "rate": 0.25, "start": "2025-06", "end": "2026-01"},
    ]
    scenario = validate_scenario(small_data)
    changed = apply_overrides(scenario, ["events.1.rate=0.5"], "small")
    assert changed.events[0] == scenario.events[0]
    assert changed.events[1].rate == 0.5
    assert changed.events[1].end == "2026-01"


def test_load_scenario_applies_overrides(write, small_data):
    path = write(dumps(small_data))
    scenario = load_scenario(path, ["market.price_speed=0.3", "mines.0.capacity=5000"])
    assert scenario.market.price_speed == 0.3
    assert scenario.mines[0].capacity == 5000


def test_override_of_missing_setting_lists_the_options(small_world):
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(small_world, ["market.bogus=1"], "small")
    assert_mentions(str(caught.value), "market.bogus", "price_speed", "price_sensitivity", "outage_rate")


def test_override_of_missing_top_level_section_lists_the_options(small_world):
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(small_world, ["markets.price_speed=0.3"], "small")
    assert_mentions(str(caught.value), "'markets'", "market", "mines", "scenario", "sectors")


def test_override_of_missing_nested_key_lists_the_options(small_world):
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(small_world, ["sectors.ev.demandd=1"], "small")
    assert_mentions(str(caught.value), "sectors.ev.demandd", "demand", "growth", "split")


@pytest.mark.parametrize(
    "item", ["mines.3.capacity=1", "mines.99.capacity=1", "mines.-1.capacity=1", "mines.first.capacity=1"]
)
def test_override_index_out_of_range(small_world, item):
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(small_world, [item], "small")
    assert_mentions(str(caught.value), item.split("=")[0], "index below 3")


def test_override_below_a_plain_value(small_world):
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(small_world, ["scenario.years.months=2"], "small")
    assert_mentions(str(caught.value), "scenario.years")


@pytest.mark.parametrize("item", ["market.price_speed", "=3", "  =0.3"])
def test_malformed_override(small_world, item):
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(small_world, [item], "small")
    assert_mentions(str(caught.value), "dotted.path=value")


def test_override_making_the_scenario_invalid(small_world):
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(small_world, ["mines.0.capacity=-1"], "small.toml")
    assert_mentions(str(caught.value), "small.toml", "--set", "mines.0.capacity", "-1", "greater than or equal to 0")


def test_override_with_wrong_type(write, small_data):
    path = write(dumps(small_data))
    message = load_error(path, ["scenario.years=many"])
    assert_mentions(message, str(path), "scenario.years", "'many'", "integer")


def test_override_breaking_a_sum(small_world):
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(small_world, ["deposit_types.bastnaesite.lace=0.1"], "small")
    assert_mentions(str(caught.value), "deposit_types.bastnaesite", "sum to 1")


# ----------------------------------------------------------------- hash


def test_hash_equal_for_equal_scenarios(small_data, write):
    first = validate_scenario(small_data)
    second = load_scenario(write(dumps(small_data)))
    assert first is not second
    assert scenario_hash(first) == scenario_hash(second)
    assert re.fullmatch(r"[0-9a-f]{64}", scenario_hash(first))


def test_hash_equal_after_a_no_op_override(small_world):
    same = apply_overrides(small_world, ["scenario.years=3"], "small")
    assert scenario_hash(same) == scenario_hash(small_world)


@pytest.mark.parametrize(
    "item",
    [
        "market.price_speed=0.3",
        "mines.0.capacity=100001",
        "scenario.seed=8",
        "scenario.name=other",
        "sectors.ev.growth.0.rate=0.06",
    ],
)
def test_hash_differs_when_a_value_changes(small_world, item):
    assert scenario_hash(apply_overrides(small_world, [item], "small")) != scenario_hash(small_world)


def test_hash_differs_when_an_event_is_added(small_data):
    before = validate_scenario(small_data)
    small_data["events"] = [{"type": "export_ban", "region": "china", "start": "2025-01"}]
    assert scenario_hash(validate_scenario(small_data)) != scenario_hash(before)
