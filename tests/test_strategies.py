"""Governments' rule-based strategies: importers, the dominant supplier and resource holders,
tested directly on hand-made observations and inside short runs of the small world."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from simkit import build, series, spy_on_clearing

from marketsim.governance.observation import Observation, observe_all
from marketsim.governance.strategies import DominantSupplier, Importer, ResourceHolder, build_strategy
from marketsim.model import RareEarthModel
from marketsim.policy.events import (
    AllianceJoin,
    Dispute,
    ExportBan,
    ExportLicence,
    StockpileOrder,
    Subsidy,
)
from marketsim.scenario.schema import RegionSpec
from marketsim.vocabulary import GOODS, STAGES

CHINA, USA, JAPAN = range(3)
CONCENTRATE, NDPR, DYTB, LACE, MAGNET = (GOODS.index(g) for g in GOODS)


def spec(**fields):
    """A strategy spec as a scenario's ``[regions.X.strategy]`` would give it."""
    return RegionSpec.model_validate({"name": "X", "strategy": fields}).strategy


def observation(**changes) -> Observation:
    """A plausible observation of a quiet round, with ``changes`` applied."""
    base = Observation(
        region="japan",
        tick=12,
        date="2025-01",
        price={"concentrate": 9.0, "ndpr": 56.0, "dytb": 260.0, "lace": 1.0, "magnet": 38.0},
        world_price={"concentrate": 9.0, "ndpr": 56.0, "dytb": 260.0, "lace": 1.0, "magnet": 38.0},
        dependency=dict.fromkeys(STAGES, 0.95),
        china_share={"mining": 0.85, "separation": 0.95, "magnets": 0.95},
        unmet_share=0.0,
        use={"concentrate": 0.0, "ndpr": 0.0, "dytb": 0.0, "lace": 1000.0, "magnet": 2000.0},
        oxide_per_magnet={"ndpr": 0.3444, "dytb": 0.01978},
        production=dict.fromkeys(GOODS, 0.0),
        stockpile=dict.fromkeys(GOODS, 0.0),
        export_value=100.0,
        export_value_history=(),
        capacity={"mining": 0.0, "separation": 0.0, "magnets": 15000.0, "recycling": 0.0},
        allies=(),
        alliances={"quad": ("usa",)},
        disputes=(),
        budget_left=None,
    )
    return dataclasses.replace(base, **changes)


def of_type(decisions: list, kind: type) -> list:
    return [d for d in decisions if isinstance(d, kind)]


def small(small_data, **regions) -> dict:
    """The small world deciding every quarter, with strategies for some regions."""
    small_data["scenario"]["round_months"] = 3
    for region, strategy in regions.items():
        small_data["regions"][region]["strategy"] = strategy
    return small_data


def accepted(model: RareEarthModel, region: str, kind: type) -> list:
    return [d.event for d in model.decisions if d.accepted and d.region == region and isinstance(d.event, kind)]


# ------------------------------------------------------------------ building
def test_build_strategy_follows_the_kind():
    assert isinstance(build_strategy(spec(kind="importer")), Importer)
    assert isinstance(build_strategy(spec(kind="dominant_supplier")), DominantSupplier)
    assert isinstance(build_strategy(spec(kind="resource_holder")), ResourceHolder)
    assert build_strategy(spec(kind="scripted")).decide(observation()) == []


# ------------------------------------------------------------------ importer: dependency
def test_dependent_importer_stockpiles_and_subsidises_once():
    importer = Importer(spec(kind="importer", dependency_threshold=0.5, stockpile_months=2.0, subsidy_rate=0.3))
    first = importer.decide(observation())
    orders = of_type(first, StockpileOrder)
    assert {o.good for o in orders} == {"ndpr", "dytb"}
    ndpr = next(o for o in orders if o.good == "ndpr")
    assert ndpr.tonnes == pytest.approx(2.0 * 0.3444 * 2000.0)  # two months of the NdPr in its magnets
    assert all(o.region == "japan" and o.start == "2025-01" for o in orders)
    subsidies = of_type(first, Subsidy)
    assert sorted(s.stage for s in subsidies) == ["magnets"]  # japan has magnet plants, no separation plants
    assert all(s.rate == 0.3 for s in subsidies)
    again = importer.decide(observation(tick=15, date="2025-04"))
    assert of_type(again, Subsidy) == []  # subsidies are set once


def test_importer_plans_its_stockpile_with_the_recipe_it_observes():
    importer = Importer(spec(kind="importer", dependency_threshold=0.5, stockpile_months=2.0))
    lean = observation(oxide_per_magnet={"ndpr": 0.25, "dytb": 0.01})
    orders = {o.good: o.tonnes for o in of_type(importer.decide(lean), StockpileOrder)}
    assert orders == pytest.approx({"ndpr": 2.0 * 0.25 * 2000.0, "dytb": 2.0 * 0.01 * 2000.0})


