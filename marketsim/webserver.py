"""Starting the Solara server for ``marketsim app`` and ``marketsim game``.

It is Solara's own server (``solara run``) with three changes:

- :class:`ClientAddress` tells the app the network address of each browser, which Solara does
  not pass on. The classroom game uses it to limit wrong join codes per device, not only per
  browser session (a new session is one reload away). The address travels as the request header
  :data:`CLIENT_HEADER`; whatever a client sends under that name is dropped first, so it cannot
  be forged.
- websockets go uncompressed (see :func:`uncompressed_websockets`);
- :class:`CompressedOnce` serves big static files (plotly.js, 4.6 MB) gzipped from memory.
  Solara's server gzips every response anew at the highest level: 30 pages fetching plotly.js at
  once kept the server busy for seconds, during which no page got its update.

Run as ``python -m marketsim.webserver APP_FILE [solara run options]``.
"""

from __future__ import annotations

import gzip
import mimetypes
import sys
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import plotly

PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
"""Where the installed plotly package keeps plotly.min.js; the apps serve this folder as assets."""
PLOTLY_URL = "static/assets/plotly.min.js"
"""Where the pages fetch plotly.js from, relative to the app's address."""
WS_MAX_BYTES = 32 * 1024 * 1024
"""The largest websocket message the server takes (an uploaded game file travels as one)."""
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


class CompressedOnce:
    """ASGI middleware: answer GET requests for a few big static files with their gzip encoding,
    compressed once and kept in memory (clients that do not accept gzip go on to the app)."""

    def __init__(self, app: ASGIApp, files: dict[str, Path]) -> None:
        """Wrap ``app``; ``files`` maps the end of a URL path to the file it serves."""
        self.app = app
        self.files = files
        self._cache: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def _gzipped(self, suffix: str) -> bytes:
        with self._lock:
            if suffix not in self._cache:
                self._cache[suffix] = gzip.compress(self.files[suffix].read_bytes(), compresslevel=6, mtime=0)
            return self._cache[suffix]

    async def __call__(self, scope: Scope, receive, send) -> None:
        """Serve a listed file from memory, or pass the request on."""
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD"):
            suffix = next((s for s in self.files if scope.get("path", "").endswith(s)), None)
            accepts = b"".join(v for k, v in scope.get("headers", []) if k.lower() == b"accept-encoding")
            if suffix is not None and b"gzip" in accepts:
                body = self._gzipped(suffix)
                kind = mimetypes.guess_type(suffix)[0] or "application/octet-stream"
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-type", kind.encode()),
                            (b"content-encoding", b"gzip"),
                            (b"content-length", str(len(body)).encode()),
                            (b"vary", b"accept-encoding"),
                            (b"cache-control", b"public, max-age=86400"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
                return
        await self.app(scope, receive, send)


def client_address(headers: dict[str, list[str]] | None) -> str | None:
    """The browser's address from the headers Solara hands the app (None outside this server)."""
    values = (headers or {}).get(CLIENT_HEADER)
    return values[-1] if values else None


def lan_address() -> str | None:
    """This machine's address on the local network (the one its default route uses), or None
    when it has none. Nothing is sent: a UDP socket is only pointed at a private address."""
    import socket  # noqa: PLC0415

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def uncompressed_websockets() -> None:
    """Have uvicorn offer websockets without per-message deflate (``solara run`` has no option
    for it). The updates are small JSON on a local network; compressing each one took about a
    tenth of the server's time when 30 pages got a new round at once."""
    import functools  # noqa: PLC0415

    import uvicorn  # noqa: PLC0415

    # A bigger message limit than uvicorn's 16 MiB: a game file of up to 20 MB arrives whole and
    # is refused with a message (past the limit the connection would simply drop).
    uvicorn.Config.__init__ = functools.partialmethod(
        uvicorn.Config.__init__, ws_per_message_deflate=False, ws_max_size=WS_MAX_BYTES
    )


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
    solara_app.app.add_middleware(CompressedOnce, files={PLOTLY_URL: PLOTLY_DIR / "plotly.min.js"})
    solara_app.app.add_middleware(ClientAddress)
    uncompressed_websockets()
    sys.argv = ["solara", "run", *argv]
    solara.__main__.main()


if __name__ == "__main__":
    main(sys.argv[1:])
