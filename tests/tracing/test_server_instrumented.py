"""Server spans end to end through ``zwobs.instrument`` (the real middleware)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode, format_span_id, format_trace_id
from starlette.requests import ClientDisconnect

from tests.servers.process import wait_until
from tests.tracing.apps import BoomError, handler_log, user_service
from zwobs.tracing.logs import JsonFormatter

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


def _server_spans(spans: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]


def _client(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")  # type: ignore[arg-type]


async def test_one_server_span_named_by_full_route_template(
    spans: InMemorySpanExporter,
) -> None:
    app, _ = user_service()
    async with _client(app) as client:
        assert (await client.get("/v1/users/42", headers={"user-agent": "t/1"})).status_code == 200
    (span,) = spans.get_finished_spans()
    assert span.kind is SpanKind.SERVER
    assert span.name == "GET /v1/users/{user_id}"
    assert span.attributes is not None
    assert span.attributes["http.route"] == "/v1/users/{user_id}"
    assert span.attributes["url.path"] == "/v1/users/42"
    assert span.attributes["http.response.status_code"] == 200
    assert span.attributes["user_agent.original"] == "t/1"
    assert span.status.status_code is StatusCode.UNSET


async def test_unmatched_request_span_is_named_by_method_without_route(
    spans: InMemorySpanExporter,
) -> None:
    app, _ = user_service()
    async with _client(app) as client:
        assert (await client.get("/no/such/page")).status_code == 404
    (span,) = _server_spans(spans)
    assert span.name == "GET"
    assert span.attributes is not None
    assert "http.route" not in span.attributes
    assert span.status.status_code is StatusCode.UNSET


async def test_invented_method_is_other_and_span_named_http(
    spans: InMemorySpanExporter,
) -> None:
    app, _ = user_service()
    async with _client(app) as client:
        await client.request("FOO1", "/v1/users/1")
    (span,) = _server_spans(spans)
    assert span.name == "HTTP /v1/users/{user_id}"
    assert span.attributes is not None
    assert span.attributes["http.request.method"] == "_OTHER"
    assert span.attributes["http.request.method_original"] == "FOO1"


async def test_5xx_response_marks_span_error_with_status_code_as_error_type(
    spans: InMemorySpanExporter,
) -> None:
    app, _ = user_service()
    async with _client(app) as client:
        assert (await client.get("/v1/unavailable")).status_code == 503
    (span,) = _server_spans(spans)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == "503"


async def test_app_exception_is_recorded_on_span_and_reraised_unchanged(
    spans: InMemorySpanExporter,
) -> None:
    app, _ = user_service()
    async with _client(app) as client:
        with pytest.raises(BoomError, match="the handler's bug"):
            await client.get("/v1/crash")
    (span,) = _server_spans(spans)
    assert span.name == "GET /v1/crash"
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == "tests.tracing.apps.BoomError"
    assert span.attributes["http.response.status_code"] == 500
    (event,) = [e for e in span.events if e.name == "exception"]
    assert event.attributes is not None
    assert event.attributes["exception.message"] == "the handler's bug"


async def test_incoming_traceparent_is_continued_by_the_server_span(
    spans: InMemorySpanExporter,
) -> None:
    app, _ = user_service()
    async with _client(app) as client:
        await client.get("/v1/users/1", headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"})
    (span,) = _server_spans(spans)
    assert format_trace_id(span.context.trace_id) == TRACE_ID
    assert span.parent is not None
    assert format_span_id(span.parent.span_id) == PARENT_ID


async def test_no_child_spans_for_asgi_send_and_receive(spans: InMemorySpanExporter) -> None:
    app, _ = user_service()
    async with _client(app) as client:
        await client.get("/v1/stream")
    assert len(spans.get_finished_spans()) == 1


async def test_span_duration_equals_histogram_observation(spans: InMemorySpanExporter) -> None:
    app, registry = user_service()
    async with _client(app) as client:
        assert (await client.get("/v1/stream")).text == "0\n1\n2\n"
    (span,) = _server_spans(spans)
    assert span.end_time is not None and span.start_time is not None
    observed = registry.get_sample_value(
        "http_request_duration_seconds_sum",
        {"service": "user-service", "method": "GET", "path": "/v1/stream"},
    )
    assert observed is not None
    assert observed == pytest.approx((span.end_time - span.start_time) / 1e9, abs=1e-9)
    # The streamed body took three 10 ms pauses: the span covers them all.
    assert span.end_time - span.start_time >= 30_000_000


async def test_metrics_exemplar_carries_the_span_trace_id(spans: InMemorySpanExporter) -> None:
    app, _ = user_service()
    async with _client(app) as client:
        await client.get("/v1/users/7")
        (span,) = _server_spans(spans)
        exposition = await client.get(
            "/metrics", headers={"accept": "application/openmetrics-text; version=1.0.0"}
        )
    assert exposition.headers["content-type"].startswith("application/openmetrics-text")
    lines = [
        line
        for line in exposition.text.splitlines()
        if line.startswith("http_request_duration_seconds_bucket")
        and 'path="/v1/users/{user_id}"' in line
    ]
    exemplars = [re.search(r"# \{(.*?)\}", line) for line in lines]
    found = {frozenset(re.findall(r'(\w+)="([^"]*)"', m.group(1))) for m in exemplars if m}
    assert found == {
        frozenset(
            {
                ("trace_id", format_trace_id(span.context.trace_id)),
                ("span_id", format_span_id(span.context.span_id)),
            }
        )
    }


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The handler logger's output through the JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("user-service"))
    handler_log.addHandler(handler)
    handler_log.setLevel(logging.INFO)
    yield stream
    handler_log.removeHandler(handler)


async def test_log_line_inside_handler_carries_request_trace_id(
    spans: InMemorySpanExporter, json_lines: io.StringIO
) -> None:
    app, _ = user_service()
    async with _client(app) as client:
        await client.get("/v1/users/5")
    (span,) = _server_spans(spans)
    (line,) = json_lines.getvalue().splitlines()
    record = json.loads(line)
    assert record["message"] == "looked up user 5"
    assert record["trace.id"] == format_trace_id(span.context.trace_id)
    assert record["span.id"] == format_span_id(span.context.span_id)
    assert record["service.name"] == "user-service"


def test_server_error_log_after_the_request_carries_its_trace_id(
    spans: InMemorySpanExporter, user_server: str
) -> None:
    """uvicorn logs "Exception in ASGI application" after the span ended: the id still comes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("user-service"))
    server_log = logging.getLogger("uvicorn.error")
    server_log.addHandler(handler)
    try:
        assert httpx.get(f"{user_server}/v1/crash").status_code == 500
        wait_until(lambda: "Exception in ASGI application" in stream.getvalue(), timeout=10)
    finally:
        server_log.removeHandler(handler)
    (span,) = _server_spans(spans)
    (line,) = [
        json.loads(text)
        for text in stream.getvalue().splitlines()
        if "Exception in ASGI application" in text
    ]
    assert line["error.type"] == "tests.tracing.apps.BoomError"
    assert line["trace.id"] == format_trace_id(span.context.trace_id)
    assert line["span.id"] == format_span_id(span.context.span_id)


async def test_client_gone_before_response_is_499_without_error_status(
    spans: InMemorySpanExporter,
) -> None:
    app, _ = user_service()
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/upload",
        "raw_path": b"/v1/upload",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 80),
    }

    async def receive() -> dict[str, object]:
        return {"type": "http.disconnect"}

    async def send(message: object) -> None:
        return None

    with pytest.raises(ClientDisconnect):
        await app(scope, receive, send)
    (span,) = _server_spans(spans)
    assert span.name == "POST /v1/upload"
    assert span.status.status_code is StatusCode.UNSET
    assert span.attributes is not None
    assert span.attributes["http.response.status_code"] == 499
