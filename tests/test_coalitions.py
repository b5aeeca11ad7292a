"""Alliances with reasons, in controlled settings: each reason to join, stay, refuse, leave and
found, judged from hand-made observations (docs/model.md, "Alliances with reasons")."""

from __future__ import annotations

from conftest_observation import observation

from marketsim.governance import coalitions
from marketsim.governance.holders import ResourceHolder
from marketsim.governance.importers import Importer
from marketsim.policy.events import AllianceFound, AllianceJoin, AllianceLeave, AllianceTerms, ExportLicence
from marketsim.scenario.schema import RegionSpec


def spec(**fields):
    """A strategy spec as a scenario's ``[regions.X.strategy]`` would give it."""
    return RegionSpec.model_validate({"name": "X", "strategy": fields}).strategy


def figures(**changes) -> dict:
    """A region's public figures (a quiet importer by default)."""
    base = {
        "mining": 0.0,
        "separation": 0.0,
        "magnets": 0.0,
        "dependency": 0.9,
        "unmet": 0.0,
        "premium": 0.0,
        "stockpile_value": 0.0,
        "exposure": 500.0,
        "ndpr_output": 0.0,
        "ndpr_price": 56.0,
    }
    return {**base, **changes}


def world(**changes) -> dict:
    """Japan (an importer), the USA with separation plants, China, Korea (an importer)."""
    others = {
        "japan": figures(),
        "usa": figures(separation=20000.0, dependency=0.6),
        "china": figures(separation=400000.0, dependency=0.0, exposure=5000.0),
        "korea": figures(exposure=300.0),
    }
    others.update(changes)
    return others


def licence_on(*regions, rate=0.5) -> ExportLicence:
    return ExportLicence(
        start="2025-01", region="china", approval_rate=rate, destinations=regions, goods=("ndpr", "dytb", "magnet")
    )


def importer(**fields) -> Importer:
    return Importer(spec(kind="importer", dependency_threshold=0.95, stockpile_months=0.0, **fields))


def decide(strategy, rounds: int = 1, **view):
    """The decisions of the last of ``rounds`` rounds on the same observation."""
    decisions = []
    for n in range(rounds):
        decisions = strategy.decide(observation(tick=12 + 3 * n, **view))
    return decisions


def of_type(decisions: list, kind: type) -> list:
    return [d for d in decisions if isinstance(d, kind)]


# ------------------------------------------------------------------ joining
def test_a_threatened_importer_joins_for_allied_supply_in_a_shortage():
    calm = dict(others=world(), alliances={"west": ("usa",)})
    threatened = dict(others=world(japan=figures(unmet=0.05)), alliances={"west": ("usa",)})
    choosy = {"join_margin": 0.1}  # membership must be worth a tenth of its yearly use
    assert of_type(decide(importer(coalition=choosy), **calm), AllianceJoin) == []
    strategy = importer(coalition=choosy)
    (join,) = of_type(decide(strategy, **threatened), AllianceJoin)
    assert join.alliance == "west"
    assert "allied supply in a shortage" in strategy.reason_for(join)


def test_an_alliance_without_processing_brings_no_allied_supply():
    threatened = dict(others=world(japan=figures(unmet=0.05), usa=figures()), alliances={"west": ("usa",)})
    assert of_type(decide(importer(), **threatened), AllianceJoin) == []


def test_a_joint_stockpile_is_a_reason_to_join():
    bare = world(japan=figures(unmet=0.05), usa=figures(stockpile_value=400.0))
    terms = {"west": {"joint_stockpile": 0.5, "research_sharing": 0.0, "floor_ndpr": 0.0}}
    strategy = importer()
    (join,) = of_type(decide(strategy, others=bare, alliances={"west": ("usa",)}, alliance_terms=terms), AllianceJoin)
    assert "shared stockpiles" in strategy.reason_for(join)
    assert of_type(decide(importer(), others=bare, alliances={"west": ("usa",)}), AllianceJoin) == []