def test_governments_observe_the_recipe_the_model_uses(small_data):
    model = RareEarthModel(build(small_data), years=1)
    model.run()
    plants = model.magnet_plants
    for index, view in enumerate(observe_all(model).values()):
        assert view.oxide_per_magnet["ndpr"] == plants.ndpr_per_tonne
        assert view.oxide_per_magnet["dytb"] == plants.dytb_per_tonne[index]


def test_importer_below_its_threshold_does_nothing():
    importer = Importer(spec(kind="importer", dependency_threshold=0.99, alliance="quad", tariff_rate=0.25))
    assert importer.decide(observation()) == []


def test_importer_stockpile_orders_stay_within_its_budget():
    # Two months of NdPr (1240 t at 56 $/kg) cost 69 m, of Dy/Tb (72 t at 260 $/kg) 19 m.
    roomy = Importer(spec(kind="importer", dependency_threshold=0.5, budget=1000.0))
    assert {o.good for o in of_type(roomy.decide(observation()), StockpileOrder)} == {"ndpr", "dytb"}
    for budget, goods in ((30.0, {"dytb"}), (5.0, set())):
        importer = Importer(spec(kind="importer", dependency_threshold=0.5, budget=budget))
        orders = of_type(importer.decide(observation()), StockpileOrder)
        assert {o.good for o in orders} == goods
        assert sum(o.tonnes * observation().price[o.good] / 1000.0 for o in orders) <= budget
    # The government's budget left this year binds when it is the smaller.
    capped = Importer(spec(kind="importer", dependency_threshold=0.5, budget=1000.0))
    orders = of_type(capped.decide(observation(budget_left=30.0)), StockpileOrder)
    assert {o.good for o in orders} == {"dytb"}


def test_importer_releases_its_stockpile_in_a_shortage():
    importer = Importer(spec(kind="importer", dependency_threshold=0.5, shortage_threshold=0.02))
    held = observation(unmet_share=0.1, stockpile={**dict.fromkeys(GOODS, 0.0), "ndpr": 500.0, "dytb": 20.0})
    orders = of_type(importer.decide(held), StockpileOrder)
    assert sorted((o.good, o.tonnes) for o in orders) == [("dytb", -20.0), ("ndpr", -500.0)]


def test_importer_crossing_its_threshold_stockpiles_and_subsidises_in_a_run(small_data):
    model = RareEarthModel(build(small(small_data, japan={"kind": "importer", "dependency_threshold": 0.5})), years=1)
    model.run()
    stockpile = series(model.results(), "stockpile", "ndpr", "japan")
    assert stockpile[0] == 0.0
    assert stockpile[-1] > 500.0
    assert np.all(np.diff(stockpile) >= -1e-9)
    orders = accepted(model, "japan", StockpileOrder)
    assert orders and orders[0].start == "2024-04"  # the first round, three months in
    subsidies = accepted(model, "japan", Subsidy)
    assert sorted(s.stage for s in subsidies) == ["magnets"]  # japan has magnet plants, no separation plants
    assert {type(p) for p in model.governments["japan"].policies} >= {Subsidy}
    assert model.frictions.stage_cost_share("magnets")[JAPAN] == pytest.approx(0.7)


def test_importer_that_never_crosses_its_threshold_changes_nothing(small_data):
    data = small(small_data, japan={"kind": "importer", "dependency_threshold": 1.0, "alliance": "quad"})
    model = RareEarthModel(build(data), years=1)
    model.run()
    assert [d for d in model.decisions if d.region == "japan"] == []
    assert np.all(series(model.results(), "stockpile", "ndpr", "japan") == 0.0)
    assert model.governments["japan"].policies == []


def test_importer_never_spends_beyond_the_government_budget(small_data):
    data = small(small_data, japan={"kind": "importer", "dependency_threshold": 0.5, "budget": 1000.0})
    data["regions"]["japan"]["budget"] = 30.0  # enough for the Dy/Tb order (~17 m), not the NdPr (~65 m)
    model = RareEarthModel(build(data), years=2)
    while model.running:
        model.step()
        assert model.governments["japan"].budget_left >= -1e-9
    orders = accepted(model, "japan", StockpileOrder)
    assert orders and {o.good for o in orders} == {"dytb"}
    assert all(d.accepted for d in model.decisions)  # the strategy does not even ask beyond it


