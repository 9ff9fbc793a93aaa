"""Retry policy: jittered backoff on connection errors, 5xx, 412, 429; never on auth errors.

OpenBao cannot be made to answer 503/412/429 on demand, so these use a stand-in: a tiny
loopback HTTP server (not Vault) that plays a scripted sequence of status codes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from prometheus_client import CollectorRegistry

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
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/v1/auth/token/lookup-self"):
                    self._reply(200, {"data": {"ttl": 0, "renewable": False}})
                    return
                stand_in.kv_requests += 1
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


def _client(addr: str, attempts: int = 5) -> SecretsClient:
    config = SecretsConfig(
        addr=addr,
        auth=TokenAuth(SecretValue("t")),
        retry=RetryPolicy(attempts=attempts, base=0.01, cap=0.05),
        timeout=2.0,
    )
    return SecretsClient(config, registry=CollectorRegistry(), background=False)


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
