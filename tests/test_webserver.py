"""The web server's middlewares: the app learns each browser's address (a client cannot forge
it), and big static files are served gzipped from memory."""

from __future__ import annotations

import asyncio
import gzip

from marketsim.webserver import CLIENT_HEADER, ClientAddress, CompressedOnce, client_address


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


def compressed_answer(tmp_path, method: str, encoding: bytes | None):
    """What CompressedOnce answers for a listed file, and whether the app behind was called."""
    asset = tmp_path / "big.js"
    asset.write_text("console.log('x');\n" * 5000)
    sent, called = [], []

    async def app(scope, receive, send):
        called.append(scope["path"])

    async def send(message):
        sent.append(message)

    headers = [(b"accept-encoding", encoding)] if encoding else []
    middleware = CompressedOnce(app, {"static/assets/big.js": asset})
    scope = {"type": "http", "method": method, "path": "/static/assets/big.js", "headers": headers}
    asyncio.run(middleware(scope, None, send))
    return asset, sent, called


def test_a_listed_file_is_served_gzipped_from_memory(tmp_path):
    asset, sent, called = compressed_answer(tmp_path, "GET", b"gzip, deflate, br")
    assert called == []
    start, body = sent
    headers = dict(start["headers"])
    assert start["status"] == 200 and headers[b"content-encoding"] == b"gzip"
    assert gzip.decompress(body["body"]) == asset.read_bytes()
    assert int(headers[b"content-length"]) == len(body["body"]) < asset.stat().st_size / 10


def test_head_has_no_body_and_a_client_without_gzip_goes_to_the_app(tmp_path):
    _, sent, _ = compressed_answer(tmp_path, "HEAD", b"gzip")
    assert sent[1]["body"] == b""
    _, sent, called = compressed_answer(tmp_path, "GET", None)
    assert sent == [] and called == ["/static/assets/big.js"]
