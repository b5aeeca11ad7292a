"""Errors the game engine raises, each with a message fit to show the person who caused it.

A refused decision raises :class:`marketsim.governance.rounds.DecisionError`, the seam's own error.
"""

from __future__ import annotations


class GameError(ValueError):
    """Something a client asked for that the game cannot do."""


class AuthError(GameError):
    """A missing or wrong token, or an action on someone else's behalf."""


class NotFound(GameError):
    """No such room, join code, player or government."""


class StateError(GameError):
    """An action that the room's current state does not allow (e.g. submitting in the lobby)."""


class RateLimited(GameError):
    """Too many failed attempts from one client; try again later."""
