"""Join codes and secret tokens: drawn with :mod:`secrets`, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Collection

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Letters and digits that cannot be misread: no 0/O, 1/I/L."""
CODE_LENGTH = 6
TOKEN_BYTES = 24


def new_join_code(taken: Collection[str] = ()) -> str:
    """A fresh join code, not among ``taken`` (the codes of open rooms)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


def normalise_code(text: str) -> str:
    """A join code as typed by a person: case and surrounding spaces do not matter."""
    return str(text).strip().upper()


def new_token() -> str:
    """A secret token for a player or a facilitator (``secrets.token_urlsafe(24)``)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(str(token).encode()).hexdigest()


def token_matches(token: str | None, stored_hash: str) -> bool:
    """Whether ``token`` hashes to ``stored_hash``, compared in constant time."""
    if not token or not stored_hash:
        return False
    return hmac.compare_digest(token_hash(token), stored_hash)
