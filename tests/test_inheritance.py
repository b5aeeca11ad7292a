"""Scenario files that extend another (``[scenario] extends``): merging, errors, complete text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marketsim.cli import app
from marketsim.scenario.inheritance import merge_tables
from marketsim.scenario.loading import ScenarioError, complete_text, load_scenario, parse_scenario_text

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
POLICY_FILES = ["licensing_2025", "friendshoring", "recycling_push", "escalation", "diversify"]


def as_data(scenario) -> dict:
    return json.loads(scenario.model_dump_json())


def world_of(scenario) -> dict:
    """A scenario's data without its name, calendar, events and alliances: the world it runs on."""
    data = as_data(scenario)
    for key in ("scenario", "events", "alliances"):
        data.pop(key)
    return data


def test_tables_merge_and_other_values_replace():
    base = {"a": {"x": 1, "y": 2}, "events": [1, 2], "n": 3}
    merged = merge_tables(base, {"a": {"y": 5}, "events": [9]})
    assert merged == {"a": {"x": 1, "y": 5}, "events": [9], "n": 3}
    assert base == {"a": {"x": 1, "y": 2}, "events": [1, 2], "n": 3}


@pytest.mark.parametrize("name", POLICY_FILES)
def test_policy_scenarios_run_on_the_baseline_world(name):
    baseline = load_scenario(CONFIGS / "baseline_2024.toml")
    policy = load_scenario(CONFIGS / f"{name}.toml")
    assert policy.events, "a policy scenario adds events"
    mine = world_of(policy)
    theirs = world_of(baseline)
    if name == "diversify":  # the alliance shares research: one value of the MSP changes
        assert as_data(policy)["alliances"]["msp"]["research_sharing"] == 0.5
    assert mine == theirs


def test_an_edit_to_the_base_reaches_the_file_that_extends_it(tmp_path):
    base = (CONFIGS / "baseline_2024.toml").read_text(encoding="utf-8")
    (tmp_path / "base.toml").write_text(base.replace("years = 30", "years = 7"), encoding="utf-8")
    (tmp_path / "policy.toml").write_text('[scenario]\nextends = "base.toml"\nname = "p"\n', encoding="utf-8")
    scenario = load_scenario(tmp_path / "policy.toml")
    assert scenario.scenario.years == 7
    assert scenario.scenario.name == "p"


def test_complete_text_replays_without_the_base_file():
    path = CONFIGS / "escalation.toml"
    text = complete_text(path)
    assert "extends" not in text
    assert as_data(parse_scenario_text(text, "complete")) == as_data(load_scenario(path))


def test_a_file_without_extends_is_its_own_complete_text():
    path = CONFIGS / "baseline_2024.toml"
    assert complete_text(path) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("extends", "words"),
    [
        ("missing.toml", "does not exist"),
        ("../baseline_2024.toml", "name of a .toml file in the same folder"),
        ("base.json", "name of a .toml file in the same folder"),
        ("policy.toml", "loop"),
    ],
)
def test_an_extends_that_cannot_be_followed_is_refused_in_words(tmp_path, extends, words):
    (tmp_path / "policy.toml").write_text(f'[scenario]\nextends = "{extends}"\nname = "p"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=words):
        load_scenario(tmp_path / "policy.toml")


def test_an_uploaded_file_may_extend_only_where_a_folder_is_given():
    text = '[scenario]\nextends = "baseline_2024.toml"\nname = "up"\n'
    with pytest.raises(ScenarioError, match="uploaded scenario cannot reach"):
        parse_scenario_text(text, "up.toml")
    assert parse_scenario_text(text, "up.toml", folder=CONFIGS).scenario.name == "up"


def test_cli_resolve_prints_a_complete_scenario_and_refuses_a_broken_one(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["resolve", str(CONFIGS / "licensing_2025.toml")])
    assert result.exit_code == 0
    assert as_data(parse_scenario_text(result.output, "cli")) == as_data(load_scenario(CONFIGS / "licensing_2025.toml"))
    (tmp_path / "bad.toml").write_text('[scenario]\nextends = "nope.toml"\nname = "b"\n', encoding="utf-8")
    result = runner.invoke(app, ["resolve", str(tmp_path / "bad.toml")])
    assert result.exit_code != 0
    assert "does not exist" in result.output
    assert "Traceback" not in result.output
