"""The documentation stays in step with the code it describes."""

from __future__ import annotations

import re

from conftest import ROOT

from marketsim.reports.metrics import CATALOGUE


def test_every_metric_is_documented():
    text = (ROOT / "docs" / "metrics.md").read_text()
    catalogue = text.split("| metric | unit |", 1)[1].split("\n\n", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", catalogue, flags=re.MULTILINE))
    names = {metric.name for metric in CATALOGUE}
    assert names - documented == set(), "metrics missing from docs/metrics.md"
    assert documented - names == set(), "docs/metrics.md lists metrics the model does not record"


def test_readme_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for line in quick_start.splitlines() if line.startswith("    ")]
    assert len(commands) == 2
    assert commands[0].endswith(".venv/bin/marketsim app")
    assert "pytest" in commands[1]
    assert commands[1] in (ROOT / ".ci" / "run").read_text()


def test_python_version_file_asks_for_312():
    assert (ROOT / ".python-version").read_text().strip() == "3.12"


def test_the_sweep_docs_python_example_runs(monkeypatch):
    text = (ROOT / "docs" / "sweeps.md").read_text()
    example = text.split("## Python API", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(example, "docs/sweeps.md", "exec"), namespace)
    outcomes = namespace["result"]["outcomes"]
    assert set(outcomes) == {"ndpr_peak", "china_separation"}
    assert outcomes["ndpr_peak"] > 0
    assert 0 <= outcomes["china_separation"] <= 1


def test_the_readme_player_example_runs(monkeypatch):
    readme = (ROOT / "README.md").read_text()
    example = readme.split("## Governments and players", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)
    decisions = namespace["model"].decisions
    assert decisions and all(d.accepted and d.region == "japan" for d in decisions)
