"""Resource holders sell their projects to the importers' bloc that pays more, and process at
home; importers take offtakes and equity within their budget. In controlled settings: a two-bloc
world built on the 2024 baseline, and hand-made observations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest_observation import observation

from marketsim.governance.holders import ResourceHolder
from marketsim.governance.importers import Importer
from marketsim.governance.project_deals import Sale
from marketsim.model import RareEarthModel
from marketsim.policy.events import Offtake, ProjectEquity, ProjectLoan, Subsidy
from marketsim.scenario.loading import load_scenario
from marketsim.scenario.schema import RegionSpec

BASELINE = Path(__file__).resolve().parent.parent / "configs" / "baseline_2024.toml"
GREENLAND = "Greenland mines (Tanbreez, Kvanefjeld)"
CALM = "stockpile_months = 0.0, dependency_threshold = 0.99, file_disputes = false"


def two_blocs(tmp_path, west_floor: float, east_floor: float, margin: float = 0.05):
    """The 2024 world with Greenland a resource holder between two importers' blocs: the USA's
    ``west`` and Korea's ``east``; a bloc's NdPr floor is what its buyers pay at least."""
    floors = {
        name: f"floor_prices = {{ ndpr = {floor} }}" if floor else ""
        for name, floor in (("west", west_floor), ("east", east_floor))
    }
    text = f"""
