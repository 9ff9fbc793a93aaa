"""The SERVER span driven directly with hand-made ASGI scopes (no middleware)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import baggage, trace
from opentelemetry.context import Context
from opentelemetry.propagate import get_global_textmap, set_global_textmap
from opentelemetry.propagators.textmap import (
    Getter,
    Setter,
    TextMapPropagator,
    default_getter,
    default_setter,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode, TraceFlags

from zwobs.tracing.server import error_type, finish_span, start_span

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"


def _scope(
    method: str = "GET",
    path: str = "/v1/users/42",
    headers: list[tuple[bytes, bytes]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": headers
        if headers is not None
        else [(b"host", b"api.example:8080"), (b"user-agent", b"curl/8.0")],
        "client": ("10.1.2.3", 51234),
        "server": ("127.0.0.1", 8000),
    }
    scope.update(extra)
    return scope


def _run(
    scope: dict[str, Any],
    method: str = "GET",
    *,
    route: str | None = "/v1/users/{user_id}",
    status: int | None = 200,
    error: BaseException | None = None,
) -> None:
    start = time.time_ns()
    handle = start_span(scope, method, start)
    try:
        finish_span(handle, route=route, status=status, error=error, end_ns=start + 1_000)
    finally:
        handle.detach()


def _only(spans: InMemorySpanExporter) -> Any:
    finished = spans.get_finished_spans()
    assert len(finished) == 1
    return finished[0]


def test_span_is_server_kind_named_method_and_route(spans: InMemorySpanExporter) -> None:
    _run(_scope())
    span = _only(spans)
    assert span.kind is SpanKind.SERVER
    assert span.name == "GET /v1/users/{user_id}"
    assert span.attributes["http.route"] == "/v1/users/{user_id}"


def test_span_without_route_is_named_by_method_only_never_raw_path(
    spans: InMemorySpanExporter,
) -> None:
    _run(_scope(path="/no/such/thing"), route=None, status=404)
    span = _only(spans)
    assert span.name == "GET"
    assert "http.route" not in span.attributes
    assert span.attributes["url.path"] == "/no/such/thing"


def test_unknown_method_is_other_with_original_and_span_named_http(
    spans: InMemorySpanExporter,
) -> None:
    _run(_scope(method="FOO1"), "_OTHER", route="/v1/users/{user_id}", status=405)
    span = _only(spans)
    assert span.name == "HTTP /v1/users/{user_id}"
    assert span.attributes["http.request.method"] == "_OTHER"
    assert span.attributes["http.request.method_original"] == "FOO1"


def test_unknown_method_without_route_is_named_http(spans: InMemorySpanExporter) -> None:
    _run(_scope(method="FOO1"), "_OTHER", route=None, status=404)
    assert _only(spans).name == "HTTP"


def test_request_attributes_follow_stable_http_semconv(spans: InMemorySpanExporter) -> None:
    _run(_scope(), status=201)
    attrs = dict(_only(spans).attributes)
    assert attrs == {
        "http.request.method": "GET",
        "url.path": "/v1/users/42",
        "url.scheme": "http",
        "server.address": "api.example",
        "server.port": 8080,
        "client.address": "10.1.2.3",
        "user_agent.original": "curl/8.0",
        "network.protocol.version": "1.1",
        "http.route": "/v1/users/{user_id}",
        "http.response.status_code": 201,
    }


def test_request_attributes_are_given_at_span_start_for_samplers(
    spans: InMemorySpanExporter,
) -> None:
    handle = start_span(_scope(), "GET", time.time_ns())
    try:
        live = handle.span
        assert live.attributes["url.path"] == "/v1/users/42"  # type: ignore[attr-defined]
        assert "http.response.status_code" not in live.attributes  # type: ignore[attr-defined]
    finally:
        finish_span(handle, route=None, status=200, error=None, end_ns=time.time_ns())
        handle.detach()


def test_host_without_port_gives_the_scheme_default_port(spans: InMemorySpanExporter) -> None:
    _run(_scope(scheme="https", headers=[(b"host", b"api.example")]))
    attrs = _only(spans).attributes
    assert (attrs["server.address"], attrs["server.port"]) == ("api.example", 443)
    assert attrs["url.scheme"] == "https"


def test_ipv6_host_header_is_split_into_address_and_port(spans: InMemorySpanExporter) -> None:
    _run(_scope(headers=[(b"host", b"[::1]:9000")]))
    attrs = _only(spans).attributes
    assert (attrs["server.address"], attrs["server.port"]) == ("::1", 9000)


def test_missing_host_header_falls_back_to_listening_socket(spans: InMemorySpanExporter) -> None:
    _run(_scope(headers=[]))
    attrs = _only(spans).attributes
    assert (attrs["server.address"], attrs["server.port"]) == ("127.0.0.1", 8000)
    assert "user_agent.original" not in attrs


def test_query_is_recorded_with_signatures_redacted(spans: InMemorySpanExporter) -> None:
    _run(_scope(query_string=b"page=2&Signature=abc123&sig=zzz"))
    assert _only(spans).attributes["url.query"] == "page=2&Signature=REDACTED&sig=REDACTED"


def test_root_path_is_part_of_url_path(spans: InMemorySpanExporter) -> None:
    _run(_scope(path="/users/1", root_path="/api"))
    assert _only(spans).attributes["url.path"] == "/api/users/1"


@pytest.mark.parametrize("status", [101, 200, 302, 400, 404, 499])
def test_status_is_unset_for_1xx_to_4xx(spans: InMemorySpanExporter, status: int) -> None:
    _run(_scope(), status=status)
    span = _only(spans)
    assert span.status.status_code is StatusCode.UNSET
    assert "error.type" not in span.attributes
    assert span.attributes["http.response.status_code"] == status


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_sets_error_status_and_error_type_to_code(
    spans: InMemorySpanExporter, status: int
) -> None:
    _run(_scope(), status=status)
    span = _only(spans)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == str(status)


class _AppFailureError(RuntimeError):
    pass


def test_exception_is_recorded_with_error_status_and_class_name(
    spans: InMemorySpanExporter,
) -> None:
    _run(_scope(), status=500, error=_AppFailureError("db down"))
    span = _only(spans)
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "_AppFailureError: db down"
    assert span.attributes["error.type"] == f"{__name__}._AppFailureError"
    assert span.attributes["http.response.status_code"] == 500
    (event,) = [e for e in span.events if e.name == "exception"]
    assert event.attributes["exception.type"] == span.attributes["error.type"]
    assert event.attributes["exception.message"] == "db down"


def test_error_type_of_builtin_exception_is_bare_class_name() -> None:
    assert error_type(ValueError("x")) == "ValueError"


def test_span_times_are_exactly_the_given_clock_readings(spans: InMemorySpanExporter) -> None:
    start = time.time_ns()
    handle = start_span(_scope(), "GET", start)
    finish_span(handle, route=None, status=200, error=None, end_ns=start + 123_456)
    handle.detach()
    span = _only(spans)
    assert (span.start_time, span.end_time) == (start, start + 123_456)


def test_incoming_traceparent_continues_the_trace(spans: InMemorySpanExporter) -> None:
    headers = [
        (b"traceparent", f"00-{TRACE_ID}-{PARENT_ID}-01".encode()),
        (b"tracestate", b"vendor=value"),
    ]
    _run(_scope(headers=headers))
    span = _only(spans)
    assert f"{span.context.trace_id:032x}" == TRACE_ID
    assert f"{span.parent.span_id:016x}" == PARENT_ID
    assert span.parent.is_remote
    assert span.context.trace_state.get("vendor") == "value"


def test_request_without_traceparent_starts_a_new_root_trace(
    spans: InMemorySpanExporter,
) -> None:
    _run(_scope())
    assert _only(spans).parent is None


def test_span_and_baggage_are_current_until_detach(spans: InMemorySpanExporter) -> None:
    scope = _scope(headers=[(b"baggage", b"tenant=acme")])
    before = trace.get_current_span()
    handle = start_span(scope, "GET", time.time_ns())
    assert trace.get_current_span() is handle.span
    assert baggage.get_baggage("tenant") == "acme"
    finish_span(handle, route=None, status=200, error=None, end_ns=time.time_ns())
    handle.detach()
    assert trace.get_current_span() is before
    assert baggage.get_baggage("tenant") is None


_API_ONLY = f"""
import time
from opentelemetry import trace
from zwobs.tracing.server import finish_span, start_span
scope = {{"type": "http", "method": "GET", "path": "/x", "headers": [
    (b"traceparent", b"00-{TRACE_ID}-{PARENT_ID}-01")]}}
