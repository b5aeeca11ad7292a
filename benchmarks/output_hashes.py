"""Hash every recorded array of every scenario in configs/ for two seeds.

A behaviour-preserving change (a restructuring, a speed-up that claims bit-identity) must leave
every line of this script's output unchanged. Run from the repo root:

    .venv/bin/python benchmarks/output_hashes.py [--seeds 1 2] [--years N]

Each line is ``scenario seed digest``; the last line is one digest over all of them. The digest
covers every raw array the model records, the event log and the alliance log, so a change in
any number any run records, or in any decision a government takes, changes it.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np

from marketsim.model import RareEarthModel
from marketsim.scenario.loading import load_scenario

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def run_digest(path: Path, seed: int, years: int | None) -> str:
    """The SHA-256 over one run's recorded arrays, event log and alliance log."""
    model = RareEarthModel(load_scenario(path), seed=seed, years=years)
    model.run()
    digest = hashlib.sha256()
    for name in sorted(model.recorder.raw):
        values = np.ascontiguousarray(model.recorder.raw[name])
        digest.update(name.encode())
        digest.update(str(values.shape).encode())
        digest.update(values.tobytes())
    for line in model.event_log:
        digest.update(repr(line).encode())
    for line in model.alliance_log:
        digest.update(repr(line).encode())
    return digest.hexdigest()[:16]


def main() -> None:
    """Print one digest per scenario and seed, then one over all."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--years", type=int, default=None, help="shorter runs (default: each scenario's own)")
    args = parser.parse_args()
    total = hashlib.sha256()
    for path in sorted(CONFIGS.glob("*.toml")):
        for seed in args.seeds:
            line = f"{path.stem} {seed} {run_digest(path, seed, args.years)}"
            total.update(line.encode())
            print(line, flush=True)
    print(f"all {total.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
