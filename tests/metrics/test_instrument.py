"""``instrument``'s settings from the environment follow zwobs/env.py's one documented rule."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

import zwobs
from zwobs import names
from zwobs.env import EnvError

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


async def ok(request: Request) -> Response:
    return PlainTextResponse("ok")


def _exemplar_trace_id(monkeypatch: pytest.MonkeyPatch, tracing: str) -> str | None:
    """The exemplar trace id of one request sent with a sampled ``traceparent``."""
    monkeypatch.setenv("ZWOBS_TRACING", tracing)
    registry = CollectorRegistry()
    app = zwobs.instrument(Starlette(routes=[Route("/a", ok)]), service="svc", registry=registry)
    TestClient(app).get("/a", headers={"traceparent": TRACEPARENT})
    for metric in registry.collect():
        for sample in metric.samples:
            if sample.name == names.REQUESTS_TOTAL and sample.exemplar is not None:
                return sample.exemplar.labels["trace_id"]
    return None


@pytest.mark.parametrize("word", ["1", "true", "Yes", " on "])
def test_tracing_stays_on_for_every_documented_true_word(
    monkeypatch: pytest.MonkeyPatch, word: str
) -> None:
    assert _exemplar_trace_id(monkeypatch, word) == TRACE_ID


@pytest.mark.parametrize("word", ["0", "false", "NO", "off"])
def test_tracing_turns_off_for_every_documented_false_word(
    monkeypatch: pytest.MonkeyPatch, word: str
) -> None:
    assert _exemplar_trace_id(monkeypatch, word) is None


@pytest.mark.parametrize("word", ["maybe", "disabled", "2"])
def test_a_tracing_word_outside_the_rule_is_refused_with_the_variable_name(
    monkeypatch: pytest.MonkeyPatch, word: str
) -> None:
    monkeypatch.setenv("ZWOBS_TRACING", word)
    with pytest.raises(EnvError, match="ZWOBS_TRACING"):
        zwobs.instrument(Starlette(), service="svc", registry=CollectorRegistry())


def test_latency_buckets_come_from_the_environment_as_a_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ZWOBS_LATENCY_BUCKETS", " 0.5, 0.1 ,, 2")
    registry = CollectorRegistry()
    app = zwobs.instrument(
        Starlette(routes=[Route("/a", ok)]), service="svc", registry=registry, tracing=False
    )
    TestClient(app).get("/a")
    buckets = {
        sample.labels["le"]
        for metric in registry.collect()
        for sample in metric.samples
        if sample.name == names.REQUEST_DURATION + "_bucket"
    }
    assert buckets == {"0.1", "0.5", "2.0", "+Inf"}


def test_latency_buckets_that_are_not_seconds_are_refused_with_the_variable_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ZWOBS_LATENCY_BUCKETS", "0.1,fast")
    with pytest.raises(EnvError, match="ZWOBS_LATENCY_BUCKETS"):
        zwobs.instrument(Starlette(), service="svc", registry=CollectorRegistry())


def test_a_blank_service_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZWOBS_SERVICE", "   ")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "from-otel")
    registry = CollectorRegistry()
    app = zwobs.instrument(Starlette(routes=[Route("/a", ok)]), registry=registry, tracing=False)
    TestClient(app).get("/a")
    assert (
        registry.get_sample_value(
            names.REQUESTS_TOTAL,
            {"service": "from-otel", "method": "GET", "path": "/a", "status": "200"},
        )
        == 1
    )


def test_instrument_adds_one_middleware_and_no_route() -> None:
    """/metrics is answered by the middleware: the router tries no extra route per request."""
    app = Starlette(routes=[Route("/a", ok)])
    routes = list(app.routes)
    zwobs.instrument(app, service="svc", registry=CollectorRegistry())
    assert app.routes == routes
    assert [entry.cls.__name__ for entry in app.user_middleware] == ["MetricsMiddleware"]
    assert app.exception_handlers == {}
    response = TestClient(app).get("/metrics")
    assert response.status_code == 200 and "http_requests_total" in response.text