handle = start_span(scope, "GET", time.time_ns())
ctx = trace.get_current_span().get_span_context()
assert not handle.span.is_recording()
assert format(ctx.trace_id, "032x") == "{TRACE_ID}", ctx
from zwobs.tracing.client import inject_headers
assert inject_headers()["traceparent"].split("-")[1] == "{TRACE_ID}"
finish_span(handle, route="/x", status=500, error=ValueError("x"), end_ns=time.time_ns())
handle.detach()
assert not trace.get_current_span().get_span_context().is_valid
print("ok")
"""


def test_api_only_passes_incoming_context_through_without_recording() -> None:
    """Fresh interpreter, no SDK: nothing recorded, the trace id still reaches outgoing calls."""
    result = subprocess.run(
        [sys.executable, "-c", _API_ONLY], check=False, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


_API_ONLY_NO_CONTEXT = """
import asyncio
from opentelemetry import baggage, context, trace
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
import zwobs
from zwobs.tracing.client import inject_headers

attached = []
real_attach = context.attach
context.attach = lambda ctx: attached.append(ctx) or real_attach(ctx)
seen = []

async def handler(request):
    span = trace.get_current_span()
    seen.append((span.get_span_context().is_valid, baggage.get_baggage("tenant"), inject_headers()))
    return PlainTextResponse("ok")

