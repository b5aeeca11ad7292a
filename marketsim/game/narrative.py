"""A debrief that teaches: where the game split from its bot twin, which decision came before
each split, a score per role weighing its own goals (with a class ranking), and the story of the
game in plain sentences.

Everything compares the game with its bot twin (same scenario, seed and shocks; every seat left to
its fallback), so every difference comes from what people decided.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from marketsim.game.briefings import GOAL_WORDS, role_of
from marketsim.reports.scorecard import HIGHER_IS_BETTER
from marketsim.reports.views import RunView

SPLIT = 0.05
"""A relative difference from the twin this large (5 %) counts as the game splitting from it."""


def first_split(game: np.ndarray, twin: np.ndarray, dates: list[str]) -> str | None:
    """The first month a series differs from the twin's by :data:`SPLIT` or more (None: never)."""
    n = min(len(game), len(twin), len(dates))
    gap = np.abs(game[:n] - twin[:n]) / np.maximum(np.abs(twin[:n]), 1e-9)
    hit = np.flatnonzero(np.nan_to_num(gap) >= SPLIT)
    return dates[int(hit[0])] if hit.size else None


def splits(view: RunView, twin: RunView, seats: list[str]) -> dict[str, str | None]:
    """Per seat, the first month its dependency (separation) or the NdPr price outside China split
    from the twin's."""
    outside = [t for t in view.prices["ndpr"] if t != "China"]
    price_split = first_split(view.prices["ndpr"][outside[0]], twin.prices["ndpr"][outside[0]], view.dates)
    found = {}
    for region in seats:
        series = view.dependency.get(region, {}).get("separation")
        mine = first_split(series, twin.dependency[region]["separation"], view.dates) if series is not None else None
        months = [m for m in (mine, price_split) if m is not None]
        found[region] = min(months) if months else None
    return found


def timeline(decisions: pd.DataFrame, split_at: dict[str, str | None]) -> list[tuple[str, str, str, str]]:
    """Each accepted decision of a player: (round, government, decision, what followed): the
    month its government's numbers split from the twin, when that came on or after it."""
    rows = []
    for row in decisions[(decisions["by"] == "player") & decisions["accepted"]].itertuples():
        split = split_at.get(row.government)
        if split is not None and split >= row.date:
            after = f"the game split from the twin in {split}"
        else:
            after = "no split from the twin yet"
        rows.append((str(row.round + 1), row.government.upper(), row.kind.replace("_", " "), after))
    return rows


def role_scores(scores: pd.DataFrame, twin: pd.DataFrame, seats: list[str], exporters: set[str]) -> pd.DataFrame:
    """Each seat's score: its own goals (the briefing's weights) against the twin, in points (+10
    is about 10 % better than the twin on the weighted goals; each goal counts -100 to +100),
    ranked (1 is best)."""
    rows = []
    for region in seats:
        role = role_of(region, region in exporters)
        total, used = 0.0, 0.0
        for column, weight in role.weights.items():
            game, base = float(scores.at[region, column]), float(twin.at[region, column])
            if not (math.isfinite(game) and math.isfinite(base)):
                continue
            # Relative to the larger of the two, so a goal the twin scored zero on (no public money
            # spent) counts at most 100 % either way.
            change = (game - base) / max(abs(base), abs(game), 1e-9)
            total += weight * (change if HIGHER_IS_BETTER[column] else -change)
            used += weight
        points = 100 * total / used if used else 0.0
        goals = ", ".join(GOAL_WORDS[c] for c in role.weights)
        rows.append({"government": region.upper(), "score": round(points, 1), "goals weighed": goals})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["rank"] = table["score"].rank(ascending=False, method="min").astype(int)
    return table.sort_values("rank").reset_index(drop=True)[["rank", "government", "score", "goals weighed"]]


def story(
    decisions: pd.DataFrame, ranking: pd.DataFrame, split_at: dict[str, str | None], shocks: list[str]
) -> list[str]:
    """The game in plain sentences: the news, who did what, what it caused, who came out ahead."""
    lines = [f"The news: {'; '.join(shocks)}." if shocks else "No shock was injected."]
    players = decisions[(decisions["by"] == "player") & decisions["accepted"]]
    for region, split in split_at.items():
        mine = players[players["government"] == region]
        if mine.empty:
            lines.append(f"{region.upper()} changed nothing; what differed came from the others and the news.")
            continue
        kinds = ", ".join(dict.fromkeys(k.replace("_", " ") for k in mine["kind"]))
        effect = (
            f"its numbers split from the bot twin's in {split}" if split else "its numbers stayed close to the twin"
        )
        lines.append(f"{region.upper()} decided {len(mine)} time(s) ({kinds}); {effect}.")
    refused = decisions[(decisions["by"] == "player") & ~decisions["accepted"]]
    if len(refused):
        lines.append(f"{len(refused)} decision(s) were refused (see the reasons in the table).")
    if not ranking.empty:
        best = ranking.iloc[0]
        lines.append(
            f"Against its own goals, {best['government']} did best ({best['score']:+.1f} points against the twin)."
        )
    return lines
