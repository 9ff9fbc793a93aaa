"""The /metrics endpoint: negotiation, explicit Content-Type, gzip, exemplars."""

from __future__ import annotations

import gzip

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

import zwobs
from tests.metrics.asgi import call
from zwobs import names

OPENMETRICS = "application/openmetrics-text; version=1.0.0"


async def ok(request: Request) -> Response:
    return PlainTextResponse("ok")


def client(*, tracing: bool = False) -> TestClient:
    app = Starlette(routes=[Route("/a", ok)])
    zwobs.instrument(app, service="svc", registry=CollectorRegistry(), tracing=tracing)
    return TestClient(app)


def test_plain_scrape_gets_prometheus_text_with_explicit_content_type() -> None:
    c = client()
    c.get("/a")
    response = c.get("/metrics", headers={"accept": "*/*", "accept-encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "content-encoding" not in response.headers
    assert f'{names.REQUESTS_TOTAL}{{method="GET",path="/a",service="svc",status="200"}} 1.0' in (
        response.text
    )


def test_openmetrics_is_served_when_the_scraper_asks_for_it() -> None:
    c = client()
    c.get("/a")
    response = c.get("/metrics", headers={"accept": OPENMETRICS})
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")


async def test_gzip_when_accept_encoding_allows() -> None:
    app = Starlette(routes=[Route("/a", ok)])
    zwobs.instrument(app, service="svc", registry=CollectorRegistry(), tracing=False)
    await call(app, "/a")
    result = await call(app, "/metrics", headers=[(b"accept-encoding", b"gzip, deflate")])
    headers = dict(result.headers)
    assert headers[b"content-encoding"] == b"gzip"
    assert int(headers[b"content-length"]) == len(result.body)
    assert b'path="/a"' in gzip.decompress(result.body)


def test_metrics_endpoint_refuses_writes() -> None:
    assert client().post("/metrics").status_code == 405


def test_sampled_span_puts_trace_exemplars_on_counter_and_histogram(
    spans: InMemorySpanExporter,
) -> None:
    c = client(tracing=True)
    c.get("/a")
    finished = [
        s
        for s in spans.get_finished_spans()
        if s.attributes and s.attributes.get("http.response.status_code") == 200
    ]
    assert finished, "the request produced no server span"
    trace_id = format(finished[-1].context.trace_id, "032x")
    text = c.get("/metrics", headers={"accept": OPENMETRICS}).text
    exemplar_lines = [line for line in text.splitlines() if f'trace_id="{trace_id}"' in line]
    assert any(line.startswith(names.REQUESTS_TOTAL) for line in exemplar_lines)
    assert any(line.startswith(names.REQUEST_DURATION + "_bucket") for line in exemplar_lines)


def test_no_exemplars_without_an_active_sampled_span() -> None:
    c = client(tracing=False)
    c.get("/a")
    text = c.get("/metrics", headers={"accept": OPENMETRICS}).text
    assert "trace_id" not in text
