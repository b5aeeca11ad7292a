"""The classroom game engine: rooms where students play governments and a facilitator runs rounds.

No UI lives here. :class:`GameServer` owns the rooms of one SQLite database; each
:class:`~marketsim.game.room.Room` is driven by tokens (a facilitator's, each player's) and keeps
its whole history in an append-only action log, from which it can be rebuilt exactly. See
``docs/game.md``.
"""

from marketsim.game.errors import AuthError, GameError, NotFound, RateLimited, StateError
from marketsim.game.room import Room
from marketsim.game.server import Created, GameServer, Joined

__all__ = ["AuthError", "Created", "GameError", "GameServer", "Joined", "NotFound", "RateLimited", "Room", "StateError"]