app = zwobs.instrument(Starlette(routes=[Route("/x", handler)]), service="svc")

async def call(headers):
    scope = {"type": "http", "method": "GET", "path": "/x", "root_path": "", "headers": headers,
             "query_string": b"", "scheme": "http", "server": ("127.0.0.1", 8000)}
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        pass
    await app(scope, receive, send)

asyncio.run(call([(b"host", b"a"), (b"user-agent", b"b")]))
assert attached == [], attached
assert seen[-1] == (False, None, {}), seen
asyncio.run(call([(b"baggage", b"tenant=acme")]))
assert len([ctx for ctx in attached if len(ctx)]) == 1 and seen[-1][1] == "acme", attached
assert "baggage" in seen[-1][2], seen
print("ok")
"""


def test_api_only_request_without_trace_context_attaches_nothing_and_looks_the_same() -> None:
    """Fresh interpreter, no SDK: no context work at all, yet the handler sees what it saw."""
    result = subprocess.run(
        [sys.executable, "-c", _API_ONLY_NO_CONTEXT],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


class _HeaderPairPropagator(TextMapPropagator):
    """A non-W3C propagator: ``x-trace: <trace id>:<span id>``."""

    def extract(
        self, carrier: Any, context: Context | None = None, getter: Getter[Any] = default_getter
    ) -> Context:
        values = getter.get(carrier, "x-trace")
        if not values:
            return context or Context()
        trace_id, span_id = values[0].split(":")
        parent = trace.NonRecordingSpan(
            trace.SpanContext(
                int(trace_id, 16), int(span_id, 16), is_remote=True, trace_flags=TraceFlags(1)
            )
        )
        return trace.set_span_in_context(parent, context)

    def inject(
        self, carrier: Any, context: Context | None = None, setter: Setter[Any] = default_setter
    ) -> None:
        span_context = trace.get_current_span(context).get_span_context()
        setter.set(carrier, "x-trace", f"{span_context.trace_id:032x}:{span_context.span_id:016x}")

    @property
    def fields(self) -> set[str]:
        return {"x-trace"}


@pytest.fixture
def header_pair_propagator() -> Iterator[None]:
    previous = get_global_textmap()
    set_global_textmap(_HeaderPairPropagator())
    yield
    set_global_textmap(previous)


def test_incoming_context_uses_the_globally_configured_propagator(
    spans: InMemorySpanExporter, header_pair_propagator: None
) -> None:
    headers = [
        (b"x-trace", f"{TRACE_ID}:{PARENT_ID}".encode()),
        (b"traceparent", b"00-11111111111111111111111111111111-2222222222222222-01"),
    ]
    _run(_scope(headers=headers))
    span = _only(spans)
    assert f"{span.context.trace_id:032x}" == TRACE_ID
    assert f"{span.parent.span_id:016x}" == PARENT_ID


class _ClientGoneError(Exception):
    pass


def test_exception_after_client_disconnect_is_recorded_without_error_status(
    spans: InMemorySpanExporter,
) -> None:
    _run(_scope(), status=499, error=_ClientGoneError("client went away"))
    span = _only(spans)
    assert span.status.status_code is StatusCode.UNSET
    assert span.attributes["http.response.status_code"] == 499
    assert span.attributes["error.type"] == f"{__name__}._ClientGoneError"
    assert [e.name for e in span.events] == ["exception"]
