"""Debrief data for a room (the UI draws it later): every decision, a scorecard per government,
and the bot twin, the same game with every seat played by its fallback."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from marketsim.game.replay import replay_model, twin_entries
from marketsim.game.room import Room
from marketsim.governance.rounds import EVENT
from marketsim.model import RareEarthModel
from marketsim.reports.metrics import derive
from marketsim.reports.scorecard import scorecard
from marketsim.reports.views import RunView, view_of

DECISION_COLUMNS = ["round", "date", "government", "by", "kind", "accepted", "message"]


def _kind(decision) -> str:
    if isinstance(decision, dict):
        return str(decision.get("type", "?"))
    return getattr(decision, "type", type(decision).__name__)


def decision_table(room: Room) -> pd.DataFrame:
    """Every decision of the game so far, oldest first.

    Columns: ``round``, ``date`` (when it was decided), ``government``, ``by`` (``player``, or
    ``ai`` for strategies, fallbacks and joint stockpile releases), ``kind``
    (the event type), ``accepted`` and ``message`` (why it was refused). A submission refused when
    a player sent it never reached the model; its decisions appear with ``accepted`` False.
    """
    with room.lock:
        state = room.state
        model, per_round = state.model, state.ticks_per_round
        played = {
            e.round: {
                region: [*e.payload.get("offers", {}).get(region, []), *decisions]
                for region, decisions in e.payload["human"].items()
            }
            | {
                region: joins
                for region, joins in e.payload.get("offers", {}).items()
                if region not in e.payload["human"]
            }
            for e in state.entries
            if e.kind == "advance"
        }
        seen: dict[tuple[int, str], int] = {}
        rows = []
        for d in model.decisions:
            round_ = d.tick // per_round
            # A played seat's own decisions (after its accepted alliance offers, which are players'
            # too) come first in its round; later ones are the AI's (a fallback's, or a joint
            # stockpile release called by its alliance).
            count = seen[round_, d.region] = seen.get((round_, d.region), 0) + 1
            by = "player" if count <= len(played.get(round_, {}).get(d.region, ())) else "ai"
            rows.append((round_, model.date_of(d.tick), d.region, by, _kind(d.event), d.accepted, d.message))
        for action in state.log:
            if action.kind == "refused":
                date = model.date_of(action.round * per_round)
                rows.extend(
                    (
                        action.round,
                        date,
                        action.payload["region"],
                        "player",
                        _kind(decision),
                        False,
                        action.payload["message"],
                    )
                    for decision in action.payload["decisions"]
                )
    table = pd.DataFrame(rows, columns=DECISION_COLUMNS)
    return table.sort_values(["round", "government"], kind="stable").reset_index(drop=True)


def scorecards(model: RareEarthModel, months: int | None = None) -> pd.DataFrame:
    """A scorecard per government (:func:`marketsim.reports.scorecard.scorecard`) over the last ``months``
    months run (all of them when None)."""
    ticks = model.tick
    raw = {name: values[:ticks] for name, values in model.recorder.raw.items()}
    metrics = derive(raw, model.china, model.recorder.reo_per_unit) if ticks else {}
    return scorecard(raw, metrics, model.regions, model.recorder.reo_per_unit, months or max(ticks, 1))


def game_scorecards(room: Room, months: int | None = None) -> pd.DataFrame:
    """The room's scorecard per government."""
    with room.lock:
        return scorecards(room.state.model, months)


def bot_twin(room: Room) -> RareEarthModel:
    """The room's game replayed with the same scenario, seed and injected shocks, every seat
    played by its fallback, run to the same tick."""
    with room.lock:
        state = room.state
        entries = twin_entries(state.model_entries())
        scenario, seed, seats, fallback = state.scenario, state.record.seed, state.seats, state.fallback
    model, _ = replay_model(scenario, seed, seats, fallback, entries)
    return model


def event_json(event) -> dict:
    """A validated event as plain JSON."""
    return EVENT.dump_python(event, mode="json")


@dataclass(frozen=True)
class GameSoFar:
    """The room's game at one point of its log, read at once: what the debrief shows of it."""

    key: tuple[str, int]
    """The room and the length of its log."""
    view: RunView
    span: tuple[str, str]
    """The first and the last month run."""
    decisions: pd.DataFrame
    scores: pd.DataFrame
    seats: list[str]


def game_so_far(room: Room) -> GameSoFar:
    """The run so far, its decisions and scorecards, consistent with each other."""
    with room.lock:
        state = room.state
        model = state.model
        return GameSoFar(
            (room.id, len(state.log)),
            view_of(model),
            (model.date_of(0), model.date_of(max(model.tick - 1, 0))),
            decision_table(room),
            scorecards(model),
            list(state.seats),
        )
