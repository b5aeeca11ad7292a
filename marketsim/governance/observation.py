"""What a government sees at the start of a round: the numbers its player would look at."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from marketsim.governance.protocols import GovernedModel
from marketsim.levers.projects import OPERATING
from marketsim.vocabulary import GOODS, STAGES


@dataclass(frozen=True)
class Observation:
    """A government's view of the last round (averages over its months).

    Prices are US$/kg; quantities t per month; shares 0-1; money US$ million.
    """

    region: str
    tick: int
    date: str
    price: dict[str, float]
    """Price of each good in this region."""
    world_price: dict[str, float]
    dependency: dict[str, float]
    """China's share, by stage, of what this region's end users consumed (REO-weighted)."""
    china_share: dict[str, float]
    """China's share of world output by stage."""
    unmet_share: float
    """Share of this region's end-use need that went unmet."""
    use: dict[str, float]
    """This region's end-use consumption of each good."""
    oxide_per_magnet: dict[str, float]
    """t of NdPr and of Dy/Tb oxide fed per t of magnet by the region's magnet plants now (the
    model's recipe, Dy/Tb thrifted as prices moved)."""
    production: dict[str, float]
    stockpile: dict[str, float]
    export_value: float
    """Value of this region's exports, US$ million a month."""
    export_value_history: tuple[float, ...]
    """Export value of earlier rounds, oldest first."""
    capacity: dict[str, float]
    """This region's capacity by stage (t/yr)."""
    allies: tuple[str, ...]
    alliances: dict[str, tuple[str, ...]]
    disputes: tuple[str, ...]
    """Regions this one is in a dispute with, whichever side started it."""
    budget_left: float | None
    """US$ million left to spend this year (None: no limit)."""
    policies: tuple = field(default=())
    """Policies in force that this government enacted."""
    world_policies: tuple = field(default=())
    """Every policy in force, whoever enacted it (public: tariffs, licences, disputes)."""
    alliance_terms: dict[str, dict[str, float]] = field(default_factory=dict)
    """Each alliance's terms: ``joint_stockpile``, ``research_sharing``, ``floor_ndpr`` (US$/kg, 0 none)."""
    others: dict[str, dict[str, float]] = field(default_factory=dict)
    """Public figures of every region (see :func:`public_figures`)."""
    exports: dict[str, float] = field(default_factory=dict)
    """This region's shipments of each good to other regions, t per month."""
    projects: dict[str, str] = field(default_factory=dict)
    """Supply projects of the scenario's pipeline in this region not yet operating nor abandoned,
    by name: their stage."""


def _window(model: GovernedModel) -> dict[str, np.ndarray]:
    """Every metric averaged over the last round (ignoring missing cells)."""
    start = max(0, model.tick - model.config.scenario.round_months)
    raw = {name: values[start : model.tick] for name, values in model.recorder.raw.items()}
    from marketsim.reports.metrics import derive  # noqa: PLC0415 (metrics imports pandas; keep this module light)

    derived = derive(raw, model.china, model.recorder.reo_per_unit)
    return {name: _mean_over_round(values) for name, values in derived.items()}


