"""Outgoing calls through zwobs's httpx helpers continue the current trace."""

from __future__ import annotations

import http.server
import threading

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode, format_trace_id

from tests.servers.process import free_port, wait_until
from tests.tracing.apps import profile_service, user_service
from zwobs.tracing.client import async_client, client, inject_headers


def _by_kind(spans: InMemorySpanExporter, kind: SpanKind) -> list[ReadableSpan]:
    return [s for s in spans.get_finished_spans() if s.kind is kind]


async def test_call_between_two_instrumented_apps_shares_one_trace(
    spans: InMemorySpanExporter,
) -> None:
    users, _ = user_service()
    profiles = profile_service(httpx.ASGITransport(app=users), "http://user-service")
    transport = httpx.ASGITransport(app=profiles)
    async with httpx.AsyncClient(transport=transport, base_url="http://profiles") as caller:
        answer = await caller.get("/profiles/3")
    assert answer.json() == {"user": {"id": "3"}, "upstream_status": 200}

    servers = {s.attributes["http.route"]: s for s in _by_kind(spans, SpanKind.SERVER)}  # type: ignore[index]
    outer, inner = servers["/profiles/{user_id}"], servers["/v1/users/{user_id}"]
    (outgoing,) = _by_kind(spans, SpanKind.CLIENT)
    assert outer.context.trace_id == inner.context.trace_id == outgoing.context.trace_id
    assert outer.parent is None
    assert outgoing.parent is not None and outgoing.parent.span_id == outer.context.span_id
    assert inner.parent is not None and inner.parent.span_id == outgoing.context.span_id
    assert inner.parent.is_remote


async def test_client_span_follows_http_client_semconv(spans: InMemorySpanExporter) -> None:
    users, _ = user_service()
    transport = httpx.ASGITransport(app=users)
    async with async_client(transport=transport, base_url="http://users.internal:8081") as http:
        await http.get("/v1/users/1?verbose=1")
    (span,) = _by_kind(spans, SpanKind.CLIENT)
    assert span.name == "GET"
    assert dict(span.attributes or {}) == {
        "http.request.method": "GET",
        "url.full": "http://users.internal:8081/v1/users/1?verbose=1",
        "server.address": "users.internal",
        "server.port": 8081,
        "http.response.status_code": 200,
        "network.protocol.version": "1.1",
    }
    assert span.status.status_code is StatusCode.UNSET


async def test_client_span_is_error_for_5xx_answer(spans: InMemorySpanExporter) -> None:
    users, _ = user_service()
    async with async_client(transport=httpx.ASGITransport(app=users), base_url="http://u") as http:
        assert (await http.get("/v1/unavailable")).status_code == 503
    (span,) = _by_kind(spans, SpanKind.CLIENT)
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "503"


def test_client_span_records_connection_failure_and_reraises(
    spans: InMemorySpanExporter,
) -> None:
    port = free_port()  # nothing listens there
    with client() as http, pytest.raises(httpx.ConnectError):
        http.get(f"http://127.0.0.1:{port}/")
    (span,) = _by_kind(spans, SpanKind.CLIENT)
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "httpx.ConnectError"
    assert "url.full" in (span.attributes or {})


def test_credentials_and_signatures_in_url_are_not_recorded(spans: InMemorySpanExporter) -> None:
    with client(transport=httpx.MockTransport(lambda r: httpx.Response(204))) as http:
        http.get("http://bob:hunter2@svc.local/x?page=2&X-Goog-Signature=s3cr3t")
    (span,) = _by_kind(spans, SpanKind.CLIENT)
    shown = str((span.attributes or {})["url.full"])
    assert "hunter2" not in shown
    assert shown == "http://svc.local/x?page=2&X-Goog-Signature=REDACTED"


def test_inject_headers_writes_traceparent_of_current_span(
    spans: InMemorySpanExporter,
) -> None:
    tracer = trace.get_tracer("tests")
    with tracer.start_as_current_span("work") as span:
        headers = inject_headers()
    trace_id = format_trace_id(span.get_span_context().trace_id)
    assert headers["traceparent"].split("-")[1] == trace_id


def test_sync_client_continues_trace_into_real_server(
    spans: InMemorySpanExporter, user_server: str
) -> None:
    tracer = trace.get_tracer("tests")
    with tracer.start_as_current_span("job") as job, client(base_url=user_server) as http:
        assert http.get("/v1/users/9").json() == {"id": "9"}
    wait_until(lambda: len(_by_kind(spans, SpanKind.SERVER)) == 1, timeout=10)
    (server_span,) = _by_kind(spans, SpanKind.SERVER)
    (client_span,) = _by_kind(spans, SpanKind.CLIENT)
    assert server_span.context.trace_id == job.get_span_context().trace_id
    assert server_span.parent is not None
    assert server_span.parent.span_id == client_span.context.span_id
    assert (server_span.attributes or {})["server.port"] == int(user_server.rsplit(":", 1)[1])
    assert (server_span.attributes or {})["client.address"] == "127.0.0.1"


def test_mounted_transports_are_wrapped_too(spans: InMemorySpanExporter) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    with client(mounts={"http://svc.local": httpx.MockTransport(answer)}) as http:
        http.get("http://svc.local/x")
    (span,) = _by_kind(spans, SpanKind.CLIENT)
    (request,) = seen
    _, trace_id, span_id, _ = request.headers["traceparent"].split("-")
    assert trace_id == format_trace_id(span.context.trace_id)
    assert span_id == f"{span.context.span_id:016x}"


def test_requests_through_a_proxy_still_carry_the_trace(spans: InMemorySpanExporter) -> None:
    # A loopback HTTP proxy that answers every request itself and records its headers.
    seen: list[str] = []

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("traceparent", ""))
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        proxy = f"http://127.0.0.1:{server.server_address[1]}"
        with client(proxy=proxy) as http_client:
            assert http_client.get("http://upstream.invalid/x").status_code == 200
    finally:
        server.shutdown()
        server.server_close()
    (span,) = _by_kind(spans, SpanKind.CLIENT)
    assert seen == [seen[0]]
    assert format_trace_id(span.context.trace_id) in seen[0]
