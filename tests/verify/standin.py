"""A stand-in for Prometheus on loopback: a scripted HTTP server, not a Prometheus.

It answers what a healthy Prometheus cannot be made to answer on demand (a 503 while
restarting, an HTML login page from a proxy, truncated JSON, a result of the wrong shape,
a connection cut mid-answer). The real Prometheus is covered by tests/live/.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

VECTOR = {
    "status": "success",
    "data": {"resultType": "vector", "result": [{"metric": {"a": "b"}, "value": [1, "0.25"]}]},
}


def vector(*values: str) -> dict[str, object]:
    """A successful instant-vector answer with one series per value."""
    result = [{"metric": {"i": str(i)}, "value": [1, v]} for i, v in enumerate(values)]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


@dataclass
class Answer:
    """One scripted answer: a JSON document, or raw bytes with a content type."""

    status: int = 200
    body: object = field(default_factory=lambda: VECTOR)
    content_type: str = "application/json"
    declared_length: int | None = None
    """A Content-Length larger than the body: the connection is cut mid-answer."""


class StandIn(ThreadingHTTPServer):
    """Answers each POST with the next of ``script`` (then VECTOR); records the queries."""

    def __init__(self) -> None:
        self.script: list[Answer] = []
        self.queries: list[str] = []
        self.authorizations: list[str] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: StandIn

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.server.queries.append(self.rfile.read(length).decode())
        self.server.authorizations.append(self.headers.get("Authorization", ""))
        answer = self.server.script.pop(0) if self.server.script else Answer()
        body = answer.body
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(answer.declared_length or len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        if answer.declared_length:
            self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def standin() -> Iterator[StandIn]:
    server = StandIn()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