def test_technology_sharing_and_price_floors_and_tariff_exemption_count_as_gains():
    others = world(japan=figures(ndpr_output=100.0), usa=figures(separation=20000.0, magnets=5000.0))
    view = observation(others=others, alliances={"west": ("usa",)}, export_value=50.0)
    terms = CoalitionTerms()
    plain = coalitions.ledger(view, "west", 0.0, terms)
    assert plain.gains["technology sharing"] == 0.0 and plain.gains["price floors"] == 0.0
    rich = observation(
        others=others,
        alliances={"west": ("usa",)},
        export_value=50.0,
        alliance_terms={"west": {"joint_stockpile": 0.0, "research_sharing": 0.5, "floor_ndpr": 80.0}},
        world_policies=(Tariff(start="2025-01", importer="usa", rate=0.25),),
    )
    ledger = coalitions.ledger(rich, "west", 0.0, terms)
    assert ledger.gains["technology sharing"] > 0
    assert ledger.gains["price floors"] > 0  # its own NdPr producers get the floor
    assert ledger.gains["tariff exemption"] > 0


# ------------------------------------------------------------------ staying and leaving
def test_a_member_stays_while_membership_brings_more_than_it_costs():
    view = dict(others=world(japan=figures(unmet=0.05)), alliances={"west": ("japan", "usa")})
    assert of_type(decide(importer(), rounds=4, **view), AllianceLeave) == []


def test_a_member_leaves_when_china_retaliates_against_the_bloc_for_long_enough():
    view = dict(
        others=world(row=figures(separation=60000.0, exposure=0.0)),  # the bloc has a quarter of rival supply
        alliances={"west": ("japan", "usa")},
        world_policies=(licence_on("japan", "usa", rate=0.3),),
    )
    strategy = importer(coalition={"patience": 2})
    assert of_type(decide(strategy, rounds=1, **view), AllianceLeave) == []  # patience: one round is not enough
    (leave,) = of_type(strategy.decide(observation(tick=15, **view)), AllianceLeave)
    assert "China's retaliation" in strategy.reason_for(leave)


def test_a_member_leaves_over_floor_top_ups_and_forgone_cheap_supply():
    top_ups = dict(
        others=world(usa=figures(separation=20000.0, ndpr_output=2000.0, dependency=0.6)),
        alliances={"west": ("japan", "usa")},
        alliance_terms={"west": {"joint_stockpile": 0.0, "research_sharing": 0.0, "floor_ndpr": 150.0}},
    )
    strategy = importer(coalition={"patience": 2})
    (leave,) = of_type(decide(strategy, rounds=2, **top_ups), AllianceLeave)
    assert "floor top-ups" in strategy.reason_for(leave)
    dear = dict(
        others=world(usa=figures(separation=20000.0, ndpr_price=90.0), korea=figures(ndpr_price=56.0)),
        alliances={"west": ("japan", "usa")},
    )
    strategy = importer(coalition={"patience": 2})
    (leave,) = of_type(decide(strategy, rounds=2, **dear), AllianceLeave)
    assert "forgone cheap Chinese supply" in strategy.reason_for(leave)


def test_contributions_to_a_joint_stockpile_are_a_cost():
    view = observation(
        others=world(japan=figures(stockpile_value=300.0), usa=figures(separation=20000.0, unmet=0.1)),
        alliances={"west": ("japan", "usa")},
        alliance_terms={"west": {"joint_stockpile": 0.5, "research_sharing": 0.0, "floor_ndpr": 0.0}},
    )
    assert coalitions.ledger(view, "west", 0.0, CoalitionTerms()).costs["contributions"] > 0


# ------------------------------------------------------------------ admitting and refusing
def test_members_admit_an_applicant_that_brings_stock_and_refuse_a_free_rider():
    terms = {"west": {"joint_stockpile": 0.5, "research_sharing": 0.0, "floor_ndpr": 0.0}}
    rider = world(korea=figures(exposure=300.0, unmet=0.1))
    ok, why = coalitions.admits(observation(others=rider, alliance_terms=terms), "korea", "west", CoalitionTerms())
    assert not ok and "refuses korea" in why
    giver = world(korea=figures(exposure=300.0, unmet=0.1, stockpile_value=500.0, separation=5000.0))
    ok, why = coalitions.admits(observation(others=giver, alliance_terms=terms), "korea", "west", CoalitionTerms())
    assert ok and "admits korea" in why
    # Without a joint stockpile there is nothing to draw on: the free rider is admitted.
    assert coalitions.admits(observation(others=rider), "korea", "west", CoalitionTerms())[0]