def test_importer_with_a_tiny_budget_orders_no_stockpile(small_data):
    data = small(small_data, japan={"kind": "importer", "dependency_threshold": 0.5, "budget": 1.0})
    model = RareEarthModel(build(data), years=1)
    model.run()
    assert accepted(model, "japan", StockpileOrder) == []
    table = model.results()
    for good in ("ndpr", "dytb"):
        assert np.all(series(table, "stockpile", good, "japan") == 0.0)
    # Still dependent: it subsidises the stage it has plants of (magnets; no separation plants).
    assert [s.stage for s in accepted(model, "japan", Subsidy)] == ["magnets"]


# ------------------------------------------------------------------ importer: alliances
# Joining, staying, leaving and founding by what membership brings and costs: tests/test_coalitions.py.


# ------------------------------------------------------------------ dominant supplier
def china_view(**changes) -> Observation:
    return observation(region="china", dependency=dict.fromkeys(STAGES, 1.0), **changes)


def test_dominant_supplier_restricts_oxides_while_below_its_value_added_target():
    supplier = DominantSupplier(spec(kind="dominant_supplier", value_added_target=0.9, approval_rate=0.4))
    below = {"mining": 0.85, "separation": 0.95, "magnets": 0.8}
    decisions = supplier.decide(china_view(china_share=below))
    assert decisions == [ExportLicence(start="2025-01", region="china", approval_rate=0.4, goods=("ndpr", "dytb"))]
    assert supplier.decide(china_view(china_share=below)) == []  # already restricting
    content = DominantSupplier(spec(kind="dominant_supplier", value_added_target=0.9))
    assert content.decide(china_view()) == []  # magnet share 0.95 is above the target


def test_dominant_supplier_lifts_restrictions_past_its_revenue_loss():
    supplier = DominantSupplier(spec(kind="dominant_supplier", value_added_target=0.99, max_revenue_loss=0.3))
    assert len(supplier.decide(china_view(export_value=100.0))) == 1  # restricts
    # A 25 % fall is tolerated ...
    assert supplier.decide(china_view(export_value=75.0, export_value_history=(100.0,))) == []
    # ... a fall of more than 30 % from the best remembered round is not.
    lift = supplier.decide(china_view(export_value=65.0, export_value_history=(100.0, 75.0)))
    assert lift == [ExportLicence(start="2025-01", region="china", approval_rate=1.0, goods=("ndpr", "dytb"))]
    assert supplier.decide(china_view(export_value=60.0, export_value_history=(100.0, 75.0, 65.0))) == []


def test_dominant_supplier_remembers_only_its_last_rounds():
    supplier = DominantSupplier(spec(kind="dominant_supplier", value_added_target=0.99, memory_rounds=2))
    supplier.decide(china_view())
    # 100 is three rounds back and forgotten; 60 is within 30 % of the remembered 80.
    assert supplier.decide(china_view(export_value=60.0, export_value_history=(100.0, 80.0, 80.0))) == []


def test_dominant_supplier_lifts_restrictions_when_rivals_grow_and_does_not_restrict_then():
    supplier = DominantSupplier(spec(kind="dominant_supplier", value_added_target=0.99, rival_share_trigger=0.15))
    supplier.decide(china_view())
    rivals = {"mining": 0.7, "separation": 0.8, "magnets": 0.9}
    lift = of_type(supplier.decide(china_view(china_share=rivals)), ExportLicence)
    assert [d.approval_rate for d in lift] == [1.0]
    assert of_type(DominantSupplier(supplier.spec).decide(china_view(china_share=rivals)), ExportLicence) == []


def test_dominant_supplier_embargoes_dispute_targets_once():
    supplier = DominantSupplier(spec(kind="dominant_supplier", value_added_target=0.0, dispute_months=6))
    first = supplier.decide(china_view(disputes=("japan",)))
    assert first == [ExportBan(start="2025-01", end="2025-07", region="china", destinations=("japan",))]
    assert supplier.decide(china_view(disputes=("japan",))) == []
    supplier.decide(china_view())  # the dispute is settled ...
    assert len(supplier.decide(china_view(disputes=("japan",)))) == 1  # ... and a new one is answered again


def test_dominant_supplier_can_answer_disputes_with_licences():
    supplier = DominantSupplier(
        spec(kind="dominant_supplier", value_added_target=0.0, dispute_response="licence", approval_rate=0.2)
    )
    (licence,) = supplier.decide(china_view(disputes=("usa",)))
    assert isinstance(licence, ExportLicence)
    assert licence.destinations == ("usa",) and licence.approval_rate == 0.2
    assert set(licence.goods) == {"ndpr", "dytb", "magnet"}


