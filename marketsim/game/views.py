"""What a room shows: the roster, the status everyone may see, a player's view and the
facilitator's view.

:class:`RoomViews` is a mixin of :class:`~marketsim.game.room.Room`: it only reads, under the
room's lock, and changes nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from marketsim.game.state import Player, RoomState


class RoomViews:
    """A room's read-only views (a mixin of :class:`~marketsim.game.room.Room`)."""

    # Provided by Room.
    id: str
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

    def status(self) -> dict[str, Any]:
        """What everyone may see: phase, round, dates, clock, roster and messages."""
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
                "roster": self.roster(),
                "messages": list(state.messages),
            }

    def player_view(self, token: str) -> dict[str, Any]:
        """A player's view: the room status plus their government, its team (names), its offers
        (``incoming``, ``outgoing``) and its queued decisions (whoever of the team sent them:
        ``queued_by``, a name)."""
        with self.lock:
            player, state = self._player(token), self.state
            by = state.players.get(state.submitted_by.get(player.region, ""))
            return {
                **self.status(),
                "player": player.id,
                "region": player.region,
                "team": [p.name for p in state.members(player.region)],
                "offers": self.offers_of(player.region),
                "queued": list(state.queues.get(player.region, [])),
                "queued_by": by.name if by is not None else None,
            }

    def facilitator_view(self, token: str) -> dict[str, Any]:
        """The facilitator's view: the room status plus the join code and every queue."""
        with self.lock:
            self._facilitator(token)
            return {
                **self.status(),
                "join_code": self.join_code,
                "queues": {r: list(q) for r, q in self.state.queues.items()},
            }
