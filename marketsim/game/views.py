"""What a room shows: the roster, the status everyone may see, a player's view, the facilitator's
view, and the numbers the pages draw (observations, prices, the run so far, holdings, alliances).

:class:`RoomViews` is a mixin of :class:`~marketsim.game.room.Room`: it only reads, under the
room's lock, and changes nothing. Pages read a room only through these views: they never hold
the lock nor touch the model.
"""

from __future__ import annotations

import _thread
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np

from marketsim.game.consequences import TwinKeeper, card_dict, round_cards
from marketsim.game.shocks import headline
from marketsim.game.state import DECIDING, Player, RoomState
from marketsim.governance.observation import Observation, observe_all
from marketsim.reports.metrics import derive
from marketsim.reports.views import RunView, view_of
from marketsim.scenario.levers import ProjectSpec
from marketsim.vocabulary import GOODS


@dataclass(frozen=True)
class RoomSetup:
    """What does not change during a game: the scenario's governments, end-use sectors and supply
    projects (their frozen specs), the seats played by people and the months a round runs."""

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    projects: tuple[ProjectSpec, ...]
    seats: tuple[str, ...]
    ticks_per_round: int


@dataclass(frozen=True)
class WorldSoFar:
    """The run so far (for the facilitator's world charts), and the span of months to draw."""

    view: RunView
    span: tuple[str, str]