def test_dominant_supplier_restriction_is_in_force_in_a_run(small_data):
    # China makes about 88 % of the small world's magnets, below a 95 % target.
    data = small(small_data, china={"kind": "dominant_supplier", "value_added_target": 0.95, "approval_rate": 0.5})
    model = RareEarthModel(build(data), years=1)
    for _ in range(4):
        model.step()
    assert accepted(model, "china", ExportLicence)
    approval = model.frictions.approval
    for good in (NDPR, DYTB):
        assert approval[good, CHINA, USA] == 0.5 and approval[good, CHINA, JAPAN] == 0.5
    assert approval[MAGNET, CHINA, JAPAN] == 1.0 and approval[LACE, CHINA, JAPAN] == 1.0


def test_dispute_leads_to_an_embargo_that_the_target_routes_around(small_data, monkeypatch):
    data = small(small_data, china={"kind": "dominant_supplier", "value_added_target": 0.0, "dispute_months": 12})
    data["events"] = [{"type": "dispute", "start": "2024-02", "end": "2025-01", "region": "china", "target": "japan"}]
    seen = spy_on_clearing(monkeypatch)
    model = RareEarthModel(build(data), years=2)
    model.run()
    assert [d.event for d in model.decisions if d.region == "china"] == [
        ExportBan(start="2024-04", end="2025-04", region="china", destinations=("japan",))
    ]
    assert all(d.accepted for d in model.decisions)
    flows = np.array([c.flows for c in seen])  # (tick, good, origin, destination)
    ban = slice(3, 15)  # April 2024 to March 2025
    from_china = flows[:, :, CHINA, JAPAN].sum(axis=1)
    assert np.all(from_china[ban] == 0.0)
    assert np.all(from_china[:3] > 0.0) and from_china[15:].sum() > 0.0  # before and after it
    assert flows[ban, :, CHINA, USA].sum() > 0.0  # others still buy from China
    from_usa = flows[:, :, USA, JAPAN].sum(axis=1)
    assert from_usa[ban].mean() > 2.0 * from_usa[:3].mean()  # Japan turns to the USA
    assert flows[ban, NDPR, USA, JAPAN].mean() > 2.0 * flows[:3, NDPR, USA, JAPAN].mean()


def test_dispute_started_by_the_target_also_triggers_the_embargo(small_data):
    data = small(small_data, china={"kind": "dominant_supplier", "value_added_target": 0.0})
    model = RareEarthModel(build(data), years=1)
    model.submit(Dispute(start="2024-02", end="2024-08", region="japan", target="china"))
    model.run()
    bans = accepted(model, "china", ExportBan)
    assert [b.destinations for b in bans] == [("japan",)]


# ------------------------------------------------------------------ resource holder
def test_resource_holder_bans_concentrate_exports_once_it_can_separate():
    holder = ResourceHolder(spec(kind="resource_holder", process_at_home=True, home_subsidy_rate=0.0))
    no_plant = {"mining": 20000.0, "separation": 0.0, "magnets": 0.0, "recycling": 0.0}
    assert holder.decide(observation(region="usa", capacity=no_plant)) == []
    plant = {**no_plant, "separation": 5000.0}
    assert holder.decide(observation(region="usa", capacity=plant)) == [
        ExportBan(start="2025-01", region="usa", goods=("concentrate",))
    ]
    assert holder.decide(observation(region="usa", capacity=plant)) == []
    exporter = ResourceHolder(spec(kind="resource_holder", process_at_home=False))
    assert exporter.decide(observation(region="usa", capacity=plant)) == []


def test_resource_holder_joins_its_alliance():
    holder = ResourceHolder(spec(kind="resource_holder", alliance="quad"))
    assert holder.decide(observation(region="australia")) == [
        AllianceJoin(start="2025-01", region="australia", alliance="quad")
    ]
    assert holder.decide(observation(region="usa")) == []  # already a member


def test_resource_holder_processing_at_home_stops_concentrate_exports(small_data, monkeypatch):
    data = small(small_data, usa={"kind": "resource_holder", "process_at_home": True})
    seen = spy_on_clearing(monkeypatch)
    model = RareEarthModel(build(data), years=1)
    model.run()
    assert accepted(model, "usa", ExportBan) == [ExportBan(start="2024-04", region="usa", goods=("concentrate",))]
    flows = np.array([c.flows for c in seen])
    exported = flows[:, CONCENTRATE, USA].sum(axis=1) - flows[:, CONCENTRATE, USA, USA]
    assert np.all(exported[:3] > 0.0) and np.all(exported[3:] == 0.0)
    assert flows[3:, NDPR, USA, JAPAN].sum() > 0.0  # its oxides still go abroad
