"""What a round did: for each seat, its numbers against the bot twin's, and one line of why.

The bot twin is the same game (scenario, seed, shocks) with every seat left to its fallback. It is
kept up to date round by round (:class:`TwinKeeper`: a new round plays one more round of it, an
undo rebuilds it), outside the room's lock, so a round's cards cost one extra round of the model.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from marketsim.game.replay import new_model, play_entry, twin_entries
from marketsim.governance.observation import Observation, observe_all
from marketsim.model import RareEarthModel


class TwinKeeper:
    """A room's bot twin, played forward as the room's entries grow (rebuilt after an undo).

    It may also play the coming round ahead (:meth:`ahead`), while the players decide: the twin's
    round does not depend on their decisions, only on the shocks, so when the round is played the
    cards need no model time. Played ahead or not, the twin goes through the same steps and ends
    in the same state, to the bit.
    """

    def __init__(self) -> None:
        """No twin yet: the first call builds it."""
        self.lock = threading.Lock()
        self.model: RareEarthModel | None = None
        self._controllers: dict = {}
        self._played: list[dict] = []
        """The room's entries (their payload objects) the twin has played, in order."""
        self._ahead: int | None = None
        """Months of a coming round the twin has played beyond :attr:`_played` (None: none)."""

    def _follows(self, payloads: list[dict]) -> bool:
        """Whether ``payloads`` starts with the entries the twin has played."""
        return len(self._played) <= len(payloads) and all(
            a is b for a, b in zip(self._played, payloads[: len(self._played)], strict=True)
        )

    def at(self, scenario, seed: int, seats: list[str], fallback: str, entries: list[tuple[str, dict]]):
        """The twin after ``entries`` (the room's model entries); call with :attr:`lock` held."""
        payloads = [payload for _, payload in entries]
        if self._ahead is not None:
            new = entries[len(self._played) :]
            if self._follows(payloads) and [k for k, _ in new] == ["advance"] and new[0][1]["ticks"] == self._ahead:
                self._played, self._ahead = payloads, None  # the round played ahead is the one played
                return self.model
            self.model, self._ahead = None, None  # a shock came (or an undo): played ahead for nothing
        if self.model is None or not self._follows(payloads):
            self.model, self._controllers = new_model(scenario, seed, seats, fallback)
            self._played = []
        for kind, payload in twin_entries(entries[len(self._played) :]):
            play_entry(self.model, self._controllers, kind, payload)
        self._played = payloads
        return self.model

    def ahead(self, scenario, seed: int, seats: list[str], fallback: str, entries: list[tuple[str, dict]], ticks: int):
        """Play the coming round of ``ticks`` months after ``entries`` ahead (every seat on its
        fallback, as the twin plays it); call with :attr:`lock` held."""
        payloads = [payload for _, payload in entries]
        if ticks <= 0 or (self._ahead == ticks and len(self._played) == len(payloads) and self._follows(payloads)):
            return
        self.at(scenario, seed, seats, fallback, entries)
        coming = {"human": {}, "offers": {}, "new_alliances": [], "ticks": ticks}
        play_entry(self.model, self._controllers, "advance", coming)
        self._ahead = ticks


@dataclass(frozen=True)
class Line:
    """One row of a card: what, this game's value, the twin's, and how to print them."""

    what: str
    game: float
    twin: float
    unit: str

    def text(self, value: float) -> str:
        """A value with its unit."""
        if self.unit == "%":
            return f"{value:.0f} %"
        if self.unit.startswith("US$"):
            return f"US${value:,.1f}{self.unit[3:]}"
        return f"{value:,.0f} {self.unit}"


@dataclass(frozen=True)
class Card:
    """A seat's round: its lines against the twin, and why."""

    region: str
    date: str
    lines: tuple[Line, ...]
    why: str
    decided: tuple[str, ...] = field(default=())


def _spent(model: RareEarthModel, region: str, months: int) -> float:
    spending = model.recorder.raw.get("public_spending")
    if spending is None or not model.tick:
        return 0.0
    return float(np.nansum(spending[max(0, model.tick - months) : model.tick, model.region_index[region]]))


