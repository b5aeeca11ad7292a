"""Alliance offers between governments played by people: inviting, answering, listing, and the
``alliance_join`` decisions accepted offers become when a round is played.

:class:`RoomOffers` is a mixin of :class:`~marketsim.game.room.Room`: it uses the room's lock,
token checks and action log, so an offer is logged (committed) before it is applied, like any
other change.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from marketsim.game.errors import NotFound, StateError
from marketsim.game.state import DECIDING, LOBBY, Player, RoomState
from marketsim.game.store import Action
from marketsim.governance.decisions import alliance as alliance_decision
from marketsim.governance.rounds import DecisionError

ALLIANCE_NAME = re.compile(r"[a-z][a-z0-9_-]{0,29}")
"""A new alliance's name: lower case letters, digits, ``_`` and ``-``, at most 30."""


class RoomOffers:
    """A room's alliance offers (a mixin of :class:`~marketsim.game.room.Room`)."""

    # Provided by Room.
    lock: threading.RLock
    state: RoomState
    _player: Callable[[str], Player]
    _need_phase: Callable[..., None]
    _record: Callable[[str, str, dict[str, Any]], Action]

    def propose(self, token: str, to: str, alliance: str) -> dict[str, Any]:
        """Invite another government played by people into an alliance: one the player's
        government belongs to, or a new one (both join it when the offer is accepted).

        An accepted offer becomes ``alliance_join`` decisions through the governance seam when
        the next round is played. Leaving an alliance is a decision (``alliance_leave``).

        Returns:
            The offer (``id``, ``from``, ``to``, ``alliance``, ``new``, ``round``, ``status``).

        Raises:
            DecisionError: An alliance the government is not in, a government already a member,
                a government not played by people, a bad name or the same offer pending.
        """
        alliance = " ".join(str(alliance).split()).lower()
        with self.lock:
            player, state = self._player(token), self.state
            self._need_phase(LOBBY, DECIDING)
            sender, members = player.region, state.model.book.members
            if to not in state.team or to == sender:
                raise DecisionError(f"{to!r} is not another government played by people in this room")
            new = alliance not in members
            if new and not ALLIANCE_NAME.fullmatch(alliance):
                raise DecisionError("a new alliance's name is a-z, digits, _ or -, at most 30, starting with a letter")
            if not new and sender not in members[alliance]:
                raise DecisionError(f"{sender} is not in {alliance}: only members invite (ask to join instead)")
            if not new and to in members[alliance]:
                raise DecisionError(f"{to} is already in {alliance}")
            if any(
                o.to == to and o.alliance == alliance and o.status in ("pending", "accepted")
                for o in state.offers.values()
            ):
                raise DecisionError(f"{to} already has an open offer to join {alliance}")
            number = len(state.offers) + 1
            self._record("offer", player.id, {"id": number, "from": sender, "to": to, "alliance": alliance, "new": new})
            return state.offers[number].as_dict()

    def answer(self, token: str, offer: int, accept: bool) -> dict[str, Any]:
        """Accept or decline an offer made to the player's government (any member of its team).

        Raises:
            NotFound: No such offer for this government.
            StateError: The offer was already answered.
        """
        with self.lock:
            player, state = self._player(token), self.state
            self._need_phase(LOBBY, DECIDING)
            found = state.offers.get(int(offer))
            if found is None or found.to != player.region:
                raise NotFound(f"no offer {offer!r} to {player.region}")
            if found.status != "pending":
                raise StateError(f"this offer is already {found.status}")
            self._record("answer", player.id, {"offer": found.id, "accept": bool(accept)})
            return found.as_dict()

    def offers_of(self, region: str) -> dict[str, list[dict[str, Any]]]:
        """A government's offers: ``incoming`` and ``outgoing``, oldest first."""
        with self.lock:
            offers = [o.as_dict() for o in self.state.offers.values()]
        return {
            "incoming": [o for o in offers if o["to"] == region],
            "outgoing": [o for o in offers if o["from"] == region],
        }

    def _offer_decisions(self) -> dict[str, Any]:
        """The accepted offers not played yet, as the advance entry's ``offers`` (region ->
        ``alliance_join`` decisions), ``new_alliances`` and ``offers_played`` (ids); empty if none.
        The caller holds the lock."""
        state, model = self.state, self.state.model
        accepted = [o for o in state.offers.values() if o.status == "accepted"]
        if not accepted:
            return {}
        joins: dict[str, list[dict]] = {}
        for offer in accepted:
            for region in ([offer.sender] if offer.new else []) + [offer.to]:
                wanted = alliance_decision(region, model.date, offer.alliance, True)
                if wanted not in joins.setdefault(region, []):
                    joins[region].append(wanted)
        new = sorted({o.alliance for o in accepted if o.alliance not in model.book.members})
        return {"offers": joins, "new_alliances": new, "offers_played": [o.id for o in accepted]}