[scenario]
extends = "baseline_2024.toml"
name = "two_blocs"
years = 1
round_months = 3
[regions.greenland]
strategy = {{ kind = "resource_holder", price_margin = {margin} }}
[regions.usa]
strategy = {{ kind = "importer", budget = 2000.0, {CALM} }}
[regions.korea]
strategy = {{ kind = "importer", budget = 2000.0, {CALM} }}
[alliances.msp]
members = ["eu"]
[alliances.west]
members = ["usa", "japan"]
{floors["west"]}
[alliances.east]
members = ["korea", "india"]
{floors["east"]}
"""
    shutil.copy(BASELINE, tmp_path / BASELINE.name)
    path = tmp_path / "two_blocs.toml"
    path.write_text(text)
    return load_scenario(path)


def first_round(scenario, seed: int = 1) -> RareEarthModel:
    """The model just after its first round of decisions (tick 3)."""
    model = RareEarthModel(scenario, seed=seed, years=1)
    for _ in range(4):
        model.step()
    return model


def deals(model: RareEarthModel, project: str = GREENLAND) -> list:
    return [
        d
        for d in model.decisions
        if d.accepted and isinstance(d.event, (Offtake, ProjectEquity)) and d.event.project == project
    ]


@pytest.mark.parametrize(("west", "east", "buyer"), [(200.0, 0.0, "usa"), (0.0, 200.0, "korea")])
def test_a_holder_sells_an_offtake_to_the_bloc_that_pays_more_and_not_to_the_other(tmp_path, west, east, buyer):
    model = first_round(two_blocs(tmp_path, west, east))
    sold = deals(model)
    assert sold and {d.region for d in sold} == {buyer}
    (offtake,) = [d for d in sold if isinstance(d.event, Offtake)]
    assert offtake.event.price == pytest.approx(200.0) and offtake.event.share == 0.5
    assert "greenland sells 50 %" in offtake.message and "200 US$/kg" in offtake.message


def bloc_prices(china: float, west: float, east: float) -> dict:
    """Hand-made observation fields: China's, the west's (usa) and the east's (korea) buyers' NdPr prices."""
    figures = {r: {"ndpr_price": p, "exposure": 100.0} for r, p in (("china", china), ("usa", west), ("korea", east))}
    return dict(
        region="greenland",
        others=figures,
        alliances={"west": ("usa",), "east": ("korea",)},
        projects={"Greenland mines": "mining", "Greenland magnets": "magnets"},
    )


def test_a_holder_offers_its_mines_to_the_bloc_paying_most_and_nothing_when_china_pays_more():
    holder = ResourceHolder(spec(kind="resource_holder"))
    holder.decide(observation(**bloc_prices(china=50.0, west=60.0, east=55.0)))
    assert holder.selling_to.alliance == "west" and holder.selling_to.projects == ("Greenland mines",)
    assert holder.selling_to.price == 60.0 and holder.selling_to.china_price == 50.0
    holder.decide(observation(**bloc_prices(china=50.0, west=45.0, east=55.0)))
    assert holder.selling_to.alliance == "east"
    holder.decide(observation(**bloc_prices(china=70.0, west=60.0, east=55.0)))
    assert holder.selling_to is None
    keeper = ResourceHolder(spec(kind="resource_holder", offtake_share=0.0))
    keeper.decide(observation(**bloc_prices(china=50.0, west=60.0, east=55.0)))
    assert keeper.selling_to is None


def test_project_sales_are_the_same_for_the_same_seed(tmp_path):
    scenario = two_blocs(tmp_path, 200.0, 0.0)
    runs = [[(d.region, d.event, d.message) for d in first_round(scenario, seed=7).decisions] for _ in range(2)]
    assert runs[0] == runs[1] and deals(first_round(scenario, seed=7))


def spec(**fields):
    return RegionSpec.model_validate({"name": "X", "strategy": fields}).strategy


def sale(**changes) -> Sale:
    return Sale(
        **{
            "holder": "greenland",
            "alliance": "west",
            "price": 70.0,
            "china_price": 50.0,
            "share": 0.5,
            "projects": ("mine",),
            **changes,
        }
    )


def test_an_importer_buys_equity_only_in_a_stalled_project_it_can_afford():
    importer = Importer(spec(kind="importer", equity_share=0.2, project_budget=0.5))
    view = observation(region="usa")
    bought = importer.buy(view, sale(), frozenset({"mine"}), {"mine": 1000.0}, 500.0)
    (stake,) = [d for d in bought if isinstance(d, ProjectEquity)]
    assert stake.share == 0.2 and "US$200 m" in importer.reason_for(stake)
    assert [
        d for d in importer.buy(view, sale(), frozenset(), {"mine": 1000.0}, 500.0) if isinstance(d, ProjectEquity)
    ] == []
    poor = importer.buy(view, sale(), frozenset({"mine"}), {"mine": 1000.0}, 300.0)
    assert [type(d) for d in poor] == [Offtake]
    assert (
        Importer(spec(kind="importer", take_offtakes=False)).buy(view, sale(), frozenset(), {"mine": 1.0}, None) == []
    )


def test_an_importer_lends_to_a_project_that_pays_its_way_when_the_loan_fits_its_budget():
    importer = Importer(spec(kind="importer", loan_share=0.3, loan_rate=0.04, project_budget=0.5))
    view = observation(region="usa")
    (loan,) = [
        d for d in importer.buy(view, sale(), frozenset(), {"mine": 1000.0}, 700.0) if isinstance(d, ProjectLoan)
    ]
    assert loan.share == 0.3 and loan.rate == 0.04 and loan.project == "mine" and loan.region == "usa"
    assert "pays its way" in importer.reason_for(loan) and "US$300 m" in importer.reason_for(loan)
    stalled = importer.buy(view, sale(), frozenset({"mine"}), {"mine": 1000.0}, 700.0)
    assert [type(d) for d in stalled] == [Offtake, ProjectEquity]  # a stalled project gets equity, not a loan
    assert [type(d) for d in importer.buy(view, sale(), frozenset(), {"mine": 1000.0}, 500.0)] == [Offtake]
    no_loans = Importer(spec(kind="importer", loan_share=0.0))
    assert [type(d) for d in no_loans.buy(view, sale(), frozenset(), {"mine": 1000.0}, None)] == [Offtake]


def test_a_holder_processing_at_home_subsidises_separation_once_where_it_can():
    holder = ResourceHolder(spec(kind="resource_holder", process_at_home=True, home_subsidy_rate=0.3))
    planned = observation(region="greenland", projects={"Greenland refinery": "separation"})
    (subsidy,) = [d for d in holder.decide(planned) if isinstance(d, Subsidy)]
    assert subsidy.stage == "separation" and subsidy.rate == 0.3 and "Greenland refinery" in holder.reason_for(subsidy)
    assert [d for d in holder.decide(planned) if isinstance(d, Subsidy)] == []
    bare = ResourceHolder(spec(kind="resource_holder", process_at_home=True))
    assert [d for d in bare.decide(observation(region="greenland")) if isinstance(d, Subsidy)] == []