def test_a_resource_holder_member_admits_a_buyer_for_its_ore():
    holder = ResourceHolder(spec(kind="resource_holder"))
    view = observation(
        region="australia",
        others=world(),
        capacity={"mining": 13000.0, "separation": 0.0, "magnets": 0.0, "recycling": 0.0},
    )
    ok, why = holder.admits(view, "korea", "west")
    assert ok and "buyer" in why


# ------------------------------------------------------------------ founding, terms, dissolving
def test_threatened_importers_outside_every_alliance_found_one_and_the_founder_gives_up_alone():
    threatened = world(japan=figures(unmet=0.05, exposure=900.0), korea=figures(unmet=0.05), usa=figures())
    strategy = importer(coalition={"found_after": 2, "found_alone_rounds": 2})
    (found,) = of_type(decide(strategy, rounds=2, others=threatened), AllianceFound)
    assert found.alliance == "japan_pact" and found.joint_stockpile > 0
    assert "korea" in strategy.reason_for(found)
    alone = dict(others=threatened, alliances={"japan_pact": ("japan",)})
    (leave,) = of_type(decide(strategy, rounds=2, **alone), AllianceLeave)
    assert "nobody joined" in strategy.reason_for(leave)
    # The smaller buyer waits for the larger one to found it.
    assert of_type(decide(importer(), rounds=3, region="korea", others=threatened), AllianceFound) == []


def test_the_largest_buyer_sets_up_a_joint_stockpile_when_a_member_goes_short_and_drops_it_when_members_leave():
    short = world(korea=figures(exposure=300.0, unmet=0.1))
    strategy = importer()
    (terms,) = of_type(decide(strategy, others=short, alliances={"west": ("japan", "korea", "usa")}), AllianceTerms)
    assert terms.joint_stockpile > 0 and "korea went short" in strategy.reason_for(terms)
    joint = {"west": {"joint_stockpile": 0.3, "research_sharing": 0.0, "floor_ndpr": 0.0}}
    smaller = dict(others=world(), alliances={"west": ("japan", "usa")}, alliance_terms=joint)
    (drop,) = of_type(strategy.decide(observation(tick=15, **smaller)), AllianceTerms)
    assert drop.joint_stockpile == 0.0


def test_a_resource_holder_sells_to_the_bloc_that_pays_more():
    holder = ResourceHolder(spec(kind="resource_holder", patience=2))
    mines = {"mining": 10000.0, "separation": 0.0, "magnets": 0.0, "recycling": 0.0}
    dear_bloc = world(usa=figures(separation=20000.0, ndpr_price=80.0), china=figures(ndpr_price=56.0))
    view = dict(region="vietnam", capacity=mines, others=dear_bloc, alliances={"west": ("usa",)})
    assert of_type(holder.decide(observation(**view)), AllianceJoin) == []  # patience
    (join,) = of_type(holder.decide(observation(**view)), AllianceJoin)
    assert "pay 80" in holder.reason_for(join)
    cheap_bloc = world(usa=figures(separation=20000.0, ndpr_price=50.0), china=figures(ndpr_price=70.0))
    member = dict(region="vietnam", capacity=mines, others=cheap_bloc, alliances={"west": ("usa", "vietnam")})
    holder.decide(observation(**member))
    (leave,) = of_type(holder.decide(observation(**member)), AllianceLeave)
    assert "China pays 70" in holder.reason_for(leave)


from marketsim.policy.events import Tariff  # noqa: E402
from marketsim.scenario.strategies import CoalitionTerms  # noqa: E402


# ------------------------------------------------------------------ through the seam, in a run
def quarterly(small_data, **strategies) -> dict:
    small_data["scenario"]["round_months"] = 3
    for region, strategy in strategies.items():
        small_data["regions"][region]["strategy"] = strategy
    return small_data


