"""docs/game.md's example runs."""

from __future__ import annotations

from conftest import ROOT

from marketsim.scenario.loading import load_scenario


def test_the_game_docs_example_runs(monkeypatch):
    text = (ROOT / "docs" / "game.md").read_text()
    example = text.split("```python", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(example, "docs/game.md", "exec"), namespace)
    table = namespace["table"]
    assert table.iloc[0].tolist()[:6] == [0, "2024-01", "usa", "player", "tariff", True]
    regions = load_scenario(ROOT / "configs" / "ai_world.toml").regions
    assert namespace["twin"].tick == 12 and len(namespace["scores"]) == len(regions)
