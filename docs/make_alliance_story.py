"""The figure and the story of docs/scenarios.md, "ai_world: alliances over time".

Run from the repository root:

    .venv/bin/python docs/make_alliance_story.py

Runs ``ai_world`` for 20 years on seeds 1-10 and draws docs/img/scenarios/ai_world_alliances.png:
the number of allied pairs each month (metric ``alliance_links``) for seeds 1 and 2, over the
spread (min-max) across the ten seeds. Prints each alliance change, each export quota China sets
or lifts, each of its licences answering the blocs, and each offtake or equity stake in a resource
holder's project of seeds 1 and 2, with the reason its government gave (the decision's message in the event log).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from marketsim.governance.china import ANSWER, EASE, RELIEF
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img" / "scenarios" / "ai_world_alliances.png"
STORY_SEEDS = (1, 2)


def run(seed: int) -> RareEarthModel:
    """ai_world, 20 years, run to the end."""
    model = RareEarthModel(load_scenario(ROOT / "configs" / "ai_world.toml"), seed=seed, years=20)
    while model.running:
        model.step()
    return model


def story(model: RareEarthModel) -> list[str]:
    """One line per accepted alliance decision (join, leave, found, terms), export quota, offtake,
    project equity and China's licences answering the blocs, with its reason."""
    kinds = (
        "alliance_join",
        "alliance_leave",
        "alliance_found",
        "alliance_terms",
        "export_quota",
        "offtake",
        "project_equity",
    )
    return [
        f"{model.date_of(d.tick)} {d.region}: {d.message}"
        for d in model.decisions
        if d.accepted and (getattr(d.event, "type", "") in kinds or d.message.startswith((ANSWER, RELIEF, EASE)))
    ]


def main() -> None:
    """Draw the figure and print the stories."""
    runs = {seed: run(seed) for seed in range(1, 11)}
    pairs = {seed: m.recorder.raw["allies"].sum(axis=-1) / 2.0 for seed, m in runs.items()}
    months = np.arange(len(pairs[1]))
    years = 2024 + months / 12.0
    stack = np.vstack(list(pairs.values()))
    fig, ax = plt.subplots(figsize=(9, 3.6))
    ax.fill_between(years, stack.min(axis=0), stack.max(axis=0), color="#dddddd", label="seeds 1-10, min-max")
    for seed, colour in zip(STORY_SEEDS, ("#1f77b4", "#ff7f0e"), strict=True):
        ax.step(years, pairs[seed], where="post", color=colour, label=f"seed {seed}")
    ax.set_ylabel("allied pairs")
    ax.set_title("ai_world: pairs of governments sharing an alliance, each month")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=110)
    print(f"wrote {OUT.relative_to(ROOT)}")
    for seed in STORY_SEEDS:
        print(f"--- seed {seed}")
        print("\n".join(story(runs[seed])))


if __name__ == "__main__":
    main()
