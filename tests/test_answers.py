"""China and the importers answer each other, in controlled settings: licences on a bloc that
grows or taxes China's magnets, relief for those who leave, easing under disputes and lost
revenue, a technology ban; importers' WTO-style disputes, joint stockpiles and tariffs."""

from __future__ import annotations

import pytest
from conftest_observation import observation

from marketsim.governance.china import ANSWER, EASE, MINING, MINING_LIFT, QUOTA, QUOTA_LIFT, RELIEF, DominantSupplier
from marketsim.governance.importers import Importer
from marketsim.policy.events import Dispute, ExportBan, ExportLicence, ExportQuota, MiningQuota, Tariff, TechnologyBan
from marketsim.scenario.schema import RegionSpec


def spec(**fields):
    return RegionSpec.model_validate({"name": "X", "strategy": fields}).strategy


def china(**changes):
    quiet = {"region": "china", "china_share": {"mining": 0.7, "separation": 0.95, "magnets": 0.99}}
    return observation(dependency=0.0, **{**quiet, "export_value": 100.0, **changes})


def supplier(**fields) -> DominantSupplier:
    return DominantSupplier(spec(kind="dominant_supplier", **{"value_added_target": 0.0, **fields}))


def licences(decisions: list) -> list:
    return [d for d in decisions if isinstance(d, ExportLicence)]


def test_china_licenses_a_bloc_when_it_grows_and_relieves_those_who_leave():
    strategy = supplier(bloc_approval_rate=0.6)
    assert strategy.decide(china(alliances={"west": ("usa",)})) == []  # the bloc it starts with
    grown = strategy.decide(china(tick=15, alliances={"west": ("japan", "usa")}))
    (licence,) = licences(grown)
    assert set(licence.destinations) == {"japan", "usa"} and licence.approval_rate == 0.6
    assert strategy.reason_for(licence).startswith(ANSWER) and "japan joining" in strategy.reason_for(licence)
    relief = licences(strategy.decide(china(tick=18, alliances={"west": ("usa",)})))
    lifted = [d for d in relief if d.approval_rate == 1.0]
    kept = [d for d in relief if d.approval_rate < 1.0]
    assert set(lifted[0].destinations) == {"japan", "usa"} and kept[0].destinations == ("usa",)
    assert strategy.reason_for(kept[0]).startswith(RELIEF)


def test_china_answers_a_bloc_members_tariff():
    strategy = supplier()
    strategy.decide(china(alliances={"west": ("japan", "usa")}))
    tariff = Tariff(start="2025-01", importer="usa", origins=("china",), goods=("magnet",), rate=0.25)
    (licence,) = licences(
        strategy.decide(china(tick=15, alliances={"west": ("japan", "usa")}, world_policies=(tariff,)))
    )
    assert "usa's tariff" in strategy.reason_for(licence)


def test_china_eases_on_the_bloc_when_disputes_raise_the_cost_and_does_not_embargo_complainants():
    strategy = supplier(disputes_to_ease=2)
    strategy.decide(china(alliances={"west": ("usa",)}))
    strategy.decide(china(tick=15, alliances={"west": ("japan", "usa")}))
    eased = strategy.decide(china(tick=18, alliances={"west": ("japan", "usa")}, disputes=("japan", "usa")))
    assert not [d for d in eased if isinstance(d, ExportBan)]  # complaints about its licences are not embargoed
    (lift,) = licences(eased)
    assert lift.approval_rate == 1.0 and strategy.reason_for(lift).startswith(EASE)


def test_china_eases_on_the_bloc_when_export_revenue_falls():
    strategy = supplier()
    strategy.decide(china(alliances={"west": ("usa",)}))
    strategy.decide(china(tick=15, alliances={"west": ("japan", "usa")}))
    fallen = china(tick=18, alliances={"west": ("japan", "usa")}, export_value=50.0, export_value_history=(100.0,))
    (lift,) = licences(strategy.decide(fallen))
    assert lift.approval_rate == 1.0 and "revenue" in strategy.reason_for(lift)


def test_china_bans_technology_exports_when_rivals_separate_enough():
    strategy = supplier(technology_ban_share=0.1, rival_share_trigger=0.5)
    rivals = {"mining": 0.7, "separation": 0.85, "magnets": 0.99}
    (ban,) = [d for d in strategy.decide(china(china_share=rivals)) if isinstance(d, TechnologyBan)]
    assert "15 %" in strategy.reason_for(ban)
    assert [d for d in strategy.decide(china(china_share=rivals)) if isinstance(d, TechnologyBan)] == []


def test_an_importer_answers_licences_aimed_at_it_with_a_wto_style_dispute_once_per_cooldown():
    importer = Importer(spec(kind="importer", dependency_threshold=0.95, stockpile_months=0.0, dispute_cooldown=4))
    aimed = ExportLicence(start="2025-01", region="china", approval_rate=0.5, destinations=("japan",))
    quiet = {"unmet": 0.0, "premium": 0.0, "exposure": 0.0}
    others = {"china": quiet, "japan": quiet}
    view = dict(world_policies=(aimed,), others=others)
    (dispute,) = [d for d in importer.decide(observation(**view)) if isinstance(d, Dispute)]
    assert dispute.target == "china" and "WTO" in importer.reason_for(dispute)
    again = importer.decide(observation(tick=15, **view))
    assert [d for d in again if isinstance(d, Dispute)] == []


def test_a_dependent_importer_answers_with_a_tariff_and_says_why():
    importer = Importer(spec(kind="importer", dependency_threshold=0.5, tariff_rate=0.25, stockpile_months=0.0))
    (tariff,) = [d for d in importer.decide(observation()) if isinstance(d, Tariff)]
    assert tariff.origins == ("china",) and "90 %" in importer.reason_for(tariff)


