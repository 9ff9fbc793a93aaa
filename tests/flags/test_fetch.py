"""Fetching from Unleash: a redirect is refused, so the token never reaches another host."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from zwobs.flags import FlagsClient


class _Target(BaseHTTPRequestHandler):
    """A stand-in for the host a redirect points at: it records the headers it receives."""

    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        self.seen.append(dict(self.headers))
        body = b'{"version": 1, "features": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def target() -> Iterator[ThreadingHTTPServer]:
    _Target.seen = []
    yield from _serve(_Target)


@pytest.fixture
def redirector(target: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    location = f"http://127.0.0.1:{target.server_address[1]}/api/client/features"

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return None

    yield from _serve(Redirect)


def test_a_redirect_is_refused_and_the_token_is_not_forwarded(
    redirector: ThreadingHTTPServer,
) -> None:
    client = FlagsClient(
        url=f"http://127.0.0.1:{redirector.server_address[1]}/api",
        api_token="s3cret-token",
        bootstrap={"a": True},
        start=False,
    )
    assert client.refresh_now() is False
    assert not any("Authorization" in headers for headers in _Target.seen)
    status = client.status()
    assert status.degraded
    assert status.reason_code == "http_error"
    assert client.is_enabled("a")
