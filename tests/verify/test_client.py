"""The Prometheus client's retry policy, against loopback HTTP servers.

The live Prometheus tests (tests/verify/test_verify_live.py) cover real
answers; here a scripted loopback server stands in for a Prometheus that is
restarting (503) or rejects a query (400), which a healthy one cannot be made
to do on demand.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.servers.process import free_port
from zwobs.verify.client import PrometheusClient, QueryRejectedError, UnreachableError

_VECTOR = {
    "status": "success",
    "data": {"resultType": "vector", "result": [{"metric": {"a": "b"}, "value": [1, "0.25"]}]},
}


class _Scripted(ThreadingHTTPServer):
    """Answers each POST with the next (status, body) of ``script``; records the queries."""

    def __init__(self, script: list[tuple[int, object]]) -> None:
        self.script = script
        self.queries: list[str] = []
        self.authorizations: list[str] = []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Scripted

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.server.queries.append(self.rfile.read(length).decode())
        self.server.authorizations.append(self.headers.get("Authorization", ""))
        status, body = self.server.script.pop(0) if self.server.script else (200, _VECTOR)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[_Scripted]:
    server = _Scripted([])
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _client(server: _Scripted, sleeps: list[float], retries: int = 3) -> PrometheusClient:
    host, port = server.server_address[:2]
    return PrometheusClient(f"http://{host!s}:{port}", retries=retries, sleep=sleeps.append)


def test_vector_values_are_parsed_from_strings(scripted: _Scripted) -> None:
    samples = _client(scripted, []).query("up")
    assert [(s.labels, s.value) for s in samples] == [({"a": "b"}, 0.25)]
    assert scripted.queries == ["query=up"]


def test_transient_503_is_retried_with_exponential_backoff(scripted: _Scripted) -> None:
    scripted.script += [(503, {"status": "error", "error": "starting"})] * 2
    sleeps: list[float] = []
    samples = _client(scripted, sleeps).query("up")
    assert samples[0].value == 0.25
    assert sleeps == [0.5, 1.0]


def test_rejected_query_is_not_retried(scripted: _Scripted) -> None:
    scripted.script.append(
        (400, {"status": "error", "errorType": "bad_data", "error": "parse error"})
    )
    sleeps: list[float] = []
    with pytest.raises(QueryRejectedError, match="HTTP 400: parse error"):
        _client(scripted, sleeps).query("sum(")
    assert sleeps == []


def test_persistent_errors_give_up_after_the_retries(scripted: _Scripted) -> None:
    scripted.script += [(503, {"status": "error", "error": "overloaded"})] * 5
    sleeps: list[float] = []
    with pytest.raises(UnreachableError, match="after 3 attempts: HTTP 503: overloaded"):
        _client(scripted, sleeps, retries=2).query("up")
    assert len(sleeps) == 2


def test_nothing_listening_is_unreachable_after_retries() -> None:
    sleeps: list[float] = []
    client = PrometheusClient(f"http://127.0.0.1:{free_port()}", retries=2, sleep=sleeps.append)
    with pytest.raises(UnreachableError, match="unreachable after 3 attempts"):
        client.query("up")
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize("url", ["localhost:9090", "ftp://x", "http://"])
def test_url_without_http_scheme_and_host_is_rejected(url: str) -> None:
    with pytest.raises(ValueError, match="expected http"):
        PrometheusClient(url)


def test_bearer_token_is_sent_and_never_shown_in_repr(scripted: _Scripted) -> None:
    host, port = scripted.server_address[:2]
    client = PrometheusClient(f"http://{host!s}:{port}", bearer_token="s3cr3t-token")
    client.query("up")
    assert scripted.authorizations == ["Bearer s3cr3t-token"]
    assert "s3cr3t" not in repr(client)
