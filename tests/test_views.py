"""What the dashboard shows of a run: the view read off the model, the scorecard, the figures
drawn from the view and the JSON the chart widget sends to the browser."""

from __future__ import annotations

import numpy as np
import pytest

from marketsim.governance import decisions
from marketsim.governance.rounds import decide
from marketsim.live import LiveRun
from marketsim.model import RareEarthModel
from marketsim.reports.metrics import derive
from marketsim.reports.scorecard import COLUMNS
from marketsim.reports.views import CHINA_TIER, FLOW_MONTHS, OUTSIDE_TIER, RunReader, RunView, view_of
from marketsim.scenario.loading import validate_scenario
from marketsim.vocabulary import GOODS, STAGES

CONCENTRATE, MAGNET = GOODS.index("concentrate"), GOODS.index("magnet")
OXIDES = [GOODS.index("ndpr"), GOODS.index("dytb")]
FLOW_STAGES = ("mined in", "separated in", "made into magnets in", "magnets used in")
SCHEDULED_TARIFF = {"type": "tariff", "importer": "japan", "start": "2024-04", "rate": 0.1}


# ------------------------------------------------------------------ helpers
@pytest.fixture
def world(small_data):
    """The small world with a region that uses nothing and one scheduled event."""
    small_data["regions"]["korea"] = {"name": "Korea"}
    small_data["events"] = [SCHEDULED_TARIFF]
    return validate_scenario(small_data, "small-world-with-event")


def advanced(scenario, ticks: int, changes: dict | None = None) -> LiveRun:
    """A live run with ``changes`` (tick -> [(region, make(now))]) made at their months, showing
    its first ``ticks`` months."""
    run = LiveRun(scenario)
    for tick, made in sorted((changes or {}).items()):
        for region, make in made:
            result = run.change_policy(region, make(run.date_of(tick)), tick)
            assert result.accepted, result.message
    run.show_from(ticks)
    return run


def view(run: LiveRun) -> RunView:
    return RunReader(run.model, run.changes).view(run.tick)


def all_series(v: RunView) -> dict[str, np.ndarray]:
    """Every time series of a view, by a readable name."""
    series = {}
    for good, tiers in v.prices.items():
        series |= {f"price {good} {tier}": values for tier, values in tiers.items()}
    series |= {f"china share {stage}": values for stage, values in v.china_share.items()}
    for region, stages in v.dependency.items():
        series |= {f"dependency {region} {stage}": values for stage, values in stages.items()}
    series |= {f"unmet {good}": values for good, values in v.unmet.items()}
    series |= {f"stockpile {good}": values for good, values in v.stockpile.items()}
    return series


def stage_of(label: str) -> int:
    (stage,) = [k for k, name in enumerate(FLOW_STAGES) if label.startswith(name + " ")]
    return stage


def flow_out_of(v: RunView, stage: int) -> float:
    return sum(value for source, _, value in v.flows.links if stage_of(v.flows.labels[source]) == stage)


def tariff_on_china(region: str, rate: float = 1.0):
    return region, lambda now: decisions.tariff(region, now, rate, ("china",))


def china_quota(tonnes: float = 1000.0):
    return "china", lambda now: decisions.export_quota("china", now, tonnes)


# ------------------------------------------------------------------ the view
def test_view_at_tick_zero_is_empty(world):
    v = view(advanced(world, 0))
    assert v.ticks == 0
    assert v.dates == []
    assert all(len(values) == 0 for values in all_series(v).values())
    assert v.flows.links == [] and v.flows.labels == []
    assert v.markers == []
    assert v.scores.empty
    assert list(v.scores.columns) == list(COLUMNS)
    assert v.alliances == {"quad": ["japan", "usa"]}


@pytest.mark.parametrize("ticks", [1, 7])
def test_every_series_has_a_point_per_tick(world, ticks):
    run = advanced(world, ticks)
    v = view(run)
    assert v.ticks == ticks
    assert v.dates == [run.model.date_of(t) for t in range(ticks)]
    lengths = {name: len(values) for name, values in all_series(v).items()}
    assert set(lengths.values()) == {ticks}, lengths
    assert set(v.dependency) == set(run.model.regions)
    assert set(v.china_share) == set(STAGES)