def _mean_over_round(values: np.ndarray) -> np.ndarray:
    """Mean over the round's months ignoring NaN; cells with no value in the round stay NaN.

    Written without ``np.nanmean`` because silencing its empty-slice warning needs
    ``warnings.catch_warnings``, which is not thread-safe (the game plays the bot twin in a thread).
    """
    present = ~np.isnan(values)
    count = present.sum(axis=0)
    total = np.where(present, values, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def public_figures(model: GovernedModel, metrics: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """What every government knows of every region: capacity by stage (t/yr), China's share of its
    separated supply (``dependency``), the share of its need unmet (``unmet``), how far above the
    world its dearest NdPr, Dy/Tb or magnet price was (``premium``), its state stockpile's value
    and its yearly use of magnets and oxides at world prices (``stockpile_value``, ``exposure``,
    US$ million), its NdPr output (t/month) and NdPr price (US$/kg), and whether a controller governs it
    (``governed``, 1 or 0)."""
    world, size = len(model.regions), len(model.regions)
    price = np.nan_to_num(metrics["price"])
    use = np.nan_to_num(metrics["consumption"])
    unmet = np.nan_to_num(metrics["unmet_demand"][:-1]).sum(axis=0)
    consumed = use[:-1].sum(axis=0)
    whole = unmet + consumed
    columns = {s: np.nan_to_num(metrics[f"capacity_{s}"])[:size] for s in STAGES}
    columns["dependency"] = np.nan_to_num(metrics["dependency_separation"][-1])[:size]
    columns["unmet"] = np.divide(unmet, whole, out=np.zeros_like(whole), where=whole > 0)[:size]
    key = [1, 2, 4]
    ratio = price[key, :size] / np.maximum(price[key, world], 1e-9)[:, None] - 1.0
    columns["premium"] = ratio.max(axis=0)
    columns["stockpile_value"] = (model.ledger.stockpile.amount[1:3, :size] * price[1:3, world][:, None]).sum(
        axis=0
    ) / 1e3
    columns["exposure"] = 12.0 * (use[key, :size] * price[key, world][:, None]).sum(axis=0) / 1e3
    columns["ndpr_output"] = np.nan_to_num(metrics["production"][1])[:size]
    columns["ndpr_price"] = price[1, :size]
    columns["governed"] = np.array([model.governments[r].controller is not None for r in model.regions], dtype=float)
    lists = {name: values.tolist() for name, values in columns.items()}
    figures = {region: {name: lists[name][r] for name in lists} for r, region in enumerate(model.regions)}
    return figures


def alliance_terms(model: GovernedModel) -> dict[str, dict[str, float]]:
    """Each alliance's terms, as numbers."""
    terms = {}
    for name in model.book.members:
        spec = model.book.terms.get(name)
        terms[name] = {
            "joint_stockpile": float(getattr(spec, "joint_stockpile", 0.0)),
            "research_sharing": float(getattr(spec, "research_sharing", 0.0)),
            "floor_ndpr": float(getattr(spec, "floor_prices", {}).get("ndpr", 0.0)),
        }
    return terms


def observe_all(model: GovernedModel) -> dict[str, Observation]:
    """Observations of every government for the round starting now."""
    metrics = _window(model)
    goods = list(GOODS)
    world = len(model.regions)
    alliances = {name: tuple(sorted(members)) for name, members in model.book.members.items()}
    dependency = {s: np.nan_to_num(metrics[f"dependency_{s}"][-1]).tolist() for s in STAGES}
    china_share = {s: float(np.nan_to_num(metrics[f"china_share_{s}"])) for s in STAGES}
    shared = {
        "world_policies": tuple(model.policies_in_force),
        "alliance_terms": alliance_terms(model),
        "others": public_figures(model, metrics),
    }
    ally = model.frictions.ally
    exports = np.nan_to_num(metrics["exports"]).tolist()
    projects = open_projects(model)
    views = {}
    for r, region in enumerate(model.regions):
        government = model.governments[region]
        views[region] = Observation(
            region=region,
            tick=model.tick,
            date=model.date,
            price={g: float(metrics["price"][k, r]) for k, g in enumerate(goods)},
            world_price={g: float(metrics["price"][k, world]) for k, g in enumerate(goods)},
            dependency={s: dependency[s][r] for s in STAGES},
            china_share=china_share,
            unmet_share=_share(
                metrics["unmet_demand"][:-1, r].sum(),
                metrics["unmet_demand"][:-1, r].sum() + metrics["consumption"][:-1, r].sum(),
            ),
            use={g: float(metrics["consumption"][k, r]) for k, g in enumerate(goods)},
            oxide_per_magnet={
                "ndpr": float(model.magnet_plants.ndpr_per_tonne),
                "dytb": float(model.magnet_plants.dytb_per_tonne[r]),
            },
            production={g: float(metrics["production"][k, r]) for k, g in enumerate(goods)},
            stockpile={g: float(model.ledger.stockpile.amount[k, r]) for k, g in enumerate(goods)},
            export_value=float(np.nansum(metrics["exports"][:-1, r] * metrics["seller_price"][:-1, r]) / 1000.0),
            export_value_history=tuple(government.export_history),
            capacity={s: float(metrics[f"capacity_{s}"][r]) for s in (*STAGES, "recycling")},
            allies=tuple(model.regions[j] for j in np.flatnonzero(ally[r])),
            alliances=alliances,
            disputes=tuple(sorted({b if a == region else a for a, b in model.frictions.disputes if region in (a, b)})),
            budget_left=government.budget_left,
            policies=tuple(government.policies),
            exports={g: exports[k][r] for k, g in enumerate(goods)},
            projects=projects.get(region, {}),
            **shared,
        )
    return views


def open_projects(model: GovernedModel) -> dict[str, dict[str, str]]:
    """Each region's projects still in development (exploration to ramp-up), by name: their stage."""
    pipeline = model.levers.projects
    out: dict[str, dict[str, str]] = {}
    for i, name in enumerate(pipeline.names):
        if pipeline.phase[i] < OPERATING:
            out.setdefault(model.regions[pipeline.region[i]], {})[name] = STAGES[pipeline.stage[i]]
    return out


def _share(part: float, whole: float) -> float:
    return float(part / whole) if whole > 0 else 0.0
