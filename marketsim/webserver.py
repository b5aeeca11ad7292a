"""Starting the Solara server for ``marketsim app`` and ``marketsim game``.

It is Solara's own server (``solara run``) with one addition: a small ASGI middleware that tells
the app the network address of each browser, which Solara does not pass on. The classroom game
uses it to limit wrong join codes per device, not only per browser session (a new session is
one reload away). The address travels as the request header :data:`CLIENT_HEADER`; whatever a
client sends under that name is dropped first, so it cannot be forged.

Run as ``python -m marketsim.webserver APP_FILE [solara run options]``.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

CLIENT_HEADER = "x-marketsim-client"
"""The header carrying the browser's address (what the server's socket sees)."""

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


class ClientAddress:
    """ASGI middleware: replace any :data:`CLIENT_HEADER` by the peer address of the connection."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive, send) -> None:
        """Pass the request on with its true client address in the header."""
        if scope["type"] in ("http", "websocket"):
            name = CLIENT_HEADER.encode()
            client = scope.get("client")
            address = (client[0] if client else "unknown").encode()
            headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != name]
            scope = {**scope, "headers": [*headers, (name, address)]}
        await self.app(scope, receive, send)


def client_address(headers: dict[str, list[str]] | None) -> str | None:
    """The browser's address from the headers Solara hands the app (None outside this server)."""
    values = (headers or {}).get(CLIENT_HEADER)
    return values[-1] if values else None


def main(argv: list[str]) -> None:
    """Run ``solara run`` with :class:`ClientAddress` in front of Solara's app.

    Args:
        argv: The app file and ``solara run`` options.
    """
    import os  # noqa: PLC0415

    # Solara reads the app to serve when its server module is imported (``solara run`` sets
    # this variable just before uvicorn imports it); importing it here needs it set first.
    os.environ["SOLARA_APP"] = argv[0]
    import solara.__main__  # noqa: PLC0415 (heavy: only when serving)
    import solara.server.starlette as solara_app  # noqa: PLC0415

    # Solara's uvicorn imports "solara.server.starlette:app": this same module object, so the
    # middleware added here (before the first request builds the stack) is in front of it.
    solara_app.app.add_middleware(ClientAddress)
    sys.argv = ["solara", "run", *argv]
    solara.__main__.main()


if __name__ == "__main__":
    main(sys.argv[1:])