def test_price_tiers_are_china_and_outside_china(world):
    run = advanced(world, 9)
    v, raw = view(run), run.model.recorder.raw
    china = run.model.china
    others = [k for k in range(len(run.model.regions)) if k != china]
    for k, good in enumerate(GOODS):
        assert list(v.prices[good]) == [CHINA_TIER, OUTSIDE_TIER]
        np.testing.assert_array_equal(v.prices[good][CHINA_TIER], raw["price"][:9, k, china])
        outside = raw["price"][:9, k][:, others]
        tier = v.prices[good][OUTSIDE_TIER]
        assert (tier >= outside.min(axis=1) - 1e-9).all() and (tier <= outside.max(axis=1) + 1e-9).all()


@pytest.mark.parametrize("ticks", [5, FLOW_MONTHS, 20])
def test_flows_follow_the_chain_and_add_up_to_the_trade_of_the_last_year(world, ticks):
    run = advanced(world, ticks)
    v = view(run)
    assert v.flows.links
    assert len(v.flows.regions) == len(v.flows.labels)
    for source, target, value in v.flows.links:
        assert stage_of(v.flows.labels[target]) == stage_of(v.flows.labels[source]) + 1
        assert value > 0
    recent = run.model.recorder.raw["flows"][max(0, ticks - FLOW_MONTHS) : ticks]
    per_year = 12.0 / len(recent)
    reo_per_magnet = run.model.recorder.reo_per_unit[MAGNET]
    expected = [
        recent[:, CONCENTRATE].sum() * per_year,
        recent[:, OXIDES].sum() * per_year,
        recent[:, MAGNET].sum() * reo_per_magnet * per_year,
    ]
    for stage, total in enumerate(expected):
        assert flow_out_of(v, stage) == pytest.approx(total, rel=1e-9)


# ------------------------------------------------------------------ markers
def test_scheduled_event_is_marked_once_it_has_started(world):
    assert view(advanced(world, 3)).markers == []
    (marker,) = view(advanced(world, 4)).markers
    assert (marker.date, marker.kind, marker.label) == ("2024-04", "scenario", "japan: tariff")


def test_live_change_is_marked_at_its_date(world):
    run = advanced(world, 8, {6: [tariff_on_china("usa")]})
    kinds = {(m.date, m.label): m.kind for m in view(run).markers}
    assert kinds == {("2024-04", "japan: tariff"): "scenario", (run.model.date_of(6), "usa: tariff"): "change"}


def test_replayed_change_is_still_marked_as_a_live_change(world):
    run = advanced(world, 10, {6: [tariff_on_china("usa")]})
    assert run.replay_last_change()
    run.step(2)
    changes = [m for m in view(run).markers if m.label == "usa: tariff"]
    assert [(m.date, m.kind) for m in changes] == [(run.model.date_of(6), "change")]


# ------------------------------------------------------------------ scorecard
def test_scorecard_has_a_row_per_region_with_sensible_values(world):
    run = advanced(world, 14)
    scores = view(run).scores
    assert list(scores.index) == run.model.regions
    assert list(scores.columns) == list(COLUMNS)
    users = scores.drop(index="korea")
    assert users["need_met"].between(0, 100).all()
    assert users["china_dependency"].between(0, 100).all()
    # Korea has no end users in this world: its need met and dependency do not apply.
    assert scores.loc["korea", ["need_met", "china_dependency"]].isna().all()
    assert scores.loc["korea", "cost_of_supply"] == 0
    assert scores.loc["korea", "burden"] == 0
    assert (scores.drop(index="korea")["cost_of_supply"] > 0).all()


