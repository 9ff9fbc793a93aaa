"""Retry policy: jittered backoff on connection errors, 5xx, 412, 429; never on auth errors.

OpenBao cannot be made to answer 503/412/429 on demand, so these use a stand-in: a tiny
loopback HTTP server (not Vault) that plays a scripted sequence of status codes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from prometheus_client import CollectorRegistry

from tests.secrets.fakes import ManualClock
from tests.servers.html_stand_in import not_a_server
from tests.servers.process import free_port
from zwobs.lifecycle.schedule import Backoff
from zwobs.secrets import (
    RetryPolicy,
    SecretError,
    SecretPermissionError,
    SecretsClient,
    SecretsConfig,
    SecretUnavailableError,
    SecretValue,
    TokenAuth,
)

_KV_OK = {"data": {"data": {"password": "pw"}, "metadata": {"version": 7}}}


class StandInVault:
    """A stand-in for Vault's HTTP API (named as such): scripted statuses for KV reads."""

    def __init__(self) -> None:
        self.script: list[int] = []
        self.kv_requests = 0
        self.html = False
        """When set, KV reads answer an HTML page (a proxy in front of a Vault that went away)."""
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/v1/auth/token/lookup-self"):
                    self._reply(200, {"data": {"ttl": 0, "renewable": False}})
                    return
                stand_in.kv_requests += 1
                if stand_in.html:
                    page = b"<html>Bad gateway, try later</html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)
                    return
                status = stand_in.script.pop(0) if stand_in.script else 200
                body = _KV_OK if status == 200 else {"errors": [f"scripted {status}"]}
                self._reply(status, body)

            def _reply(self, status: int, body: object) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.addr = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stand_in() -> Iterator[StandInVault]:
    server = StandInVault()
    yield server
    server.close()


def _client(
    addr: str, attempts: int = 5, clock: Callable[[], float] = time.monotonic
) -> SecretsClient:
    config = SecretsConfig(
        addr=addr,
        auth=TokenAuth(SecretValue("t")),
        retry=RetryPolicy(attempts=attempts, base=0.01, cap=0.05),
        timeout=2.0,
        ttl=10,
    )
    return SecretsClient(config, registry=CollectorRegistry(), clock=clock, background=False)


def test_the_retry_policy_schedules_with_the_shared_backoff() -> None:
    policy = RetryPolicy(attempts=5, base=0.1, cap=1.0)
    assert policy.backoff == Backoff(0.1, 1.0)


@pytest.mark.parametrize("statuses", [[503, 500, 502], [412, 412], [429], [504, 503]])
def test_5xx_412_and_429_are_retried_until_success(
    stand_in: StandInVault, statuses: list[int]
) -> None:
    stand_in.script = list(statuses)
    assert _client(stand_in.addr).get("app/db", "password").reveal() == "pw"
    assert stand_in.kv_requests == len(statuses) + 1


def test_retries_stop_after_the_attempt_budget_with_a_clear_error(stand_in: StandInVault) -> None:
    stand_in.script = [503] * 10
    with pytest.raises(SecretUnavailableError) as info:
        _client(stand_in.addr, attempts=3).get("app/db")
    assert stand_in.kv_requests == 3
    assert "unavailable after 3 attempt(s) (HTTP 503: scripted 503)" in str(info.value)


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_are_never_retried(stand_in: StandInVault, status: int) -> None:
    stand_in.script = [status] * 10
    with pytest.raises(SecretPermissionError, match=f"permission denied .*HTTP {status}"):
        _client(stand_in.addr).get("app/db")
    assert stand_in.kv_requests == 1


def test_bad_request_is_not_retried(stand_in: StandInVault) -> None:
    stand_in.script = [400] * 10
    with pytest.raises(SecretError, match=r"rejected by .*HTTP 400"):
        _client(stand_in.addr).get("app/db")
    assert stand_in.kv_requests == 1


def test_connection_refused_is_retried_then_reported_as_unavailable() -> None:
    with pytest.raises(SecretUnavailableError, match=r"after 3 attempt\(s\) \(connection failed"):
        _client(f"http://127.0.0.1:{free_port()}", attempts=3).get("app/db")


def test_answer_for_another_version_is_refused_not_served(stand_in: StandInVault) -> None:
    # The stand-in always answers version 7, whatever was asked.
    with pytest.raises(SecretError, match="answered with version 7, refusing it"):
        _client(stand_in.addr).get("app/db", version=2)
    assert _client(stand_in.addr).get("app/db", version=7).version == 7


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"<html><body>Sign in</body></html>", "text/html", 200),
        (b"<html>Not Found</html>", "text/html", 404),
        (b'{"hello": "world"}', "application/json", 200),
        (b"[1, 2, 3]", "application/json", 200),
    ],
    ids=["html-page", "html-404", "json-of-another-shape", "json-list"],
)
def test_an_address_that_does_not_answer_like_vault_is_unavailable(
    body: bytes, content_type: str, status: int
) -> None:
    with not_a_server(body, content_type, status) as addr:
        client = _client(addr, attempts=2)
        with pytest.raises(SecretUnavailableError, match=r"not (a )?Vault"):
            client.get("app/db", "password")
        client.close()


def test_stale_if_error_serves_the_last_value_when_the_store_answers_html(
    stand_in: StandInVault,
) -> None:
    clock = ManualClock()
    client = _client(stand_in.addr, attempts=2, clock=clock)
    assert client.get("app/db", "password").reveal() == "pw"
    stand_in.html = True
    clock.advance(11)  # past the 10 s TTL: the next read goes to the store
    assert client.get("app/db", "password").reveal() == "pw"
    assert client.staleness_seconds() == pytest.approx(1)
    clock.advance(client.max_staleness + 5)
    with pytest.raises(SecretError, match="text/html, not Vault's JSON"):
        client.get("app/db", "password")
    client.close()
