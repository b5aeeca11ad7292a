"""A hand-made government observation for strategy tests."""

from __future__ import annotations

from marketsim.governance.observation import Observation

GOODS = ("concentrate", "ndpr", "dytb", "lace", "magnet")


def observation(dependency: float = 0.9, region: str = "japan", **changes) -> Observation:
    """A plausible observation of ``region`` with China's share of its separated supply at ``dependency``."""
    values = dict(
        region=region,
        tick=12,
        date="2025-01",
        price={g: p for g, p in zip(GOODS, (10.0, 56.0, 260.0, 1.0, 40.0), strict=True)},
        world_price={g: p for g, p in zip(GOODS, (10.0, 56.0, 260.0, 1.0, 40.0), strict=True)},
        dependency={"mining": dependency, "separation": dependency, "magnets": dependency},
        china_share={"mining": 0.7, "separation": 0.9, "magnets": 0.9},
        unmet_share=0.0,
        use={g: u for g, u in zip(GOODS, (0.0, 50.0, 3.0, 500.0, 1500.0), strict=True)},
        oxide_per_magnet={"ndpr": 0.3444, "dytb": 0.01978},
        production={g: 0.0 for g in GOODS},
        stockpile={g: 0.0 for g in GOODS},
        export_value=0.0,
        export_value_history=(),
        capacity={"mining": 0.0, "separation": 0.0, "magnets": 25000.0, "recycling": 0.0},
        allies=(),
        alliances={},
        disputes=(),
        budget_left=None,
    )
    values.update(changes)
    return Observation(**values)
