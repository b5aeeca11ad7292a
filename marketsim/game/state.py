"""A room's state as a fold over its action log: the live room and a rebuilt one run the same code.

:meth:`RoomState.apply` takes one logged action and changes the state accordingly; it trusts the
action (the :class:`~marketsim.game.room.Room` validated it before logging it). Rebuilding a
room is applying its log in order to a fresh state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marketsim.game.replay import new_model, play_entry, replay_model, room_scenario
from marketsim.game.store import Action, RoomRecord

LOBBY, DECIDING, FINISHED = "lobby", "deciding", "finished"


@dataclass
class Player:
    """A person in a room."""

    id: str
    name: str
    region: str | None
    token_sha256: str
    active: bool = True


@dataclass
class Offer:
    """A government's invitation to another to join an alliance (a new one when ``new``)."""

    id: int
    sender: str
    to: str
    alliance: str
    new: bool
    by: str
    """The player who made it."""
    round: int
    status: str = "pending"
    """``pending``, ``accepted`` (joins at the next round), ``declined`` or ``played``."""
    played_round: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The offer as plain data (for views)."""
        return {
            "id": self.id,
            "from": self.sender,
            "to": self.to,
            "alliance": self.alliance,
            "new": self.new,
            "round": self.round,
            "status": self.status,
        }


@dataclass(frozen=True)
class Entry:
    """A model-changing entry of the log (``shock`` or ``advance``) and the round it belongs to."""

    round: int
    kind: str
    payload: dict[str, Any]


class RoomState:
    """Everything a room knows, derived from its setup and its actions."""

    def __init__(self, record: RoomRecord) -> None:
        """A room as created, before any action."""
        self.record = record
        settings = record.settings
        self.seats: list[str] = list(settings["seats"])
        self.ticks_per_round = int(settings["ticks_per_round"])
        self.time_limit = float(settings["time_limit_s"])
        self.fallback: str = settings["fallback"]
        self.scenario = room_scenario(record.scenario_text, record.source, self.ticks_per_round)
        self.model, self.controllers = new_model(self.scenario, record.seed, self.seats, self.fallback)
        self.entries: list[Entry] = []
        self.players: dict[str, Player] = {}
        self.team: dict[str, list[str]] = {region: [] for region in self.seats}
        """The active players of each seat (a team; empty: the seat falls back), in joining order."""
        self.queues: dict[str, list] = {}
        self.submitted_by: dict[str, str] = {}
        """Who sent each seat's queued decisions (the latest submission)."""
        self.phase = LOBBY
        self.round = 0
        self.paused = False
        self.deadline: float | None = None
        self.remaining: float | None = None
        self.messages: list[dict[str, Any]] = []
        self.offers: dict[int, Offer] = {}
        self.log: list[Action] = []

    # ----------------------------------------------------------------- reading
    def time_left(self, now: float) -> float | None:
        """Seconds left to decide (None outside a deciding phase or without a limit)."""
        if self.phase != DECIDING or self.time_limit <= 0:
            return None
        left = self.remaining if self.paused else self.deadline - now
        return max(0.0, left)

    def round_ticks(self) -> int:
        """Ticks the current round will run (the last round may be shorter)."""
        return max(0, min(self.ticks_per_round, self.model.months - self.model.tick))

    def members(self, region: str) -> list[Player]:
        """The active players of a seat, in joining order."""
        return [self.players[pid] for pid in self.team.get(region, [])]

    def model_entries(self) -> list[tuple[str, dict]]:
        """The model-changing entries in force, in order."""
        return [(e.kind, e.payload) for e in self.entries]

    # ----------------------------------------------------------------- folding
    def apply(self, action: Action) -> None:
        """Change the state by one logged action."""
        handler = getattr(self, f"_on_{action.kind}", None)
        if handler is None:
            raise ValueError(f"unknown action kind {action.kind!r} in the log")
        handler(action, action.payload)
        self.log.append(action)

    def _open_round(self, now: float) -> None:
        self.queues, self.submitted_by = {}, {}
        self.paused, self.remaining = False, None
        self.phase = FINISHED if self.model.tick >= self.model.months else DECIDING
        self.deadline = now + self.time_limit if self.phase == DECIDING else None

    def _on_start(self, action: Action, payload: dict) -> None:
        self._open_round(action.time)

    def _on_join(self, action: Action, payload: dict) -> None:
        self.players[action.actor] = Player(
            action.actor, payload["name"], payload["region"], payload.get("token_sha256", "")
        )
        self.team[payload["region"]].append(action.actor)

    def _leave_seat(self, player: Player) -> None:
        """Take a player off their seat; a seat left without players loses its queue."""
        if player.region is None:
            return
        members = self.team[player.region]
        members.remove(player.id)
        if not members:
            self.queues.pop(player.region, None)
            self.submitted_by.pop(player.region, None)
        player.region = None

    def _on_rekey(self, action: Action, payload: dict) -> None:
        """A player admitted again on another device: only the new token works."""
        self.players[payload["player"]].token_sha256 = payload.get("token_sha256", "")

    def _on_assign(self, action: Action, payload: dict) -> None:
        player = self.players[payload["player"]]
        self._leave_seat(player)
        player.region = payload["region"]
        self.team[player.region].append(player.id)

    def _on_replace(self, action: Action, payload: dict) -> None:
        """Revoke players' tokens: ``players`` (a list), or ``player`` (one; logs before teams)."""
        for pid in payload.get("players", [payload.get("player")]):
            player = self.players[pid]
            self._leave_seat(player)
            player.active = False

    def _on_submit(self, action: Action, payload: dict) -> None:
        self.queues[payload["region"]] = list(payload["decisions"])
        self.submitted_by[payload["region"]] = action.actor

    def _on_offer(self, action: Action, payload: dict) -> None:
        offer = Offer(
            int(payload["id"]),
            payload["from"],
            payload["to"],
            payload["alliance"],
            bool(payload["new"]),
            action.actor,
            action.round,
        )
        self.offers[offer.id] = offer

    def _on_answer(self, action: Action, payload: dict) -> None:
        self.offers[int(payload["offer"])].status = "accepted" if payload["accept"] else "declined"

    def _on_refused(self, action: Action, payload: dict) -> None:
        """A refused submission changes nothing; it is kept for the debrief."""

    def _on_shock(self, action: Action, payload: dict) -> None:
        play_entry(self.model, self.controllers, "shock", payload)
        self.entries.append(Entry(self.round, "shock", payload))

    def _on_advance(self, action: Action, payload: dict) -> None:
        play_entry(self.model, self.controllers, "advance", payload)
        self.entries.append(Entry(self.round, "advance", payload))
        for number in payload.get("offers_played", []):
            self.offers[number].status, self.offers[number].played_round = "played", self.round
        self.round += 1
        self._open_round(action.time)

    def _on_undo(self, action: Action, payload: dict) -> None:
        self.round = int(payload["round"])
        self.entries = [e for e in self.entries if e.round < self.round]
        for offer in self.offers.values():
            if offer.played_round is not None and offer.played_round >= self.round:
                offer.status, offer.played_round = "accepted", None  # joins when the round is played again
        self.model, self.controllers = replay_model(
            self.scenario, self.record.seed, self.seats, self.fallback, self.model_entries()
        )
        self._open_round(action.time)

    def _on_pause(self, action: Action, payload: dict) -> None:
        self.paused = True
        self.remaining = None if self.deadline is None else max(0.0, self.deadline - action.time)

    def _on_resume(self, action: Action, payload: dict) -> None:
        self.paused = False
        if self.remaining is not None:
            self.deadline = action.time + self.remaining
        self.remaining = None

    def _on_extend(self, action: Action, payload: dict) -> None:
        if self.paused and self.remaining is not None:
            self.remaining += float(payload["seconds"])
        elif self.deadline is not None:
            self.deadline = max(self.deadline, action.time) + float(payload["seconds"])

    def _on_broadcast(self, action: Action, payload: dict) -> None:
        self.messages.append({"round": action.round, "time": action.time, "text": payload["text"]})
