"""The seam for external controllers: what a player sees each round, and how its decisions are
checked. Valid decisions take effect; invalid ones are rejected with a message and change nothing."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from simkit import build, series

from marketsim.governance.rounds import DecisionError, decide, decision_cost, validate_decision
from marketsim.model import RareEarthModel
from marketsim.policy.events import ExportBan, StockpileOrder, Subsidy, Tariff
from marketsim.vocabulary import GOODS, STAGES

CHINA, USA, JAPAN = range(3)
NDPR, MAGNET = GOODS.index("ndpr"), GOODS.index("magnet")


class Script:
    """An external controller that plays a fixed list of decisions, one list per round."""

    def __init__(self, *rounds: list) -> None:
        self.rounds = list(rounds)
        self.seen: list = []

    def decide(self, observation) -> list:
        self.seen.append(observation)
        return self.rounds.pop(0) if self.rounds else []


def quarterly(small_data, budget: float | None = 50.0):
    small_data["scenario"]["round_months"] = 3
    small_data["regions"]["japan"]["budget"] = budget
    return build(small_data)


def at_first_round(scenario) -> RareEarthModel:
    """A model about to play its first round (tick 3), nothing decided yet."""
    model = RareEarthModel(scenario, years=1)
    for _ in range(3):
        model.step()
    return model


def played(scenario, controller=None, years: int = 1) -> RareEarthModel:
    model = RareEarthModel(scenario, years=years)
    if controller is not None:
        model.assign_controller("japan", controller)
    model.run()
    return model


# ------------------------------------------------------------------ what a controller sees
def test_controller_receives_a_sensible_observation_each_round(small_data):
    script = Script()
    played(quarterly(small_data), script)
    assert [o.tick for o in script.seen] == [3, 6, 9]
    assert [o.date for o in script.seen] == ["2024-04", "2024-07", "2024-10"]
    for seen in script.seen:
        assert seen.region == "japan"
        assert all(seen.price[g] > 0 and seen.world_price[g] > 0 for g in GOODS)
        assert set(seen.dependency) == set(STAGES)
        assert all(0.0 <= v <= 1.0 for v in (*seen.dependency.values(), *seen.china_share.values()))
        assert seen.dependency["separation"] > 0.5  # Japan buys Chinese oxides and magnets
        assert 0.0 <= seen.unmet_share <= 1.0
        assert seen.use["magnet"] > 0 and seen.capacity["magnets"] == pytest.approx(15000.0, rel=0.05)  # less wear
        assert seen.capacity["separation"] == 0.0
        assert seen.allies == ("usa",) and seen.alliances == {"quad": ("japan", "usa")}
        assert seen.disputes == () and seen.budget_left == 50.0
        assert seen.stockpile == dict.fromkeys(GOODS, 0.0)
    assert [len(o.export_value_history) for o in script.seen] == [0, 1, 2]


def test_controller_is_not_called_between_rounds_and_can_be_handed_back(small_data):
    small_data["regions"]["japan"]["strategy"] = {"kind": "importer", "dependency_threshold": 0.5}
    model = RareEarthModel(quarterly(small_data), years=1)
    script = Script()
    model.assign_controller("japan", script)
    for _ in range(5):
        model.step()
    assert len(script.seen) == 1
    model.assign_controller("japan", None)  # back to the scenario's importer strategy
    model.run()
    assert len(script.seen) == 1
    assert any(isinstance(d.event, Subsidy) and d.tick == 6 for d in model.decisions)


# ------------------------------------------------------------------ valid decisions
def test_valid_decisions_take_effect(small_data):
    script = Script(
        [
            {"type": "tariff", "importer": "japan", "origins": ["china"], "goods": ["magnet"], "rate": 0.2},
            StockpileOrder(start="2024-04", region="japan", good="ndpr", tonnes=300.0, months=3),
            Subsidy(start="2024-05", region="japan", stage="magnets", rate=0.3),
        ]
    )
    model = played(quarterly(small_data), script)
    decisions = [d for d in model.decisions if d.region == "japan"]
    assert [d.accepted for d in decisions] == [True, True, True]
    assert decisions[0].event == Tariff(
        start="2024-04", importer="japan", origins=("china",), goods=("magnet",), rate=0.2
    )  # start defaults to now
    assert model.frictions.tariff[MAGNET, CHINA, JAPAN] == 0.2
    assert model.frictions.tariff[MAGNET, USA, JAPAN] == 0.0
    assert model.frictions.stage_cost_share("magnets")[JAPAN] == pytest.approx(0.7)
    stockpile = series(model.results(), "stockpile", "ndpr", "japan")
    assert stockpile[2] == 0.0 and stockpile[5] == pytest.approx(300.0)
    # The purchase is paid from this year's budget at today's price.
    assert 50.0 - 300.0 * 60.0 / 1000.0 < model.governments["japan"].budget_left < 50.0 - 300.0 * 50.0 / 1000.0


# ------------------------------------------------------------------ invalid decisions
INVALID = [
    pytest.param({"type": "tariff", "importer": "japan", "rate": -1}, "rate", id="negative-tariff"),
    pytest.param(
        {"type": "export_licence", "region": "japan", "approval_rate": 2}, "approval rate", id="approval-above-one"
    ),
    pytest.param(
        {"type": "subsidy", "region": "japan", "stage": "magnets", "rate": 0.95}, "rate", id="subsidy-above-limit"
    ),
    pytest.param({"type": "export_ban", "region": "china", "destinations": ["japan"]}, "china's", id="ban-for-china"),
    pytest.param(
        ExportBan(start="2024-04", region="china", destinations=("japan",)), "china's", id="ban-event-for-china"
    ),
    pytest.param({"type": "tariff", "importer": "usa", "rate": 0.1}, "usa's", id="tariff-for-usa"),
    pytest.param(
        {"type": "capacity", "facility": "China magnets", "capacity": 0}, "china's", id="capacity-of-chinese-plant"
    ),
    pytest.param({"type": "mine_disruption", "region": "china", "share": 0.5}, "shock", id="mine-disruption"),
    pytest.param({"type": "demand_surge", "sector": "ev", "factor": 2.0}, "shock", id="demand-surge"),
    pytest.param(
        {"type": "export_ban", "region": "japan", "destinations": ["atlantis"]}, "unknown region", id="unknown-region"
    ),
    pytest.param(
        {"type": "alliance_join", "region": "japan", "alliance": "nato"}, "unknown alliance", id="unknown-alliance"
    ),
    pytest.param(
        {"type": "tariff", "importer": "japan", "rate": 0.1, "start": "2024-01"}, "before now", id="start-in-the-past"
    ),
    pytest.param({"type": "tariff", "importer": "japan", "rate": 0.1, "start": "2024-13"}, "YYYY-MM", id="bad-month"),
    pytest.param({"type": "warp_drive"}, "warp_drive", id="unknown-type"),
    pytest.param({"rate": 0.1}, "type", id="no-type"),
    pytest.param({"type": "tariff", "importer": "japan", "rate": 0.1, "colour": "red"}, "colour", id="unknown-key"),
    pytest.param({"type": "tariff", "rate": 0.1}, "importer", id="missing-field"),
    pytest.param(
        {"type": "stockpile", "region": "japan", "good": "ndpr", "tonnes": 10000}, "left this year", id="over-budget"
    ),
]


@pytest.mark.parametrize(("decision", "phrase"), INVALID)
def test_invalid_decision_is_rejected_with_a_clear_message(small_data, decision, phrase):
    model = at_first_round(quarterly(small_data))
    with pytest.raises(DecisionError, match=phrase) as raised:
        validate_decision(model, "japan", decision)
    assert "japan" in str(raised.value)
    events = list(model.events)
    (result,) = decide(model, "japan", [decision])
    assert not result.accepted and result.message == str(raised.value)
    assert model.decisions == [result]
    assert model.events == events and model.stockpile_orders == []
    assert model.governments["japan"].budget_left == 50.0


def test_capacity_change_for_an_unknown_facility_is_rejected_naming_it(small_data):
    model = at_first_round(quarterly(small_data))
    with pytest.raises(DecisionError) as raised:
        validate_decision(model, "japan", {"type": "capacity", "facility": "Atlantis magnets", "capacity": 1000})
    message = str(raised.value)
    assert "Atlantis magnets" in message and "unknown" in message, message


@pytest.mark.parametrize("junk", ["tariff", None])
def test_a_decision_that_is_not_an_event_at_all_is_rejected_cleanly(small_data, junk):
    model = at_first_round(quarterly(small_data))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (result,) = decide(model, "japan", [junk])
    assert not result.accepted
    assert "not a policy event" in result.message
    assert "tagged-union" not in result.message and len(result.message) < 300, result.message
    assert [str(w.message)[:80] for w in caught] == []


def test_budget_counts_every_order_of_the_round(small_data):
    model = at_first_round(quarterly(small_data, budget=50.0))
    order = {"type": "stockpile", "region": "japan", "good": "ndpr", "tonnes": 500.0}  # about 28 m each
    first, second = decide(model, "japan", [order, order])
    assert first.accepted and not second.accepted
    assert "left this year" in second.message
    assert 0.0 < model.governments["japan"].budget_left < 50.0
    release = StockpileOrder(start=model.date, region="japan", good="ndpr", tonnes=-100.0)
    assert decision_cost(model, "japan", release) == 0.0  # releases cost nothing


def test_budget_is_refilled_each_year(small_data):
    order = {"type": "stockpile", "region": "japan", "good": "ndpr", "tonnes": 600.0}  # about 33 m
    model = played(quarterly(small_data, budget=50.0), Script([order], [order], [order], [order]), years=2)
    verdicts = [(d.tick, d.accepted) for d in model.decisions]
    assert verdicts == [(3, True), (6, False), (9, False), (12, True)]


def test_rejected_decisions_change_nothing(small_data):
    valid = [
        [
            {"type": "tariff", "importer": "japan", "origins": ["china"], "goods": ["magnet"], "rate": 0.2},
            {"type": "stockpile", "region": "japan", "good": "ndpr", "tonnes": 300.0},
        ],
        [{"type": "subsidy", "region": "japan", "stage": "magnets", "rate": 0.3}],
    ]
    invalid = [decision for decision, _ in (p.values for p in INVALID)]
    mixed = [[*invalid[:9], *valid[0], *invalid[9:]], [*invalid, *valid[1]], invalid]
    scenario = quarterly(small_data)
    clean, noisy = played(scenario, Script(*valid)), played(scenario, Script(*mixed))
    assert sum(not d.accepted for d in noisy.decisions) == 3 * len(invalid)
    assert [d for d in noisy.decisions if d.accepted] == clean.decisions
    assert noisy.events == clean.events
    pd.testing.assert_frame_equal(noisy.results(), clean.results(), check_exact=True)
    # Only rejected decisions: the same run as a government that decides nothing.
    refused, idle = played(scenario, Script(invalid, invalid)), played(scenario)
    assert not any(d.accepted for d in refused.decisions)
    assert refused.events == idle.events
    pd.testing.assert_frame_equal(refused.results(), idle.results(), check_exact=True)
    assert np.all(series(refused.results(), "stockpile", "ndpr", "japan") == 0.0)


def test_every_decision_builder_makes_a_decision_the_seam_accepts(small_data):
    """The builders the dashboard and the game's form share give events of the type they name."""
    from marketsim.governance import decisions as D  # noqa: PLC0415

    small_data["pipeline"] = [
        {
            "name": "Japan mine",
            "region": "japan",
            "stage": "mining",
            "deposit": "bastnaesite",
            "capacity": 5000.0,
            "capital_cost": 400.0,
            "unit_cost": 4.0,
            "phase": "construction",
            "phase_years": {"exploration": 1, "permitting": 1, "construction": 1, "ramp_up": 0.5},
        }
    ]
    small_data["projects"] = {"expectation_months": 2, "stall_years": 1}
    model = at_first_round(quarterly(small_data, budget=None))
    now = model.date
    made = [
        D.export_quota("china", now, 1000.0),
        D.export_ban("china", now, ("japan",)),
        D.tariff("japan", now, 0.2, ("china",)),
        D.subsidy("japan", now, "magnets", 0.2),
        D.stockpile("japan", now, "ndpr", 100.0),
        D.price_floor("japan", now, "magnet", 60.0),  # japan makes magnets, not oxides
        D.recycling_mandate("japan", now, 0.3),
        D.research_funding("japan", now, "magnets", 100.0),
        D.environmental_standard("japan", now, "separation", 0.8),
        D.collection_scheme("japan", now, 0.3, 5.0),
        D.project_support("japan", now, "Japan mine", "loan", 0.5),
        D.project_support("japan", now, "Japan mine", "equity", 0.2),
        D.offtake("japan", now, "Japan mine", "ndpr", 80.0, 0.5),
    ]
    for decision in made:
        region = "china" if decision["type"].startswith("export") else "japan"
        event = validate_decision(model, region, decision)
        assert event.type == decision["type"] and event.start == now
