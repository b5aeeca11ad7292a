"""Totals of K-targets and seed-patterns for history_2009 with --set overrides (lead's evaluation)."""
import sys
from collections import defaultdict
sys.path.insert(0, "/work/main/benchmarks")
import bench_dynamics as bd
from marketsim.calibration.targets import load_targets, passes, scenario_path
from marketsim.scenario.loading import load_scenario
seeds = [int(s) for s in sys.argv[1].split(",")]
overrides = sys.argv[2:]
spec = load_targets(bd.TARGETS)
scenario = load_scenario(scenario_path(bd.TARGETS, spec.run), overrides)
metrics = bd.metrics_read(spec.targets)
tables = [bd.TidyTable(bd.run_table(scenario, {}, s, spec.run.years), metrics) for s in seeds]
per_seed = [bd.statistics(t, spec.targets) for t in tables]
total = 0
pattern_ok = defaultdict(lambda: [True] * len(seeds))
fails = []
for target in spec.targets:
    ok = [passes(target, st[target.id]) for st in per_seed]
    total += sum(ok)
    for i, o in enumerate(ok):
        pattern_ok[target.pattern][i] &= o
    if sum(ok) < len(seeds):
        fails.append(f"{target.id}:{sum(ok)}")
pats = sum(sum(v) for v in pattern_ok.values())
per = " ".join(f"{k}:{sum(v)}" for k, v in sorted(pattern_ok.items()))
print(f"targets {total}/{len(spec.targets)*len(seeds)} seed-patterns {pats}/{len(pattern_ok)*len(seeds)} | {per} | fails {' '.join(fails)}")
