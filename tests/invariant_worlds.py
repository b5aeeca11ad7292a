"""Random small worlds for the property tests of tests/test_invariants.py: hypothesis strategies
for scenarios and trade events, a run's tables, and the material-balance check."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from unittest.mock import patch

import numpy as np
import pandas as pd
from conftest import SMALL_WORLD
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import marketsim.world.phases as model_module
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import validate_scenario
from marketsim.scenario.schema import Scenario
from marketsim.vocabulary import GOODS

YEARS = 3
REGIONS = list(SMALL_WORLD["regions"])
FACILITIES = [f["name"] for kind in ("mines", "refiners", "magnet_plants") for f in SMALL_WORLD[kind]]
START_YEAR, START_MONTH = map(int, SMALL_WORLD["scenario"]["start"].split("-"))
BALANCE_TOLERANCE = 1e-6
SETTINGS = settings(max_examples=12, deadline=None, derandomize=False, suppress_health_check=[HealthCheck.too_slow])
CONFIGS = Path(__file__).resolve().parents[1] / "configs"
VALUE_FIELDS = {"start", "end", "tonnes_per_year", "approval_rate", "rate", "price"}


def month_number(label: str) -> int:
    year, month = map(int, label.split("-")[:2])
    return year * 12 + month - 1


def label(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


# ----------------------------------------------------------------- strategies

FIRST = START_YEAR * 12 + START_MONTH - 1


def tonnes(high: float) -> st.SearchStrategy[float]:
    return st.one_of(st.just(0.0), st.floats(1e-3, high))


goods_lists = st.lists(st.sampled_from(GOODS), min_size=1, max_size=len(GOODS), unique=True)


@st.composite
def timing(draw) -> dict:
    start = FIRST + draw(st.integers(0, YEARS * 12 - 1))
    times = {"start": label(start)}
    if draw(st.booleans()):
        times["end"] = label(start + draw(st.integers(1, 24)))
    return times


@st.composite
def destinations(draw, origin: str) -> list[str]:
    others = [r for r in REGIONS if r != origin]
    return draw(st.lists(st.sampled_from(others), max_size=len(others), unique=True))


@st.composite
def trade_event(draw) -> dict:
    kind = draw(
        st.sampled_from(
            [
                "export_quota",
                "export_ban",
                "export_licence",
                "export_tax",
                "tariff",
                "mining_quota",
                "stockpile",
                "capacity",
                "subsidy",
            ]
        )
    )
    region = draw(st.sampled_from(REGIONS))
    event = {"type": kind, **draw(timing())}
    if kind == "export_quota":
        event |= {"region": region, "goods": draw(goods_lists), "tonnes_per_year": draw(tonnes(150_000.0))}
    elif kind == "export_ban":
        event |= {"region": region, "goods": draw(goods_lists), "destinations": draw(destinations(region))}
    elif kind == "export_licence":
        event |= {
            "region": region,
            "goods": draw(goods_lists),
            "destinations": draw(destinations(region)),
            "approval_rate": draw(st.one_of(st.just(0.0), st.floats(0.0, 1.0))),
        }
    elif kind == "export_tax":
        event |= {"region": region, "goods": draw(goods_lists), "rate": draw(st.floats(0.0, 5.0))}
    elif kind == "tariff":
        event |= {
            "importer": region,
            "goods": draw(goods_lists),
            "origins": draw(destinations(region)),
            "rate": draw(st.floats(0.0, 5.0)),
        }
    elif kind == "mining_quota":
        event |= {"region": region, "tonnes_per_year": draw(tonnes(150_000.0))}
    elif kind == "stockpile":
        event |= {
            "region": region,
            "good": draw(st.sampled_from(GOODS)),
            "tonnes": draw(st.sampled_from([-1.0, 1.0])) * draw(tonnes(20_000.0)),
            "months": draw(st.integers(1, 24)),
        }
    elif kind == "capacity":
        event |= {
            "facility": draw(st.sampled_from(FACILITIES)),
            "capacity": draw(tonnes(200_000.0)),
            "ramp_months": draw(st.integers(1, 24)),
        }
    else:
        event |= {
            "region": region,
            "stage": draw(st.sampled_from(["mining", "separation", "magnets"])),
            "rate": draw(st.floats(0.0, 0.9)),
        }
    return event


def policy_identity(event: dict) -> tuple:
    """Events with the same identity replace each other; keep one so every listed policy is in force."""
    return tuple(sorted((k, repr(v)) for k, v in event.items() if k not in VALUE_FIELDS))


@st.composite
def scenarios(draw, noisy: bool = False) -> Scenario:
    data = copy.deepcopy(SMALL_WORLD)
    for mine in data["mines"]:
        mine["capacity"] *= draw(st.one_of(st.just(0.0), st.floats(0.01, 3.0)))
    for kind in ("refiners", "magnet_plants"):
        for plant in data[kind]:
            plant["capacity"] *= draw(st.floats(0.1, 3.0))
    for sector in data["sectors"].values():
        sector["demand"] *= draw(st.floats(0.2, 3.0))
        sector["growth"] = [{"year": 2024, "rate": draw(st.floats(-0.2, 0.3))}]
    data["market"] = {
        "price_speed": draw(st.floats(0.02, 1.0)),
        "price_sensitivity": draw(st.floats(0.05, 5.0)),
        "max_monthly_change": draw(st.floats(0.01, 1.0)),
        "choice_sharpness": draw(st.floats(0.0, 60.0)),
        "transport_cost": draw(st.floats(0.0, 0.5)),
        "scarcity_adjustment": draw(st.floats(0.0, 2.0)),
        "seller_cover_months": draw(st.floats(0.2, 6.0)),
        "demand_noise": draw(st.floats(0.01 if noisy else 0.0, 0.3)),
        "outage_rate": draw(st.floats(0.0, 0.1)),
    }
    events, seen = [], set()
    for event in draw(st.lists(trade_event(), max_size=8)):
        if policy_identity(event) not in seen:
            seen.add(policy_identity(event))
            events.append(event)
    data["events"] = events
    return validate_scenario(data, "perturbed small world")


seeds = st.integers(0, 2**32 - 1)


# ----------------------------------------------------------------- running


@dataclass
class Run:
    model: RareEarthModel
    table: pd.DataFrame
    flows: np.ndarray
    """(ticks, goods, origins, destinations) tonnes traded, as cleared each tick."""
    lowest_stock: list[float]


def simulate(scenario: Scenario, seed: int, years: int = YEARS) -> Run:
    """Run the model tick by tick, recording each tick's clearing flows and lowest stock."""
    model = RareEarthModel(scenario, seed=seed, years=years)
    real_clear = model_module.clear
    flows: list[np.ndarray] = []

    def recording_clear(*args, **kwargs):
        result = real_clear(*args, **kwargs)
        flows.append(result.flows.copy())
        return result

    lowest = []
    with patch.object(model_module, "clear", recording_clear):
        for tick in range(model.months):
            model.step()
            assert len(flows) == tick + 1, "the market should clear exactly once per tick"
            pools = (model.ledger.seller, model.ledger.buyer, model.ledger.stockpile)
            lowest.append(min(float(pool.amount.min()) for pool in pools))
    return Run(model, model.results(), np.array(flows), lowest)


def series(table: pd.DataFrame, metric: str, good: str = "all", region: str = "world") -> pd.Series:
    rows = table[(table["metric"] == metric) & (table["good"] == good) & (table["region"] == region)]
    return rows.set_index("tick")["value"]


def in_force(event, month: int) -> bool:
    return month_number(event.start) <= month and (event.end is None or month < month_number(event.end))


def check_balance(table: pd.DataFrame, ticks: int) -> None:
    production = table[(table["metric"] == "production") & (table["region"] == "world")]
    throughput = production.groupby("tick", observed=True)["value"].sum().reindex(range(ticks))
    scale = np.maximum(throughput.to_numpy(), 1.0)
    for metric in ("material_balance_error", "magnet_balance_error"):
        error = series(table, metric).reindex(range(ticks))
        assert error.notna().all(), f"{metric} missing for some ticks"
        relative = np.abs(error.to_numpy()) / scale
        worst = int(np.argmax(relative))
        assert relative[worst] <= BALANCE_TOLERANCE, (
            f"{metric} at tick {worst} is {error.iloc[worst]:.6g} t against throughput {scale[worst]:.6g} t"
        )


# ----------------------------------------------------------------- invariants