class RoomViews:
    """A room's read-only views (a mixin of :class:`~marketsim.game.room.Room`)."""

    # Provided by Room.
    id: str
    public_version: int
    _round_cache: dict[str, tuple]
    _shared: dict[Hashable, Any]
    _shared_key: tuple
    _shared_lock: threading.Lock
    _twin: TwinKeeper
    _twin_due: bool
    twin_ahead_after: float | None
    join_code: str
    lock: threading.RLock
    state: RoomState
    clock: Callable[[], float]
    _player: Callable[[str], Player]
    _facilitator: Callable[[str], None]
    _connected: Callable[[str, float], bool]
    offers_of: Callable[[str], dict[str, list[dict[str, Any]]]]

    def roster(self) -> list[dict[str, Any]]:
        """Each seat: ``region``, its ``players`` (``id``, ``name``, ``status``: submitted, thinking
        or disconnected), the seat's ``status`` (submitted, thinking, disconnected when no member is
        connected, or ai with no player), and, for a quick look, the first ``player`` id and the
        ``name`` of every member joined by commas (None for an empty seat)."""
        with self.lock:
            now, state = self.clock(), self.state
            rows = []
            for region in state.seats:
                members = state.members(region)
                players = []
                for player in members:
                    if not self._connected(player.id, now):
                        status = "disconnected"
                    elif state.submitted_by.get(region) == player.id:
                        status = "submitted"
                    else:
                        status = "thinking"
                    players.append({"id": player.id, "name": player.name, "status": status})
                if not members:
                    seat = "ai"
                elif not any(p["status"] != "disconnected" for p in players):
                    seat = "disconnected"
                else:
                    seat = "submitted" if region in state.queues else "thinking"
                rows.append(
                    {
                        "region": region,
                        "player": members[0].id if members else None,
                        "name": ", ".join(p.name for p in members) or None,
                        "status": seat,
                        "players": players,
                    }
                )
            return rows

    def status(self, roster: bool = True) -> dict[str, Any]:
        """What everyone may see: phase, round, dates, clock, roster (unless not ``roster``) and
        messages."""
        with self.lock:
            state, model = self.state, self.state.model
            return {
                "room": self.id,
                "phase": state.phase,
                "round": state.round,
                "tick": model.tick,
                "months": model.months,
                "date": model.date,
                "round_ticks": state.round_ticks(),
                "paused": state.paused,
                "time_left": state.time_left(self.clock()),
                "fallback": state.fallback,
                **({"roster": self.roster()} if roster else {}),
                "messages": list(state.messages),
            }

    def player_view(self, token: str) -> dict[str, Any]:
        """A player's view: the room status (without the roster: the player's page does not show
        it, and 30 pages reading it at every round cost the server time) plus their government, its
        team (names), its offers (``incoming``, ``outgoing``) and its queued decisions (whoever of
        the team sent them: ``queued_by``, a name)."""
        with self.lock:
            player, state = self._player(token), self.state
            by = state.players.get(state.submitted_by.get(player.region, ""))
            return {
                **self.status(roster=False),
                "player": player.id,
                "region": player.region,
                "team": [p.name for p in state.members(player.region)],
                "offers": self.offers_of(player.region),
                "queued": list(state.queues.get(player.region, [])),
                "queued_by": by.name if by is not None else None,
            }

    def facilitator_view(self, token: str) -> dict[str, Any]:
        """The facilitator's view: the room status plus the join code and every queue.

        The first look at a room rebuilt from its log (a restarted server, a room made by another
        process) schedules its bot twin's coming round (:meth:`schedule_twin`), as starting it
        or playing a round does: otherwise the round played next would wait for the twin. Not at
        the rebuild itself: a server starts without playing the twins of rooms nobody opens."""
        with self.lock:
            self._facilitator(token)
            if self._twin_due:
                self._twin_due = False
                self.schedule_twin()
            return {
                **self.status(),
                "join_code": self.join_code,
                "queues": {r: list(q) for r, q in self.state.queues.items()},
            }

    # ----------------------------------------------------------------- what pages draw
    def setup(self) -> RoomSetup:
        """The room's fixed setup."""
        with self.lock:
            state, config = self.state, self.state.model.config
            return RoomSetup(
                tuple(state.model.regions),
                tuple(config.sectors),
                tuple(config.pipeline),
                tuple(state.seats),
                state.ticks_per_round,
            )

    def log_size(self) -> int:
        """Actions logged so far (a key that changes whenever the room does)."""
        with self.lock:
            return len(self.state.log)

    def _this_round(self, kind: str, compute: Callable[[Any], Any]) -> Any:
        """``compute(model)`` once per round and ``kind``, shared by every page (None before the first
        round has run): a new round wakes all the room's pages at once."""
        with self.lock:
            model = self.state.model
            if not model.tick:
                return None
            key = (id(model), model.tick, self.public_version)
            cache = self._round_cache
            if kind not in cache or cache[kind][0] != key:
                cache[kind] = (key, compute(model))
            return cache[kind][1]

    def shared(self, kind: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per round (and public change) and ``kind`` for every page of the room:
        what a page derives from the views for its government (its numbers as HTML, its chart) is
        the same for its whole team, and a new round wakes the class's pages at once, so the first
        to draw makes it and the others read it. Older rounds' values are dropped.

        Args:
            kind: What is computed, e.g. ``("numbers", region)``.
            compute: Makes it from the room's views (called without the room's lock held).
        """
        with self._shared_lock:
            with self.lock:
                key = (id(self.state.model), self.state.model.tick, self.public_version)
            if key != self._shared_key:
                self._shared.clear()
                self._shared_key = key
            if kind not in self._shared:
                self._shared[kind] = compute()
            return self._shared[kind]

    def observation(self, region: str) -> Observation | None:
        """What a government sees of the last round (None before the first round has run)."""
        every = self._this_round("observations", observe_all)
        return None if every is None else every[region]

    def price_table(self) -> tuple[list[str], np.ndarray, dict[str, int]] | None:
        """Prices so far, month by month (None before the first round): the dates, the price array
        (tick, good, region with the world last) and each region's index in it."""
        return self._this_round("prices", _prices_so_far)

    def world_so_far(self) -> WorldSoFar:
        """The run so far, and the months to draw: those run, at least a year and the coming round."""
        with self.lock:
            model = self.state.model
            ahead = min(max(model.tick + self.state.ticks_per_round, 12), model.months)
            return WorldSoFar(view_of(model), (model.date_of(0), model.date_of(ahead - 1)))

    def budget_left(self, region: str) -> float | None:
        """A government's money left this year, US$ million (None: no limit)."""
        with self.lock:
            return self.state.model.governments[region].budget_left

    def holdings(self, region: str) -> dict[str, int]:
        """How many mines, separation plants and magnet plants a government has at home, built
        (with capacity now: a planned project counts once it is built)."""
        with self.lock:
            model = self.state.model
            k = model.region_index[region]
            fleets = {"mines": model.mines, "separation plants": model.refiners, "magnet plants": model.magnet_plants}
            return {name: int(((fleet.region == k) & (fleet.capacity > 0)).sum()) for name, fleet in fleets.items()}

    def alliances(self) -> dict[str, list[str]]:
        """Alliances now, with their members."""
        with self.lock:
            return {name: sorted(members) for name, members in self.state.model.book.members.items()}

    def injected_shocks(self) -> list[tuple[int, dict]]:
        """The shocks in force (an undone round's are gone), oldest first: (round, event as injected)."""
        with self.lock:
            return [(e.round, dict(e.payload.get("event", {}))) for e in self.state.entries if e.kind == "shock"]

    def all_offers(self) -> list[dict]:
        """Every alliance offer of the room, oldest first (``id``, ``from``, ``to``, ``alliance``,
        ``new``, ``round``, ``status``)."""
        with self.lock:
            return [o.as_dict() for o in self.state.offers.values()]

    def world_headlines(self) -> dict[str, list[tuple[str, str, ...]]] | None:
        """The projector's headline numbers (None before the first round): ``prices``, rows of
        (oxide, world price in the last month, in the first month), and ``dependency``, rows of
        (government, its dependency on China at separation), for the seats played by people
        (China, the supplier, is not listed)."""
        table = self.price_table()
        if table is None:
            return None
        _, price, _ = table
        names = {"ndpr": "NdPr", "dytb": "Dy/Tb", "magnet": "NdFeB magnet"}
        prices = [
            (name, f"US${price[-1, GOODS.index(g), -1]:,.0f}/kg", f"US${price[0, GOODS.index(g), -1]:,.0f}/kg")
            for g, name in names.items()
        ]
        with self.lock:
            seats, china = list(self.state.seats), self.state.model.china
            china_name = self.state.model.regions[china] if china >= 0 else None
        dependency = []
        for region in seats:
            obs = self.observation(region)
            if region != china_name and obs is not None:
                dependency.append((region.upper(), f"{100 * obs.dependency['separation']:.0f} %"))
        return {"prices": prices, "dependency": dependency}

    def news(self) -> list[tuple[str, str]]:
        """This round's news for every player, as (kind, text): the shocks injected since the round
        opened (``shock``, as headlines), then the facilitator's messages of this round
        (``message``); older ones are gone."""
        with self.lock:
            state = self.state
            shocks = [
                headline(e.payload.get("event", {}))
                for e in state.entries
                if e.kind == "shock" and e.round == state.round
            ]
            messages = [("message", m["text"]) for m in state.messages if m.get("round") == state.round]
            return [("shock", text) for text in shocks] + messages

    def headlines(self) -> list[tuple[int, str]]:
        """Every shock in force as (round, headline), oldest first (the projector's news)."""
        return [(round_, headline(event)) for round_, event in self.injected_shocks()]

    def consequences(self) -> dict[str, dict[str, Any]] | None:
        """What the last round did for each seat, against the bot twin: a card per seat (see
        :func:`marketsim.game.consequences.card_dict`); None before the first round. The twin is
        played forward outside the room's lock (usually ahead, see :meth:`twin_ahead`) and the
        cards are made once per round (a shock injected since does not change them)."""
        with self.lock:
            state, model = self.state, self.state.model
            if not model.tick:
                return None
            key = (id(model), model.tick)
            cached = self._round_cache.get("cards")
            if cached is not None and cached[0] == key:
                return cached[1]
            entries, setup = state.model_entries(), (state.scenario, state.record.seed, state.seats, state.fallback)
            last = next((e for e in reversed(state.entries) if e.kind == "advance"), None)
            decided = {
                r: [d.get("type", "?").replace("_", " ") for d in q]
                for r, q in (last.payload["human"] if last else {}).items()
            }
            shocks = [
                headline(e.payload.get("event", {}))
                for e in state.entries
                if e.kind == "shock" and last is not None and e.round == state.round - 1
            ]
        with self._twin.lock:
            with self.lock:
                cached = self._round_cache.get("cards")
                if cached is not None and cached[0] == key:
                    return cached[1]  # made while this call waited for the twin
            twin = self._twin.at(*setup, entries)
            with self.lock:
                if self.state.model is not model or model.tick != key[1]:
                    return None  # the room moved on meanwhile: the next call makes the new cards
                ours = self._this_round("observations", observe_all)  # the pages' own, made once a round
                months = self.state.ticks_per_round
                cards = round_cards(model, twin, list(setup[2]), decided, shocks, months, ours)
                result = {r: card_dict(c) for r, c in cards.items()}
                self._round_cache["cards"] = (key, result)
        return result

    def twin_ahead(self) -> None:
        """While the players decide: make this round's cards (if no page has yet), then play the
        bot twin's coming round ahead, so that playing the round costs the class's pages no time
        for the twin (it does not depend on their decisions). A shock injected later has the
        twin played again (:meth:`schedule_twin`); an undo rebuilds it."""
        with self.lock:
            state = self.state
            if state.phase != DECIDING:
                return
            entries, ticks = state.model_entries(), state.round_ticks()
            setup = (state.scenario, state.record.seed, state.seats, state.fallback)
        self.consequences()
        with self._twin.lock:
            with self.lock:
                now = [payload for _, payload in self.state.model_entries()]
            if len(now) != len(entries) or any(a is not b for a, (_, b) in zip(now, entries, strict=True)):
                return  # the room moved on: its change schedules this again
            self._twin.ahead(*setup, entries, ticks)

    def schedule_twin(self) -> None:
        """Run :meth:`twin_ahead` in the background after :attr:`twin_ahead_after` seconds (when
        the pages have drawn a new round); never when that is None, also when it was set to None
        while the run waited (a run scheduled before would otherwise play the twin later, in the
        middle of whatever the room's owner does then)."""
        delay = self.twin_ahead_after
        if delay is None:
            return

        def run() -> None:
            time.sleep(delay)
            if self.twin_ahead_after is not None:
                self.twin_ahead()

        # A bare thread, not a threading.Thread: Solara attaches a page's session to every
        # threading.Thread started while that page runs (here, the console's click handler), and
        # this work belongs to the room, not to a page.
        _thread.start_new_thread(run, ())

    def seat_signature(self, region: str) -> tuple:
        """What a player's page shows that can change: anything public, its own team's queue and
        its team (a teammate joining shows at once, not at the next round)."""
        with self.lock:
            state = self.state
            team = tuple(p.name for p in state.members(region))
            return self.public_version, repr(state.queues.get(region)), state.submitted_by.get(region), team


def _prices_so_far(model) -> tuple[list[str], np.ndarray, dict[str, int]]:
    raw = {name: values[: model.tick] for name, values in model.recorder.raw.items()}
    price = derive(raw, model.china, model.recorder.reo_per_unit)["price"]
    return [model.date_of(t) for t in range(model.tick)], price, dict(model.region_index)
