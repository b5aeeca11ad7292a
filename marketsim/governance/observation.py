"""What a government sees at the start of a round: the numbers its player would look at."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from marketsim.governance.protocols import GovernedModel
from marketsim.levers.projects import OPERATING
from marketsim.reports.metrics import ratio
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


READ = (
    "price",
    "seller_price",
    "production",
    "separated",
    "consumption",
    "unmet",
    "flows",
    "consumed_china",
    "capacity",
)
"""The recorder's raw fields an observation reads."""


def _window(model: GovernedModel) -> dict[str, np.ndarray]:
    """The metrics an observation reads, each averaged over the last round (ignoring missing cells).

    Derived from the recorder's raw arrays of the round's months only, and only what
    :class:`Observation` reads; each is computed as :func:`marketsim.reports.metrics.derive`
    computes it (same operations on the same arrays, so the same numbers to the bit). Regions
    only, except ``world_price`` (purchase-weighted over regions): ``price``, ``seller_price``,
    ``production``, ``consumption``, ``unmet_demand`` and ``exports`` as (goods, regions);
    ``capacity`` as (stages and recycling, regions); ``dependency`` (REO-weighted, by stage) as
    (stages, regions); ``china_share`` as (stages,).
    """
    start = max(0, model.tick - model.config.scenario.round_months)
    raw = {name: model.recorder.raw[name][start : model.tick] for name in READ}
    flows, price = raw["flows"], raw["price"]
    received = flows.sum(axis=2)
    exports = flows.sum(axis=3) - np.einsum("tgii->tgi", flows)
    received_total = received.sum(axis=-1)
    weighted = np.divide(
        (price * received).sum(axis=-1), received_total, out=np.zeros_like(received_total), where=received_total > 0
    )
    world_price = np.where(received_total > 0, weighted, price.mean(axis=-1))
    dependency, china_share = _stage_shares(raw, model.china, model.recorder.reo_per_unit)
    window = {
        "price": price,
        "world_price": world_price,
        "seller_price": raw["seller_price"],
        "production": raw["production"],
        "consumption": raw["consumption"],
        "unmet_demand": raw["unmet"],
        "exports": exports,
        "capacity": raw["capacity"],
        "dependency": dependency,
        "china_share": china_share,
    }
    return _means_over_round(window)