def card_lines(game: Observation, twin: Observation, spent: tuple[float, float], importer: bool) -> list[Line]:
    """A seat's lines: exports, its NdPr price, its industry supplied, money spent, dependency."""
    lines = [
        Line("Exports (a month)", game.export_value, twin.export_value, "US$ m"),
        Line("Your NdPr price", game.price["ndpr"], twin.price["ndpr"], "US$/kg"),
        Line("Industry supplied", 100 * (1 - game.unmet_share), 100 * (1 - twin.unmet_share), "%"),
        Line("Magnets your industry used (a month)", game.use["magnet"], twin.use["magnet"], "t"),
        Line("Public money spent this round", spent[0], spent[1], "US$ m"),
    ]
    if importer:
        dependency = Line(
            "Dependency on China (separation)",
            100 * game.dependency["separation"],
            100 * twin.dependency["separation"],
            "%",
        )
        lines.append(dependency)
    return lines


def why(lines: list[Line], decided: list[str], shocks: list[str], importer: bool) -> str:
    """One line of why the seat's numbers differ from the twin's."""
    by = {line.what: line for line in lines}
    used = by["Magnets your industry used (a month)"]
    supplied = by["Industry supplied"]
    less_used = used.twin > 0 and used.game < 0.95 * used.twin
    if importer and "Dependency on China (separation)" in by:
        dependency = by["Dependency on China (separation)"]
        if dependency.game < dependency.twin - 3 and (less_used or supplied.game < supplied.twin - 1):
            return (
                "Your dependency fell because your industry could not buy: it used "
                f"{100 * (1 - used.game / used.twin):.0f} % fewer magnets than the bot twin. That is not success."
            )
    if shocks and less_used:
        return f"The news ({shocks[0]}) hit your supply: your industry used less than usual."
    if not decided:
        if shocks:
            return f"You changed nothing; the differences come from the news ({shocks[0]}) and other players."
        return "You changed nothing: any difference comes from what the other players decided."
    money = by["Public money spent this round"]
    cost = f" It cost US${money.game:,.0f} m of public money." if money.game > money.twin + 0.5 else ""
    others = [line for line in lines if line is not money]
    moved = max(others, key=lambda line: abs(line.game - line.twin) / max(abs(line.twin), 1e-9))
    if abs(moved.game - moved.twin) <= 0.02 * max(abs(moved.twin), 1e-9):
        return f"Your {', '.join(decided)} changed little yet: most levers take months or years to work.{cost}"
    direction = "raised" if moved.game > moved.twin else "lowered"
    return (
        f"Your {', '.join(decided)} {direction} {moved.what.lower()}: {moved.text(moved.game)} against "
        f"{moved.text(moved.twin)} for the bot twin.{cost}"
    )


def round_cards(
    model, twin, seats: list[str], decided: dict[str, list[str]], shocks: list[str], months: int, ours=None
):
    """A :class:`Card` per seat for the round just played (``decided``: each seat's decision kinds;
    ``ours``: the game's observations of the round, if already made)."""
    ours, theirs = ours if ours is not None else observe_all(model), observe_all(twin)
    cards = {}
    for region in seats:
        importer = model.region_index[region] != model.china
        spent = (_spent(model, region, months), _spent(twin, region, months))
        lines = card_lines(ours[region], theirs[region], spent, importer)
        kinds = decided.get(region, [])
        cards[region] = Card(region, model.date, tuple(lines), why(lines, kinds, shocks, importer), tuple(kinds))
    return cards


KEY_LINES = (
    "Your NdPr price",
    "Industry supplied",
    "Dependency on China (separation)",
    "Public money spent this round",
    "Exports (a month)",
)
"""The lines a phone shows first, in this order, at most four (China's exports take the place of
the dependency on China it does not have)."""


def card_dict(card: Card) -> dict[str, Any]:
    """A card as plain data for a page: ``lines`` of (what, this game, twin), ``key``, the four of
    them a phone shows first (:data:`KEY_LINES`), and ``why``."""
    rows = {line.what: (line.what, line.text(line.game), line.text(line.twin)) for line in card.lines}
    return {
        "region": card.region,
        "date": card.date,
        "lines": list(rows.values()),
        "key": [rows[what] for what in KEY_LINES if what in rows][:4],
        "why": card.why,
    }
