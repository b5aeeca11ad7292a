"""Helpers for the game tests: the small world as TOML text with strategies, a fake clock and an open room."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
from _toml_text import dumps
from conftest import SMALL_WORLD


def small_text(years: int = 3, strategies: bool = True, round_months: int = 12, **scenario) -> str:
    """The small three-region world as TOML text; China, the USA and Japan play strategies."""
    data = copy.deepcopy(SMALL_WORLD)
    data["scenario"].update(years=years, round_months=round_months, **scenario)
    if strategies:
        data["regions"]["china"]["strategy"] = {"kind": "dominant_supplier", "value_added_target": 0.99}
        data["regions"]["usa"]["strategy"] = {
            "kind": "importer",
            "dependency_threshold": 0.3,
            "budget": 500.0,
            "stockpile_months": 2.0,
            "alliance": "quad",
        }
        data["regions"]["japan"]["strategy"] = {
            "kind": "importer",
            "dependency_threshold": 0.3,
            "stockpile_months": 2.0,
            "tariff_rate": 0.1,
        }
        data["regions"]["usa"]["budget"] = 500.0
    return dumps(data)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def assert_same_run(a, b) -> None:
    """Two models recorded exactly the same ticks, bit for bit."""
    assert a.tick == b.tick
    assert a.recorder.raw.keys() == b.recorder.raw.keys()
    for name in a.recorder.raw:
        np.testing.assert_array_equal(a.recorder.raw[name][: a.tick], b.recorder.raw[name][: b.tick], err_msg=name)


def differs(a, b) -> bool:
    """Whether two models recorded anything differently."""
    return any(
        not np.array_equal(a.recorder.raw[n][: a.tick], b.recorder.raw[n][: b.tick], equal_nan=True)
        for n in a.recorder.raw
    )


def open_room(server, seats=("usa", "japan"), players=("usa", "japan"), **settings):
    """A started room of the small world: ``seats`` played by people, one player joined per region in
    ``players``. Returns the room, the facilitator's token and the players' tokens by region."""
    created = server.create_room(small_text(), "small.toml", 5, list(seats), **settings)
    tokens = {
        region: server.join(created.join_code, f"player {region}", "10.0.0.1", region).token for region in players
    }
    room = server.room(created.room_id)
    room.start(created.facilitator_token)
    return room, created.facilitator_token, tokens


def events_of(model, region: str) -> list:
    """The events of a government's accepted decisions."""
    return [d.event for d in model.decisions if d.region == region and d.accepted]


def seat(server, created, name: str, client: str = "a", region=None, address=None):
    """Join ``created`` (a :class:`Created` room) as ``name``; a join held for approval (a taken
    government) is admitted by the facilitator. Returns the :class:`Joined` with the player's id."""
    joined = server.join(created.join_code, name, client, region, address)
    if not joined.held:
        return joined
    room = server.room(created.room_id)
    request = next(r for r in room.requests() if r["name"] == " ".join(name.split())[:40])
    room.approve(created.facilitator_token, request["id"])
    player = next(p for p in room.state.players.values() if p.active and p.name == request["name"])
    return dataclasses.replace(joined, player_id=player.id, held=False)
