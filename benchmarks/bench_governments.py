"""Governments worth watching (issue 14): alliance changes and China's answers in ``ai_world``.

Runs ``ai_world`` for 20 years on seeds 1-10 and prints, per seed, joins after the start, leaves,
dissolutions, foundings, changes of terms and China's export-control changes that answer the
importers (reasons starting "Answering the bloc", "Relief" or "Easing on the bloc"), China's
export quotas and caps on its own mining set and lifted, and the offtakes, equity stakes and loans
importers took in resource holders' projects, then the targets; and times a 30-year ``ai_world``
run against ``baseline_2024`` (best of 5 each, wall time; the machine's load moves both). Usage:
``python benchmarks/bench_governments.py [seeds] [years]``.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from marketsim.governance.china import ANSWER, EASE, MINING, MINING_LIFT, QUOTA, QUOTA_LIFT, RELIEF
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import load_scenario

CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def alliance_changes(model: RareEarthModel) -> Counter:
    """Counts of alliance actions after the start (join, leave, found, dissolve, terms)."""
    return Counter(action for tick, _, _, action in model.alliance_log if tick > 0)


def china_answers(model: RareEarthModel) -> int:
    """China's accepted export-control decisions that answer the importers' moves."""
    return sum(
        1
        for d in model.decisions
        if d.accepted and d.region == "china" and d.message.startswith((ANSWER, RELIEF, EASE))
    )


def china_quotas(model: RareEarthModel) -> tuple[int, int, int, int]:
    """China's accepted export quotas set and lifted, and caps on its own mining set and lifted."""
    said = [d.message for d in model.decisions if d.accepted and d.region == "china"]
    return (
        sum(m.startswith(QUOTA + ":") for m in said),
        sum(m.startswith(QUOTA_LIFT) for m in said),
        sum(m.startswith(MINING + ":") for m in said),
        sum(m.startswith(MINING_LIFT) for m in said),
    )


def project_sales(model: RareEarthModel) -> Counter:
    """Accepted offtakes, equity stakes and loans (``offtake``, ``project_equity``, ``project_loan``), by type."""
    kinds = ("offtake", "project_equity", "project_loan")
    return Counter(d.event.type for d in model.decisions if d.accepted and d.event.type in kinds)


def run(name: str, seed: int, years: int) -> tuple[RareEarthModel, float]:
    """A finished run and its wall time (build + run)."""
    start = time.perf_counter()
    model = RareEarthModel(load_scenario(CONFIGS / f"{name}.toml"), seed=seed, years=years)
    while model.running:
        model.step()
    return model, time.perf_counter() - start


def main(seeds: int = 10, years: int = 20) -> None:
    """Print the per-seed figures, the targets and the timing."""
    print(
        "seed  joins  leaves  dissolved  founded  terms  china_answers  quotas(set/lifted)  mining(set/lifted)"
        "  offtakes  equity  loans  allied_pairs(start/min/max/end)"
    )
    hits = founded = answered = 0
    for seed in range(1, seeds + 1):
        model, _ = run("ai_world", seed, years)
        c = alliance_changes(model)
        answers = china_answers(model)
        links = model.recorder.raw["allies"].sum(axis=-1) / 2.0
        quotas, sales = china_quotas(model), project_sales(model)
        print(
            f"{seed:>4}  {c['join']:>5}  {c['leave']:>6}  {c['dissolve']:>9}  {c['found']:>7}  {c['terms']:>5}"
            f"  {answers:>13}  {f'{quotas[0]}/{quotas[1]}':>18}  {f'{quotas[2]}/{quotas[3]}':>18}"
            f"  {sales['offtake']:>8}  {sales['project_equity']:>6}  {sales['project_loan']:>5}"
            f"  {links[0]:.0f}/{links.min():.0f}/{links.max():.0f}/{links[-1]:.0f}"
        )
        hits += c["join"] > 0 and (c["leave"] > 0 or c["dissolve"] > 0)
        founded += c["found"] > 0
        answered += answers >= 2
    print(f"seeds with a join and a leave or dissolution: {hits}/{seeds} (target >= 7 of 10)")
    print(f"seeds with a new alliance founded: {founded}/{seeds} (target >= 1)")
    print(f"seeds where China answered the importers at least twice: {answered}/{seeds} (target: most)")
    times = {}
    for name in ("baseline_2024", "ai_world"):
        times[name] = min(run(name, 2024, 30)[1] for _ in range(5))
        print(f"{name}, 30 years: {times[name]:.2f} s (best of 5)")
    print(f"ai_world / baseline_2024: {times['ai_world'] / times['baseline_2024']:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