def test_members_refusal_is_recorded_with_their_reasons(small_data):
    from simkit import build  # noqa: PLC0415

    from marketsim.governance.observation import observe_all  # noqa: PLC0415
    from marketsim.governance.rounds import decide as seam  # noqa: PLC0415
    from marketsim.model import RareEarthModel  # noqa: PLC0415

    data = quarterly(small_data, usa={"kind": "importer", "coalition": {"admit_burden": 0.0}})
    data["alliances"] = {"quad": {"members": ["usa"], "joint_stockpile": 0.5}}
    model = RareEarthModel(build(data), years=1)
    for _ in range(3):
        model.step()
    views = observe_all(model)
    (result,) = seam(model, "japan", [AllianceJoin(start=model.date, region="japan", alliance="quad")], None, views)
    # Japan buys magnets and brings no stockpile or processing: it would only draw on the joint stockpile.
    assert not result.accepted and "usa refuses japan in quad" in result.message
    assert "japan" not in model.book.members["quad"]
    calm = quarterly(small_data, usa={"kind": "importer"})
    calm["alliances"] = {"quad": {"members": ["usa"]}}  # no joint stockpile: nothing to draw on
    model = RareEarthModel(build(calm), years=1)
    for _ in range(3):
        model.step()
    join = AllianceJoin(start=model.date, region="japan", alliance="quad")
    assert seam(model, "japan", [join], None, observe_all(model))[0].accepted


def test_a_founded_alliance_gets_its_terms_and_dissolves_with_its_last_member(small_data):
    from simkit import build  # noqa: PLC0415

    from marketsim.governance.rounds import decide as seam  # noqa: PLC0415
    from marketsim.model import RareEarthModel  # noqa: PLC0415

    model = RareEarthModel(build(small_data), years=1)
    found = AllianceFound(start=model.date, region="japan", alliance="pact", joint_stockpile=0.4, floor_ndpr=70.0)
    assert seam(model, "japan", [found])[0].accepted
    model.step()
    assert model.book.members["pact"] == {"japan"}
    assert model.book.terms["pact"].joint_stockpile == 0.4 and model.book.terms["pact"].floor_prices == {"ndpr": 70.0}
    assert not seam(model, "usa", [AllianceFound(start=model.date, region="usa", alliance="pact")])[0].accepted
    assert seam(model, "usa", [AllianceJoin(start=model.date, region="usa", alliance="pact")])[0].accepted
    model.step()
    assert model.frictions.ally[model.region_index["usa"], model.region_index["japan"]]
    terms = AllianceTerms(start=model.date, region="usa", alliance="pact", joint_stockpile=0.0)
    assert seam(model, "usa", [terms])[0].accepted
    assert not seam(model, "china", [AllianceLeave(start=model.date, region="china", alliance="pact")])[0].accepted
    for region in ("usa", "japan"):
        assert seam(model, region, [AllianceLeave(start=model.date, region=region, alliance="pact")])[0].accepted
    model.step()
    assert "pact" not in model.book.members
    actions = [(region, action) for _, name, region, action in model.alliance_log if name == "pact"]
    assert actions == [
        ("japan", "found"),
        ("usa", "join"),
        ("usa", "terms"),
        ("usa", "leave"),
        ("japan", "leave"),
        ("japan", "dissolve"),
    ]


def test_ai_world_like_runs_are_deterministic_per_seed_and_every_decision_says_why(small_data):
    from simkit import build  # noqa: PLC0415

    from marketsim.model import RareEarthModel  # noqa: PLC0415

    data = quarterly(
        small_data,
        china={"kind": "dominant_supplier", "value_added_target": 0.99},
        usa={"kind": "importer", "dependency_threshold": 0.3, "tariff_rate": 0.2},
        japan={"kind": "importer", "dependency_threshold": 0.3},
    )
    data["alliances"] = {"quad": {"members": ["usa", "japan"]}}
    data["shocks"] = {"dispute_rate": 0.1, "mine_disruption_rate": 0.05}

    def record(seed):
        model = RareEarthModel(build(data), seed=seed, years=4)
        model.run()
        return [(d.tick, d.region, d.accepted, d.message) for d in model.decisions], list(model.alliance_log)

    first = record(5)
    assert first == record(5)
    assert first[0] and all(message for _, _, accepted, message in first[0] if accepted)
