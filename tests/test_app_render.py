"""The dashboard page rendered in process (no browser): its controls drive the session's run, and
every page has its own run. The session state behind a page is also tested directly."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

import ipyvuetify as v
import pytest
import solara
from _toml_text import dumps
from conftest import SMALL_WORLD

from marketsim.scenario.loading import ScenarioError, parse_scenario_text
from viz.dashboard.app import Page
from viz.dashboard.session import DEFAULT_SCENARIO, Dashboard

SMALL = Path(tempfile.mkdtemp(prefix="marketsim-app-")) / "small_world.toml"
SMALL.write_text(dumps(SMALL_WORLD))
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


def apply_tariff(context, government: str, start: int | None = None) -> None:
    field(context, v.Select, "Government").v_model = government
    if start is not None:
        slider(context, "Starts in").v_model = start
    click(context, "Apply tariff")


def slider(context, label_start: str) -> v.Slider:
    (found,) = [w for w in context.find(v.Slider).widgets if str(w.label).startswith(label_start)]
    return found


def change_switches(context) -> list[v.Switch]:
    return [w for w in context.find(v.Switch).widgets if str(w.label).startswith("#")]


# ------------------------------------------------------------------ the page
def test_page_opens_with_the_whole_run_simulated(page):
    text = status(page)
    months = months_of_default_scenario()
    assert text.startswith(f"Month {months} of {months} ")
    assert f"scenario {Path(DEFAULT_SCENARIO).stem}" in text
    assert "live changes 0" in text
    assert "dotted" not in text
    assert alerts(page, "run-message") == []
    assert button(page, "Step").disabled
    assert button(page, "Replay last change").disabled
    assert (
        "headline-strip" in "".join(str(h.children) for h in page.find(v.Html).widgets)
        or page.find(v.Html, class_="headline").widgets
    )


def button_exists(context, label: str) -> bool:
    return any(b.children == [label] for b in context.find(v.Btn).widgets)


def test_a_change_is_run_to_the_end_and_compared_with_its_twin(page):
    apply_tariff(page, "japan", start=13)
    (message,) = alerts(page, "run-message")
    assert message.startswith("japan: tariff in force from 2025-02")
    assert alerts(page, "run-error") == []
    text = status(page)
    assert "live changes 1" in text
    assert "dotted: without japan: tariff (2025-02)" in text
    assert month(page) == months_of_default_scenario()
    assert not button(page, "Replay last change").disabled
    (switch,) = change_switches(page)
    assert switch.label == "#1 2025-02 japan: tariff" and switch.v_model is True


def test_a_change_switched_off_leaves_the_run_as_without_it(page):
    apply_tariff(page, "usa", start=30)
    (switch,) = change_switches(page)
    switch.v_model = False
    assert "live changes 0" in status(page)
    assert "dotted" not in status(page)
    (switch,) = change_switches(page)
    assert switch.v_model is False
    switch.v_model = True
    assert "live changes 1" in status(page)


def test_replay_goes_back_to_the_month_of_the_last_change():
    dash = stepped_dashboard(30)
    dash.decide("usa", {"type": "tariff", "importer": "usa", "rate": 0.2}, 2)
    assert dash.run.tick == 30
    assert dash.replay()
    assert dash.run.tick == 2
    assert dash.message.text.startswith("Back at 2024-03")


@pytest.mark.parametrize("typed", ["nan", "inf", "", "1e400", "abc", "-5"])
def test_a_bad_number_is_refused_and_changes_nothing(page, typed):
    field(page, v.Select, "Government").v_model = "china"
    field(page, v.TextField, "Quota on ore and oxides, kt REO a year").v_model = typed
    click(page, "Set quota")
    (error,) = alerts(page, "run-error")
    assert "the quota must be a number" in error
    assert "live changes 0" in status(page)


def test_a_change_that_cannot_have_an_effect_is_refused_with_the_reason(page):
    field(page, v.Select, "Government").v_model = "myanmar"
    field(page, v.Select, "Stage").v_model = "magnets"
    click(page, "Apply subsidy")
    (error,) = alerts(page, "run-error")
    assert "myanmar has no magnet plants to subsidise" in error
    assert "live changes 0" in status(page)


def test_presenter_mode_shows_the_headline_and_two_charts(page):
    field(page, v.Switch, "Presenter mode").v_model = True
    assert not [w for w in page.find(v.Select).widgets if w.label == "Government"], "no levers in presenter mode"
    cards = [w for w in page.find(v.Card).widgets if "chart-card" in (w.class_ or "")]
    assert len(cards) == 2
    field(page, v.Switch, "Presenter mode").v_model = False
    assert [w for w in page.find(v.Select).widgets if w.label == "Government"]


def test_malformed_seed_is_refused_and_the_run_goes_on(page):
    before = status(page)
    field(page, v.TextField, "Seed").v_model = "12abc"
    click(page, "Restart with this seed")
    (error,) = alerts(page, "run-error")
    assert "seed must be a whole number" in error
    assert "12abc" in error
    assert status(page) == before


def test_two_pages_have_independent_runs():
    _, first = solara.render(Wrapped(), handle_error=False)
    _, second = solara.render(Wrapped(), handle_error=False)
    try:
        apply_tariff(first, "usa", start=5)
        assert "live changes 1" in status(first)
        assert "live changes 0" in status(second)
    finally:
        first.close()
        second.close()


# ------------------------------------------------------------------ the session state
def stepped_dashboard(ticks: int = 3) -> Dashboard:
    dash = Dashboard.start(SMALL)
    dash.run.show_from(ticks)
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
    dash.decide("usa", {"type": "tariff", "importer": "usa", "rate": 0.2}, 3)
    assert dash.reference() is not None
    old_model = dash.run.model
    dash.upload("my_world.toml", SMALL.read_bytes())
    assert dash.message.ok, dash.message.text
    assert dash.scenario_name == "my_world"
    assert dash.run.model is not old_model
    assert (dash.run.tick, dash.run.interventions) == (dash.run.months, [])
    assert dash.run.source == "uploaded: my_world.toml"
    assert dash.reference() is None
    assert "my_world" in dash.message.text


def test_refused_decision_gives_an_error_message():
    dash = stepped_dashboard(1)
    dash.decide("usa", {"type": "export_quota", "region": "china", "tonnes_per_year": 1.0}, 1)
    assert not dash.message.ok
    assert dash.message.text.startswith("Refused: ")
    assert "china's to make" in dash.message.text
    assert dash.run.interventions == []


def test_replay_without_a_change_explains_itself():
    dash = stepped_dashboard(2)
    assert not dash.replay()
    assert not dash.message.ok
    assert dash.run.tick == 2


def test_export_gives_a_zip_of_the_run_so_far():
    dash = stepped_dashboard(2)
    with zipfile.ZipFile(io.BytesIO(dash.export("csv"))) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["ticks_run"] == dash.run.months
    assert manifest["source"] == str(SMALL)


@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_an_upload_with_a_number_that_is_not_finite_is_refused(value):
    dash = stepped_dashboard()
    model = dash.run.model
    text = SMALL.read_text().replace('"capacity" = 20000', f'"capacity" = {value}', 1)
    assert f'"capacity" = {value}' in text
    dash.upload("odd.toml", text.encode())
    assert dash.run.model is model and not dash.message.ok
    assert "odd.toml was not loaded" in dash.message.text
    assert "must be finite" in dash.message.text and "capacity" in dash.message.text


def test_closing_a_dashboard_lets_go_of_its_runs():
    dash = stepped_dashboard()
    dash.decide("usa", {"type": "tariff", "importer": "usa", "rate": 0.2}, 3)
    dash.view()
    dash.close()
    assert dash.run.runs is None and dash._readers == {}
