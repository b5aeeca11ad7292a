"""The web server's client-address middleware: the app learns each browser's address, and a
client cannot forge it."""

from __future__ import annotations

import asyncio

from marketsim.webserver import CLIENT_HEADER, ClientAddress, client_address


def passed_scope(scope: dict) -> dict:
    """The scope the wrapped app receives."""
    seen = {}

    async def app(scope, receive, send):
        seen.update(scope)

    asyncio.run(ClientAddress(app)(scope, None, None))
    return seen


def header_values(scope: dict, name: str) -> list[bytes]:
    return [v for k, v in scope["headers"] if k.lower() == name.encode()]


def test_the_peer_address_reaches_the_app():
    scope = passed_scope({"type": "websocket", "client": ("10.1.2.3", 50123), "headers": [(b"host", b"x")]})
    assert header_values(scope, CLIENT_HEADER) == [b"10.1.2.3"]
    assert header_values(scope, "host") == [b"x"], "other headers are kept"


def test_a_forged_address_header_is_dropped():
    forged = [(b"X-Marketsim-Client", b"1.1.1.1"), (CLIENT_HEADER.encode(), b"2.2.2.2")]
    scope = passed_scope({"type": "http", "client": ("192.168.0.9", 1), "headers": forged})
    assert header_values(scope, CLIENT_HEADER) == [b"192.168.0.9"]


def test_lifespan_messages_pass_untouched():
    scope = passed_scope({"type": "lifespan"})
    assert scope == {"type": "lifespan"}


def test_client_address_reads_solaras_headers():
    assert client_address({CLIENT_HEADER: ["10.0.0.7"]}) == "10.0.0.7"
    assert client_address({"host": ["x"]}) is None
    assert client_address(None) is None
