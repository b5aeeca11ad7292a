"""The dashboard page rendered in process (no browser): its controls drive the session's run, and
every page has its own run. The session state behind a page is also tested directly."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import ipyvuetify as v
import pytest
import solara

from marketsim.scenario.loading import ScenarioError, parse_scenario_text
from viz.dashboard.app import Page
from viz.dashboard.session import DEFAULT_SCENARIO, Dashboard

BAD_SCENARIO = b'[scenario]\nname = "broken"\nstart = "2024-01"\nyears = "thirty"\n'


@solara.component
def Wrapped():
    with solara.AppLayout():
        Page()


# ------------------------------------------------------------------ helpers
@pytest.fixture
def page():
    """A freshly rendered page and its render context."""
    _, context = solara.render(Wrapped(), handle_error=False)
    yield context
    context.close()


def status(context) -> str:
    return context.find(v.Html, class_="run-status").widget.children[0]


def button(context, label: str) -> v.Btn:
    (found,) = [b for b in context.find(v.Btn).widgets if b.children == [label]]
    return found


def click(context, label: str) -> None:
    found = button(context, label)
    assert not found.disabled, f"{label!r} is disabled"
    found.click()


def alerts(context, css_class: str) -> list[str]:
    """Texts of the messages shown with a CSS class."""
    return [
        "".join(map(str, a.children)) for a in context.find(v.Alert).widgets if css_class in (a.class_ or "").split()
    ]


def field(context, widget_class, label: str):
    (found,) = [w for w in context.find(widget_class).widgets if w.label == label]
    return found


def month(context) -> int:
    text = status(context)
    assert text.startswith("Month ")
    return int(text.split()[1])


def months_of_default_scenario() -> int:
    return Dashboard.start().run.months


def apply_tariff(context, government: str) -> None:
    field(context, v.Select, "Government").v_model = government
    click(context, "Apply tariff")


# ------------------------------------------------------------------ the page
def test_page_opens_at_month_zero(page):
    text = status(page)
    assert text.startswith(f"Month 0 of {months_of_default_scenario()} ")
    assert f"scenario {Path(DEFAULT_SCENARIO).stem}" in text
    assert "live changes 0" in text
    assert "pinned" not in text
    assert alerts(page, "run-message") == []
    assert button(page, "Pin as reference").disabled
    assert button(page, "Replay last change").disabled


def test_step_advances_one_month(page):
    click(page, "Step")
    assert month(page) == 1
    click(page, "Step")
    assert month(page) == 2
    assert "last simulated: 2024-02" in status(page)


def test_run_to_end_reaches_the_last_month(page):
    click(page, "Run to end")
    months = months_of_default_scenario()
    assert status(page).startswith(f"Month {months} of {months} ")
    assert button(page, "Step").disabled
    assert button(page, "Run to end").disabled


def test_reset_goes_back_to_month_zero(page):
    click(page, "Step")
    apply_tariff(page, "usa")
    click(page, "Reset")
    assert month(page) == 0
    assert "live changes 0" in status(page)
    assert any(text.startswith("Restarted") for text in alerts(page, "run-message"))


def test_applying_a_tariff_shows_a_message_and_counts_the_change(page):
    click(page, "Step")
    apply_tariff(page, "japan")
    (message,) = alerts(page, "run-message")
    assert message.startswith("japan: tariff in force from 2024-02")
    assert alerts(page, "run-error") == []
    assert "live changes 1" in status(page)
    assert month(page) == 1
    assert not button(page, "Replay last change").disabled


def test_pinning_a_reference_shows_in_the_status(page):
    click(page, "Step")
    apply_tariff(page, "usa")
    click(page, "Step")
    click(page, "Pin as reference")
    assert "pinned: " in status(page)
    assert "to 2024-02" in status(page)  # the last month simulated
    click(page, "Unpin reference")
    assert "pinned" not in status(page)
    assert not button(page, "Pin as reference").disabled


def test_replay_goes_back_to_the_month_of_the_last_change(page):
    click(page, "Step")
    click(page, "Step")
    apply_tariff(page, "eu")
    for _ in range(3):
        click(page, "Step")
    assert month(page) == 5
    click(page, "Replay last change")
    assert month(page) == 2
    assert "live changes 1" in status(page)
    (message,) = alerts(page, "run-message")
    assert message.startswith("Back at 2024-03")


def test_malformed_seed_is_refused_and_the_run_goes_on(page):
    click(page, "Step")
    click(page, "Step")
    before = status(page)
    field(page, v.TextField, "Seed").v_model = "12abc"
    click(page, "Restart with this seed")
    (error,) = alerts(page, "run-error")
    assert "seed must be a whole number" in error
    assert "12abc" in error
    assert status(page) == before


def test_a_good_seed_restarts_the_run(page):
    click(page, "Step")
    field(page, v.TextField, "Seed").v_model = " 1_234 "
    click(page, "Restart with this seed")
    assert month(page) == 0
    assert "seed 1234 " in status(page)
    assert alerts(page, "run-error") == []


def test_two_pages_have_independent_runs():
    _, first = solara.render(Wrapped(), handle_error=False)
    _, second = solara.render(Wrapped(), handle_error=False)
    try:
        click(first, "Step")
        click(first, "Step")
        apply_tariff(first, "usa")
        assert month(first) == 2
        assert month(second) == 0
        assert "live changes 0" in status(second)
        click(second, "Step")
        assert (month(first), month(second)) == (2, 1)
    finally:
        first.close()
        second.close()


# ------------------------------------------------------------------ the session state
def stepped_dashboard(ticks: int = 3) -> Dashboard:
    dash = Dashboard.start()
    dash.step(ticks)
    return dash


def test_invalid_upload_changes_nothing():
    dash = stepped_dashboard()
    model, name, seed = dash.run.model, dash.scenario_name, dash.run.seed
    with pytest.raises(ScenarioError) as expected:
        parse_scenario_text(BAD_SCENARIO, "bad.toml")
    dash.upload("bad.toml", BAD_SCENARIO)
    assert dash.run.model is model
    assert dash.run.tick == 3
    assert (dash.scenario_name, dash.run.seed) == (name, seed)
    assert dash.message is not None and not dash.message.ok
    assert "bad.toml was not loaded" in dash.message.text
    assert str(expected.value) in dash.message.text


@pytest.mark.parametrize("content", [b"\xff\xfe not text", b"[scenario\nname = ", b""])
def test_unreadable_upload_changes_nothing(content):
    dash = stepped_dashboard()
    model = dash.run.model
    dash.upload("odd.toml", content)
    assert dash.run.model is model and dash.run.tick == 3
    assert not dash.message.ok
    assert "odd.toml" in dash.message.text


def test_valid_upload_switches_the_scenario():
    dash = stepped_dashboard()
    dash.decide("usa", {"type": "tariff", "importer": "usa", "rate": 0.2})
    dash.pin()
    old_model = dash.run.model
    dash.upload("my_world.toml", Path(DEFAULT_SCENARIO).read_bytes())
    assert dash.message.ok, dash.message.text
    assert dash.scenario_name == "my_world"
    assert dash.run.model is not old_model
    assert (dash.run.tick, dash.run.interventions) == (0, [])
    assert dash.run.source == "uploaded: my_world.toml"
    assert dash.reference is None
    assert "my_world" in dash.message.text


def test_refused_decision_gives_an_error_message():
    dash = stepped_dashboard(1)
    dash.decide("usa", {"type": "export_quota", "region": "china", "tonnes_per_year": 1.0})
    assert not dash.message.ok
    assert dash.message.text.startswith("Refused: ")
    assert "china's to make" in dash.message.text
    assert dash.run.interventions == []


def test_replay_without_a_change_explains_itself():
    dash = stepped_dashboard(2)
    dash.replay()
    assert not dash.message.ok
    assert dash.run.tick == 2


def test_export_gives_a_zip_of_the_run_so_far():
    dash = stepped_dashboard(2)
    with zipfile.ZipFile(io.BytesIO(dash.export("csv"))) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["ticks_run"] == 2
    assert manifest["source"] == str(Path(DEFAULT_SCENARIO))
