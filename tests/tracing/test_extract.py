"""Hostile trace-context headers cost a few short log lines per request, not the header itself."""

from __future__ import annotations

import logging

import pytest
from opentelemetry import baggage
from opentelemetry.propagate import extract
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

import zwobs

HUGE_BAGGAGE = "k=" + "v" * 47_000  # over the W3C limit of 8192 bytes: the whole header logged
MANY_BAD_MEMBERS = ",".join(f"bad member number {n} without an equals sign" for n in range(150))
BAD_TRACESTATE = ",".join(f"BAD KEY {n}=x" for n in range(30))
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def tenant(request: Request) -> Response:
    return PlainTextResponse(str(baggage.get_baggage("tenant")))


@pytest.fixture
def client() -> TestClient:
    app = Starlette(routes=[Route("/t", tenant)])
    zwobs.instrument(app, service="svc", registry=CollectorRegistry(), tracing=True)
    return TestClient(app)


def _logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What OpenTelemetry and zwobs logged (the test client's own httpx lines are not ours)."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("opentelemetry", "zwobs"))
    ]


@pytest.mark.parametrize(
    "headers",
    [
        {"baggage": HUGE_BAGGAGE},
        {"baggage": MANY_BAD_MEMBERS},
        {"traceparent": TRACEPARENT, "tracestate": BAD_TRACESTATE},
    ],
    ids=["huge-baggage", "many-bad-members", "bad-tracestate"],
)
def test_rejected_trace_context_logs_a_few_short_lines_per_request(
    client: TestClient, caplog: pytest.LogCaptureFixture, headers: dict[str, str]
) -> None:
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            assert client.get("/t", headers=headers).status_code == 200
    lines = _logged(caplog)
    assert 1 <= len(lines) <= 3 * 3, lines
    assert all(len(line) < 400 for line in lines), max(lines, key=len)[:500]
    assert sum(map(len, lines)) < 3 * 1200


def test_valid_baggage_is_extracted_as_the_propagator_does_and_logs_nothing(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="opentelemetry"):
        response = client.get("/t", headers={"baggage": "tenant=acme,other=1"})
    assert response.text == "acme"
    assert _logged(caplog) == []


def test_a_valid_member_next_to_rejected_ones_still_arrives(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        response = client.get("/t", headers={"baggage": f"{MANY_BAD_MEMBERS},tenant=acme"})
    assert response.text == "acme"


def test_the_propagators_own_logging_is_untouched_outside_zwobs(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    client.get("/t", headers={"baggage": HUGE_BAGGAGE})  # zwobs has put its filter on
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        extract({"baggage": HUGE_BAGGAGE})
    assert any(HUGE_BAGGAGE in line for line in _logged(caplog))