def quotas(decisions: list) -> list:
    return [d for d in decisions if isinstance(d, ExportQuota)]


EXPORTING = {"concentrate": 0.0, "ndpr": 500.0, "dytb": 20.0, "lace": 900.0, "magnet": 1000.0}


def test_china_caps_ore_and_oxide_exports_when_a_bloc_grows_and_lifts_the_cap_under_disputes():
    strategy = supplier(export_quota_share=0.8, bloc_approval_rate=1.0, disputes_to_ease=2)
    assert quotas(strategy.decide(china(exports=EXPORTING, alliances={"west": ("usa",)}))) == []
    grown = china(tick=15, exports=EXPORTING, alliances={"west": ("japan", "usa")})
    (quota,) = quotas(strategy.decide(grown))
    assert quota.tonnes_per_year == pytest.approx(0.8 * 12 * 520.0) and set(quota.goods) == {
        "concentrate",
        "ndpr",
        "dytb",
    }
    assert strategy.reason_for(quota).startswith(QUOTA) and "japan joining" in strategy.reason_for(quota)
    assert quotas(strategy.decide(china(tick=18, exports=EXPORTING, alliances={"west": ("japan", "usa")}))) == []
    disputed = china(tick=21, exports=EXPORTING, alliances={"west": ("japan", "usa")}, disputes=("japan", "usa"))
    (lift,) = quotas(strategy.decide(disputed))
    assert lift.tonnes_per_year > 1e9 and lift.end is not None and strategy.reason_for(lift).startswith(QUOTA_LIFT)


def test_china_sets_a_quota_below_its_value_added_aim_lifts_it_when_revenue_falls_and_waits():
    strategy = supplier(export_quota_share=0.5, quota_for_value_added=True, value_added_target=0.95, memory_rounds=2)
    short = {"china_share": {"mining": 0.7, "separation": 0.95, "magnets": 0.9}, "exports": EXPORTING}
    (quota,) = quotas(strategy.decide(china(**short)))
    assert quota.tonnes_per_year == pytest.approx(0.5 * 12 * 520.0) and "90 %" in strategy.reason_for(quota)
    fallen = china(**short, export_value=50.0, export_value_history=(100.0,))
    (lift,) = quotas(strategy.decide(fallen))
    assert "revenue" in strategy.reason_for(lift)
    assert quotas(strategy.decide(china(**short))) == []  # it lets revenue recover first
    assert quotas(strategy.decide(china(**short)))


def test_china_never_sets_a_quota_at_a_share_of_one():
    strategy = supplier(export_quota_share=1.0, quota_for_value_added=True, value_added_target=0.95)
    short = {"china_share": {"mining": 0.7, "separation": 0.95, "magnets": 0.9}, "exports": EXPORTING}
    assert quotas(strategy.decide(china(**short))) == []


# ------------------------------------------------------------------ China's mining quota
MINING_OUTPUT = {"concentrate": 20000.0, "ndpr": 5000.0, "dytb": 200.0, "lace": 9000.0, "magnet": 20000.0}


def mining_quotas(decisions: list) -> list:
    return [d for d in decisions if isinstance(d, MiningQuota)]


def fallen(**changes):
    """China's view after its export revenue halved."""
    return china(production=MINING_OUTPUT, export_value=50.0, export_value_history=(100.0,), **changes)


def test_china_caps_its_own_mining_when_low_prices_cut_its_export_revenue():
    strategy = supplier(mining_quota_share=0.9, max_revenue_loss=0.3, bloc_months=12)
    assert mining_quotas(strategy.decide(china(production=MINING_OUTPUT))) == []  # revenue holds: no cap
    (cap,) = mining_quotas(strategy.decide(fallen(tick=15)))
    assert cap.region == "china" and cap.tonnes_per_year == pytest.approx(0.9 * 12 * 20000.0)
    assert cap.end == "2026-01" and strategy.reason_for(cap).startswith(MINING)
    assert "revenue fell" in strategy.reason_for(cap) and "none of its export controls" in strategy.reason_for(cap)
    assert mining_quotas(strategy.decide(fallen(tick=18))) == []  # one cap at a time


def test_china_does_not_cap_its_mining_when_its_own_controls_cut_the_revenue_or_rivals_mine_much():
    restricting = supplier(mining_quota_share=0.9, value_added_target=1.0)  # licenses oxides below its aim
    assert licences(restricting.decide(china(production=MINING_OUTPUT)))
    decided = restricting.decide(fallen(tick=15))
    assert licences(decided) and mining_quotas(decided) == []  # it lifts its licences instead
    rivals_mine = {"mining": 0.4, "separation": 0.95, "magnets": 0.99}
    assert mining_quotas(supplier(mining_rival_share=0.5).decide(fallen(china_share=rivals_mine))) == []
    assert mining_quotas(supplier(mining_quota_share=1.0).decide(fallen())) == []


def test_china_lifts_its_mining_cap_when_rivals_gain_the_ore_market():
    strategy = supplier(mining_quota_share=0.8, mining_rival_share=0.4)
    assert mining_quotas(strategy.decide(fallen()))
    gained = {"mining": 0.55, "separation": 0.95, "magnets": 0.99}
    (lift,) = mining_quotas(strategy.decide(china(tick=15, production=MINING_OUTPUT, china_share=gained)))
    assert lift.tonnes_per_year > 1e9 and lift.end is not None
    assert strategy.reason_for(lift).startswith(MINING_LIFT) and "rivals mine 45 %" in strategy.reason_for(lift)