def test_value_added_is_counted_at_world_prices(world):
    """Output less the rare earths bought to make it, both at the world (purchase-weighted) price,
    so a seller cut off by export controls posting a fantasy price adds nothing for it."""
    run = advanced(world, 12)
    raw = {name: values[: run.tick] for name, values in run.model.recorder.raw.items()}
    v = view(run)
    metrics = derive(raw, run.model.china, run.model.recorder.reo_per_unit)
    regions = len(run.model.regions)
    world_price = metrics["price"][:, :-1, -1][:, :, None]
    net = raw["production"] - (raw["use"] - raw["consumption"])
    expected = (net * world_price).sum(axis=(0, 1))[:regions] / 1000.0
    assert np.allclose(v.scores["value_added"].to_numpy(), expected)


def test_scorecard_counts_only_the_last_twelve_months(world):
    run = advanced(world, 20)
    raw = run.model.recorder.raw
    japan = run.model.region_index["japan"]
    window = slice(8, 20)
    expected = (raw["consumption"][window, :, japan] * raw["price"][window, :, japan]).sum() / 1000.0
    assert view(run).scores.loc["japan", "cost_of_supply"] == pytest.approx(expected, rel=1e-9)


def test_china_export_quota_leaves_importers_short_or_priced_out(world):
    # Importers are rationed (need unmet) or priced out: a tonnage quota's licence price makes La/Ce
    # dear abroad and their users thrift (docs/model.md 7.30), so they use much less.
    free_run, capped_run = advanced(world, 24), advanced(world, 24, {0: [china_quota()]})
    free, capped = view(free_run).scores, view(capped_run).scores
    for region in ("japan", "usa"):
        short = capped.loc[region, "need_met"] < free.loc[region, "need_met"] - 5
        used = [lace_used(run, region) for run in (free_run, capped_run)]
        assert short or used[1] < 0.8 * used[0], region


def lace_used(run: LiveRun, region: str) -> float:
    """Tonnes of La/Ce a region's end users consumed over the run so far."""
    table = run.model.results()
    rows = table[(table.metric == "consumption") & (table.good == "lace") & (table.region == region)]
    return float(rows.value.sum())


def test_tariff_on_china_cuts_the_importers_dependency_at_a_cost(world):
    free = view(advanced(world, 24)).scores
    taxed = view(advanced(world, 24, {0: [tariff_on_china("usa")]})).scores
    assert taxed.loc["usa", "china_dependency"] < free.loc["usa", "china_dependency"] - 1
    assert taxed.loc["usa", "cost_of_supply"] > free.loc["usa", "cost_of_supply"]


# ------------------------------------------------------------------ figures
def test_the_reader_slices_what_a_fresh_view_reads(world):
    run = advanced(world, 36, {6: [tariff_on_china("usa")]})
    reader = RunReader(run.model, run.changes)
    for ticks in (0, 1, 13, 36):
        stepped = RareEarthModel(world)
        for _ in range(ticks):
            if stepped.tick == 6:
                decide(stepped, "usa", [tariff_on_china("usa")[1](stepped.date)])
            stepped.step()
        fresh, sliced = view_of(stepped), reader.view(ticks)
        assert fresh.dates == sliced.dates
        for name, values in all_series(fresh).items():
            np.testing.assert_array_equal(values, all_series(sliced)[name], err_msg=name)
        assert fresh.scores.equals(sliced.scores)
        assert fresh.flows == sliced.flows
        assert [m.date for m in fresh.markers] == [m.date for m in sliced.markers]


def test_headline_against_the_twin(world):
    from marketsim.reports.headline import headline  # noqa: PLC0415

    run = advanced(world, 36, {3: [china_quota(1200.0)]})
    now = RunReader(run.model, run.changes).view()
    twin = RunReader(run.twin).view()
    head = headline(now, twin, "ndpr", ["usa", "japan"])
    assert head.date == now.dates[-1]
    assert head.outside.value == pytest.approx(float(np.mean(now.prices["ndpr"][OUTSIDE_TIER][-12:])))
    assert head.outside.change == pytest.approx(
        head.outside.value / np.mean(twin.prices["ndpr"][OUTSIDE_TIER][-12:]) - 1
    )
    assert set(head.dependency) == {"usa", "japan"}
    assert headline(now, None, "ndpr").outside.change is None
    assert headline(RunReader(run.model).view(0), None, "ndpr") is None