def _means_over_round(series: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each (months, ...) series averaged over the round (see :func:`_mean_over_round`), all in
    one pass; its NaN-free twin (:func:`numpy.nan_to_num`) under ``clean_`` + its name."""
    sizes = {name: int(np.prod(values.shape[1:])) for name, values in series.items()}
    flat = np.concatenate([values.reshape(len(values), sizes[name]) for name, values in series.items()], axis=1)
    means = _mean_over_round(flat)
    both = {"": means, "clean_": np.nan_to_num(means)}
    out, at = {}, 0
    for name, values in series.items():
        for prefix, figures in both.items():
            out[prefix + name] = figures[at : at + sizes[name]].reshape(values.shape[1:])
        at += sizes[name]
    return out


def _stage_shares(raw: dict[str, np.ndarray], china: int, reo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each month's China share, by stage, of what each region consumed (REO-weighted), as
    (months, stages, regions), and of world output, as (months, stages)."""
    concentrate, magnet = GOODS.index("concentrate"), GOODS.index("magnet")
    oxides_and_magnets = [g for g in range(len(GOODS)) if g != concentrate]
    production = raw["production"]
    stage_output = (production[:, concentrate], raw["separated"], production[:, magnet])
    dependency, china_share = [], []
    for s, stage in enumerate(STAGES):
        goods = [magnet] if stage == "magnets" else oxides_and_magnets
        weight = reo[goods][None, :, None]
        part, whole = raw["consumed_china"][..., s][:, goods], raw["consumption"][:, goods]
        dependency.append(ratio((part * weight).sum(axis=1), (whole * weight).sum(axis=1)))
        output = stage_output[s]
        from_china = output[:, china] if china >= 0 else np.zeros(len(output))
        china_share.append(ratio(from_china, output.sum(axis=-1)))
    return np.stack(dependency, axis=1), np.stack(china_share, axis=1)


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
    (``governed``, 1 or 0). ``metrics`` is the round's (see :func:`_window`)."""
    price, world_price, use = metrics["clean_price"], metrics["clean_world_price"], metrics["clean_consumption"]
    unmet = metrics["clean_unmet_demand"].sum(axis=0)
    whole = unmet + use.sum(axis=0)
    columns = {s: metrics["clean_capacity"][k] for k, s in enumerate(STAGES)}
    columns["dependency"] = metrics["clean_dependency"][STAGES.index("separation")]
    columns["unmet"] = np.divide(unmet, whole, out=np.zeros_like(whole), where=whole > 0)
    key = [1, 2, 4]
    relative = price[key] / np.maximum(world_price[key], 1e-9)[:, None] - 1.0
    columns["premium"] = relative.max(axis=0)
    columns["stockpile_value"] = (model.ledger.stockpile.amount[1:3] * world_price[1:3][:, None]).sum(axis=0) / 1e3
    columns["exposure"] = 12.0 * (use[key] * world_price[key][:, None]).sum(axis=0) / 1e3
    columns["ndpr_output"] = metrics["clean_production"][1]
    columns["ndpr_price"] = price[1]
    columns["governed"] = np.array([model.governments[r].controller is not None for r in model.regions], dtype=float)
    lists = {name: values.tolist() for name, values in columns.items()}
    return {region: {name: lists[name][r] for name in lists} for r, region in enumerate(model.regions)}


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
    shared = {
        "tick": model.tick,
        "date": model.date,
        "alliances": {name: tuple(sorted(members)) for name, members in model.book.members.items()},
        "china_share": dict(zip(STAGES, metrics["clean_china_share"].tolist(), strict=True)),
        "world_price": dict(zip(GOODS, metrics["world_price"].tolist(), strict=True)),
        "world_policies": tuple(model.policies_in_force),
        "alliance_terms": alliance_terms(model),
        "others": public_figures(model, metrics),
    }
    unmet, used = metrics["unmet_demand"].sum(axis=0), metrics["consumption"].sum(axis=0)
    export_value = np.nansum(metrics["exports"] * metrics["seller_price"], axis=0) / 1000.0
    columns = {
        "price": _by_region(metrics["price"], GOODS),
        "use": _by_region(metrics["consumption"], GOODS),
        "production": _by_region(metrics["production"], GOODS),
        "exports": _by_region(metrics["clean_exports"], GOODS),
        "stockpile": _by_region(model.ledger.stockpile.amount, GOODS),
        "dependency": _by_region(metrics["clean_dependency"], STAGES),
        "capacity": _by_region(metrics["capacity"], (*STAGES, "recycling")),
    }
    per_region = {
        "unmet_share": [_share(part, part + rest) for part, rest in zip(unmet.tolist(), used.tolist(), strict=True)],
        "export_value": export_value.tolist(),
        "dytb": model.magnet_plants.dytb_per_tonne.tolist(),
    }
    ndpr = float(model.magnet_plants.ndpr_per_tonne)
    regions, projects = model.regions, open_projects(model)
    allies = [tuple(regions[j] for j, allied in enumerate(row) if allied) for row in model.frictions.ally.tolist()]
    enacted: dict[str, list] = {}
    for policy in model.policies_in_force:
        enacted.setdefault(getattr(policy, "region", getattr(policy, "importer", None)), []).append(policy)
    views = {}
    for r, region in enumerate(regions):
        government = model.governments[region]
        views[region] = Observation(
            region=region,
            **{name: column[r] for name, column in columns.items()},
            unmet_share=per_region["unmet_share"][r],
            oxide_per_magnet={"ndpr": ndpr, "dytb": per_region["dytb"][r]},
            export_value=per_region["export_value"][r],
            export_value_history=tuple(government.export_history),
            allies=allies[r],
            disputes=tuple(sorted({b if a == region else a for a, b in model.frictions.disputes if region in (a, b)})),
            budget_left=government.budget_left,
            policies=tuple(enacted.get(region, ())),
            projects=projects.get(region, {}),
            **shared,
        )
    return views


def _by_region(values: np.ndarray, names) -> list[dict[str, float]]:
    """(names, regions) values as one dict per region, name: value."""
    return [dict(zip(names, row, strict=True)) for row in values.T.tolist()]


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
