"""The K-patterns of REFERENCE §10 measured one way: the target file's statistics
(marketsim.calibration), a weighted "outside China" price, and smuggled material in importers' imports."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from conftest import CONFIGS, ROOT
from invariant_worlds import check_balance
from simkit import run, series

from marketsim.calibration.simulate import run_table
from marketsim.calibration.statistics import TidyTable, metrics_read, statistics
from marketsim.calibration.targets import Target, TargetsError, load_targets
from marketsim.scenario.loading import load_scenario
from marketsim.vocabulary import GOODS

SHIPPED_TARGETS = CONFIGS / "targets" / "history_2010.toml"
WEIGHTS = {"japan": 18.0, "usa": 8.5, "eu": 8.5}


def _tidy(columns: dict[tuple[str, str, str], np.ndarray], first_month: int = 2009 * 12):
    import pandas as pd  # noqa: PLC0415

    rows = []
    for (metric, good, region), values in columns.items():
        for k, value in enumerate(values):
            month = first_month + k
            rows.append((f"{month // 12:04d}-{month % 12 + 1:02d}", metric, good, region, float(value)))
    return pd.DataFrame(rows, columns=["date", "metric", "good", "region", "value"])


def _outside(**fields) -> dict:
    return (
        {"metric": "price", "goods": ["ndpr"], "regions": list(WEIGHTS), "combine": "weighted"}
        | {"weights": list(WEIGHTS.values())}
        | fields
    )


def _target(**fields) -> Target:
    base = {
        "id": "t",
        "pattern": "K",
        "description": "d",
        "statistic": "mean",
        "series": _outside(),
        "window": ("2009-01", "2012-12"),
        "target": (1.0, 1.0),
        "scale": "log",
        "tolerance": 0.7,
        "source": "test",
    }
    return Target.model_validate(base | fields)


def _bubble():
    """Japan's price peaks at 400 in Aug 2011 and is 240 in Dec 2011; the USA and the EU stay at 100."""
    months = 48  # 2009-01 .. 2012-12
    japan = np.full(months, 100.0)
    japan[31] = 400.0  # 2011-08
    japan[35] = 240.0  # 2011-12
    flat = np.full(months, 100.0)
    return {("price", "ndpr", "japan"): japan, ("price", "ndpr", "usa"): flat, ("price", "ndpr", "eu"): flat}


def test_weighted_outside_price_gives_the_known_fall_from_the_peak():
    total = sum(WEIGHTS.values())
    peak = (18.0 * 400.0 + 17.0 * 100.0) / total
    december = (18.0 * 240.0 + 17.0 * 100.0) / total
    targets = [
        _target(
            id="fall", statistic="share_of_peak", window=("2011-12", "2011-12"), peak_window=("2010-07", "2011-12")
        ),
        _target(id="delay", statistic="peak_delay", reference="2010-07", window=("2010-07", "2012-12"), scale="linear"),
        _target(id="level", statistic="mean", window=("2011-12", "2011-12")),
    ]
    stats = statistics(_tidy(_bubble()), targets)
    assert stats["fall"] == pytest.approx(december / peak)
    assert stats["delay"] == 13.0  # Jul 2010 to Aug 2011
    assert stats["level"] == pytest.approx(december)


def test_weighted_mean_uses_the_weights_of_the_regions_recorded_that_month():
    columns = _bubble()
    japan = columns.pop(("price", "ndpr", "japan"))
    table = _tidy(columns | {("price", "ndpr", "japan"): japan[:30]})  # Japan unrecorded from Jul 2011
    stats = statistics(table, [_target(id="level", window=("2011-12", "2011-12"))])
    assert stats["level"] == pytest.approx(100.0)  # the USA's and the EU's mean, not diluted by a missing Japan


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        (_outside(weights=[1.0, 2.0]), "one weight per region"),
        (_outside(combine="mean"), "only used with combine = 'weighted'"),
        (_outside(weights=[1.0, 0.0, 2.0]), "greater than 0"),
    ],
)
def test_bad_weights_are_refused_in_one_sentence(tmp_path, series, expected):
    path = tmp_path / "targets.toml"
    spec = ", ".join(f"{key} = {value!r}".replace("'", '"') for key, value in series.items())
    text = SHIPPED_TARGETS.read_text().replace(
        'series = { metric = "price", goods = ["ndpr"], regions = ["japan", "usa", "eu"], combine = "weighted", '
        "weights = [18.0, 8.5, 8.5] }",
        f"series = {{ {spec} }}",
        1,
    )
    path.write_text(text)
    with pytest.raises(TargetsError) as caught:
        load_targets(path)
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_every_price_pattern_reads_the_same_outside_china_price():
    spec = load_targets(SHIPPED_TARGETS)
    outside = set()
    for target in spec.targets:
        for term in [*target.series, *(target.versus or [])]:
            if term.metric == "price" and term.regions != ["china"] and target.id != "K3-japan-halt":
                outside.add((tuple(term.regions), term.combine, tuple(term.weights or ())))
    assert outside == {(tuple(WEIGHTS), "weighted", tuple(WEIGHTS.values()))}


def test_the_benchmark_prints_the_target_files_statistics():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_dynamics  # noqa: PLC0415

    spec = load_targets(SHIPPED_TARGETS)
    scenario = load_scenario(CONFIGS / "history_2009.toml")
    table = TidyTable(run_table(scenario, {}, 1, spec.run.years), metrics_read(spec.targets))
    expected = statistics(table, spec.targets)
    printed = bench_dynamics.history([1])
    for target in spec.targets:
        line = next(value for key, value in printed.items() if key.startswith(f"{target.id} ("))
        assert float(line.split()[0]) == pytest.approx(expected[target.id], abs=5e-4), target.id


def test_smuggled_material_reaching_importers_is_in_their_imports_and_nothing_is_lost():
    model = run(load_scenario(CONFIGS / "history_2009.toml"), years=3, seed=1)
    table, raw = model.results(), model.recorder.raw
    smuggled = series(table, "smuggled", "all", "world")
    assert np.nansum(smuggled) > 100.0, "the 2010-2011 quota should leak some material past China's controls"
    imports = sum(series(table, "imports", good, "world") for good in GOODS)
    exports = sum(series(table, "exports", good, "world") for good in GOODS)
    np.testing.assert_allclose(imports - exports, smuggled, rtol=1e-9, atol=1e-6)
    flows = raw["flows"]
    official = flows.sum(axis=2) - np.einsum("tgii->tgi", flows)  # (ticks, goods, regions) from abroad
    recorded = model.recorder.metrics()["imports"][:, :-1, :-1]
    np.testing.assert_allclose(recorded - official, raw["smuggled_in"], atol=1e-9)
    np.testing.assert_allclose(raw["smuggled_in"].sum(axis=-1), raw["smuggled"].sum(axis=-1), rtol=1e-9, atol=1e-9)
    japan = model.regions.index("japan")
    assert raw["smuggled_in"][:, :, japan].sum() > 0.0
    check_balance(table, model.months)
