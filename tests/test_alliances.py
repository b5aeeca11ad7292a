"""Alliance terms: coordinated export controls, offtake floors, the network, importers' support."""

from __future__ import annotations

import numpy as np
from conftest_observation import observation

from marketsim.governance.strategies import Importer
from marketsim.model import RareEarthModel
from marketsim.policy.book import PolicyBook
from marketsim.policy.events import ExportBan
from marketsim.scenario.loading import validate_scenario
from marketsim.scenario.schema import AllianceSpec
from marketsim.scenario.strategies import ImporterStrategy
from marketsim.vocabulary import GOODS

REGIONS = ["china", "usa", "japan", "eu"]
NDPR = GOODS.index("ndpr")


def book(coordinate: bool, floors: dict | None = None) -> PolicyBook:
    terms = {
        "west": AllianceSpec(
            members=["usa", "japan", "eu"], coordinate_export_controls=coordinate, floor_prices=floors or {}
        )
    }
    return PolicyBook(REGIONS, {"west": ["usa", "japan", "eu"]}, terms=terms)


def test_a_ban_by_a_coordinating_member_binds_every_member_but_not_trade_among_them():
    ban = ExportBan(start="2025-01", region="usa", destinations=("china",), goods=("ndpr",))
    coordinated = book(coordinate=True).compile([ban])
    alone = book(coordinate=False).compile([ban])
    china = REGIONS.index("china")
    for member in ("usa", "japan", "eu"):
        assert coordinated.open[NDPR, REGIONS.index(member), china] == 0.0
    assert alone.open[NDPR, REGIONS.index("japan"), china] == 1.0
    assert alone.open[NDPR, REGIONS.index("usa"), china] == 0.0
    # Members still trade with each other and sell at home.
    usa, japan = REGIONS.index("usa"), REGIONS.index("japan")
    assert coordinated.open[NDPR, usa, japan] == 1.0
    assert coordinated.open[NDPR, japan, japan] == 1.0


def test_offtake_floor_prices_lift_members_producer_floors_only():
    frictions = book(coordinate=False, floors={"ndpr": 90.0}).compile([])
    for member in ("usa", "japan", "eu"):
        assert frictions.floor[NDPR, REGIONS.index(member)] == 90.0
    assert frictions.floor[NDPR, REGIONS.index("china")] == 0.0


def test_alliance_network_has_an_edge_per_pair_of_members():
    network = book(coordinate=False).graph()
    assert set(network.nodes) == set(REGIONS)
    assert {frozenset(e) for e in network.edges} == {
        frozenset(p) for p in (("usa", "japan"), ("usa", "eu"), ("japan", "eu"))
    }
    assert network["usa"]["japan"]["alliances"] == ["west"]


def test_an_alliance_floor_raises_what_member_producers_earn_in_a_run(small_data):
    plain = RareEarthModel(validate_scenario(small_data), years=1)
    small_data["alliances"]["quad"]["floor_prices"] = {"ndpr": 200.0}
    floored = RareEarthModel(validate_scenario(small_data), years=1)
    for model in (plain, floored):
        model.run()
    usa = plain.region_index["usa"]
    assert floored.frictions.floor[NDPR, usa] == 200.0
    # US refiners value their feed at the floor: they plan to buy at least as much concentrate.
    assert floored.refiners.margin[1] > plain.refiners.margin[1]


def test_dependent_importer_guarantees_a_floor_and_mandates_recycling():
    strategy = Importer(
        ImporterStrategy(
            kind="importer",
            dependency_threshold=0.5,
            price_floor=110.0,
            recycling_target=0.25,
            subsidy_rate=0.0,
            stockpile_months=0.0,
        )
    )
    plants = {"mining": 0.0, "separation": 3000.0, "magnets": 25000.0, "recycling": 500.0}
    decisions = strategy.decide(observation(dependency=0.9, capacity=plants))
    kinds = {d.type: d for d in decisions}
    assert kinds["price_floor"].price == 110.0 and kinds["price_floor"].good == "ndpr"
    assert kinds["recycling_mandate"].collection_rate == 0.25
    # Once is enough: the next round does not repeat them.
    assert not {d.type for d in strategy.decide(observation(dependency=0.9))} & {"price_floor", "recycling_mandate"}
    # An importer that is not dependent does neither.
    calm = Importer(
        ImporterStrategy(kind="importer", dependency_threshold=0.95, price_floor=110.0, recycling_target=0.25)
    )
    assert not {d.type for d in calm.decide(observation(dependency=0.9))} & {"price_floor", "recycling_mandate"}


def test_no_alliance_terms_leave_floors_at_zero():
    frictions = PolicyBook(REGIONS, {"west": ["usa", "japan", "eu"]}).compile([])
    np.testing.assert_array_equal(frictions.floor, 0.0)


def test_joint_stockpile_members_release_when_an_ally_runs_short(small_data):
    small_data["scenario"]["round_months"] = 3
    small_data["regions"]["usa"]["stockpile_days"] = 120
    small_data["events"] = [
        {
            "type": "export_ban",
            "start": "2024-01",
            "region": "china",
            "destinations": ["japan"],
            "goods": ["ndpr", "dytb", "magnet"],
        }
    ]

    def releases(joint: float) -> list:
        small_data["alliances"]["quad"]["joint_stockpile"] = joint
        model = RareEarthModel(validate_scenario(small_data), years=1)
        model.run()
        return [d for d in model.decisions if d.accepted and d.event.type == "stockpile" and d.event.tonnes < 0]

    shared = releases(0.5)
    assert shared and {d.region for d in shared} == {"usa"}
    assert releases(0.0) == []
