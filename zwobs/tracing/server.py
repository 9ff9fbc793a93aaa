"""The SERVER span of one HTTP request, driven by the zwobs middleware.

The middleware owns the clock: it passes the start and end times as epoch
nanoseconds (``time.time_ns()``) so the span duration equals the histogram
observation. Attributes follow the stable HTTP semantic conventions; they are
only built when an SDK is installed. With opentelemetry-api alone a request
costs one header scan; only one that carries trace context (``traceparent``,
``baggage``...) gets a context attached, so that it reaches logs, exemplars and
outgoing calls.
"""

from __future__ import annotations

import contextlib
import time
from contextvars import Token
from typing import Final

from opentelemetry import context, trace
from opentelemetry.trace import Status, StatusCode
from opentelemetry.util.types import AttributeValue
from starlette.types import Scope

from zwobs import names
from zwobs.tracing import _tracer
from zwobs.tracing._extract import extract_bounded

__all__ = [
    "ServerSpan",
    "error_type",
    "finish_span",
    "redact_query",
    "span_context_of",
    "start_span",
]

_DEFAULT_PORTS: Final = {"http": 80, "ws": 80, "https": 443, "wss": 443}
_DISCONNECTED: Final = int(names.DISCONNECTED_STATUS)
SPAN_CONTEXT_ATTR: Final = "_zwobs_span_context"
# Query parameters whose values the semantic conventions ask to redact.
_SENSITIVE_QUERY_KEYS: Final = frozenset({"awsaccesskeyid", "signature", "sig", "x-goog-signature"})


class ServerSpan:
    """A started span, its start time and the context token to detach when the request ends."""

    __slots__ = ("base_name", "span", "start_ns", "token")

    def __init__(
        self, span: trace.Span, token: Token[context.Context], base_name: str, start_ns: int
    ) -> None:
        self.span = span
        self.token = token
        self.base_name = base_name
        self.start_ns = start_ns

    def detach(self) -> None:
        """Restore the caller's context; must run in the task that called ``start_span``."""
        context.detach(self.token)


def start_span(scope: Scope, method: str, start_ns: int | None = None) -> ServerSpan | None:
    """Start the SERVER span (continuing an incoming trace) and make it current.

    ``method`` is the bounded method (``_OTHER`` for an unknown one); the
    original method is read from the scope. ``start_ns`` defaults to now, read
    only when there is a span to start. Returns None, having done nothing,
    when no SDK can record and the request carries no header the propagator
    reads: there is no span to make and no context to pass on.
    """
    state = _tracer.current()
    recording = state.recording
    wanted = state.fields
    headers = scope.get("headers", ())
    if not recording:
        # The common case, no SDK: only a request that carries trace context gets one.
        for key, _ in headers:
            if key in wanted:
                break
        else:
            return None
    carrier: dict[str, list[str]] = {}
    host = user_agent = None
    for key, value in headers:
        if key in wanted:
            carrier.setdefault(key.decode("latin-1"), []).append(value.decode("latin-1"))
        elif key == b"host":
            host = value
        elif key == b"user-agent":
            user_agent = value
    if start_ns is None:
        start_ns = time.time_ns()
    parent = extract_bounded(carrier) if carrier else context.get_current()
    base_name = "HTTP" if method == names.OTHER_METHOD else method
    if recording:
        span = state.tracer.start_span(
            base_name,
            context=parent,
            kind=trace.SpanKind.SERVER,
            attributes=_start_attributes(scope, method, host, user_agent),
            start_time=start_ns,
            record_exception=False,
            set_status_on_exception=False,
        )
    else:
        # What the API's no-op tracer returns, without its indirections: the
        # incoming span context passed through, not recording.
        span = trace.get_current_span(parent)
        if span.is_recording():
            span = trace.NonRecordingSpan(span.get_span_context())
    token = context.attach(trace.set_span_in_context(span, parent))
    return ServerSpan(span, token, base_name, start_ns)


def finish_span(
    handle: ServerSpan,
    *,
    route: str | None,
    status: int | None,
    error: BaseException | None,
    end_ns: int,
) -> None:
    """Name, annotate and end the span at ``end_ns``.

    May run in another task than ``start_span`` (Starlette streams from a
    child task), so it never touches the context: the middleware detaches.
    Status follows the server rules: unset for 1xx-4xx, ERROR for 5xx and for
    an exception, with ``error.type`` the exception class or the status code.
    An exception after the client went away (status 499, nothing was sent) is
    recorded with its ``error.type`` but leaves the status unset: the client
    failed the exchange, not the server.
    """
    span = handle.span
    if error is not None:
        _remember_span(error, span)
    if span.is_recording():
        attributes: dict[str, AttributeValue] = {}
        if route is not None:
            span.update_name(f"{handle.base_name} {route}")
            attributes["http.route"] = route
        if status is not None:
            attributes["http.response.status_code"] = status
        if error is not None:
            span.record_exception(error, escaped=True)
            attributes["error.type"] = error_type(error)
            if status != _DISCONNECTED:  # the client left: no server failure to flag
                span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
        elif status is not None and status >= 500:
            attributes["error.type"] = str(status)
            span.set_status(Status(StatusCode.ERROR))
        span.set_attributes(attributes)
    span.end(end_time=end_ns)


def _remember_span(error: BaseException, span: trace.Span) -> None:
    """Tag the exception with its request's span, for the log line the server writes later."""
    with contextlib.suppress(Exception):  # a type that refuses attributes keeps no tag
        setattr(error, SPAN_CONTEXT_ATTR, span.get_span_context())


def span_context_of(error: BaseException) -> trace.SpanContext | None:
    """The span context of the request an exception escaped from, if zwobs saw it."""
    found = getattr(error, SPAN_CONTEXT_ATTR, None)
    return found if isinstance(found, trace.SpanContext) else None


def error_type(error: BaseException) -> str:
    """The fully-qualified class name of ``error`` (bare for builtins), as ``error.type``."""
    cls = type(error)
    module = cls.__module__
    return cls.__qualname__ if module in ("builtins", "") else f"{module}.{cls.__qualname__}"


def _start_attributes(
    scope: Scope, method: str, host: bytes | None, user_agent: bytes | None
) -> dict[str, AttributeValue]:
    """The attributes known when the request starts (available to samplers)."""
    scheme = scope.get("scheme") or "http"
    path = scope.get("path") or "/"
    root_path = scope.get("root_path") or ""
    if root_path and not path.startswith(root_path):
        path = root_path + path
    attributes: dict[str, AttributeValue] = {
        "http.request.method": method,
        "url.path": path,
        "url.scheme": scheme,
    }
    if method == names.OTHER_METHOD:
        attributes["http.request.method_original"] = scope.get("method", "")
    query = scope.get("query_string")
    if query:
        attributes["url.query"] = redact_query(query.decode("latin-1"))
    address, port = _server_address(scope, scheme, host)
    if address:
        attributes["server.address"] = address
    if port:
        attributes["server.port"] = port
    client = scope.get("client")
    if client:
        attributes["client.address"] = client[0]
    if user_agent is not None:
        attributes["user_agent.original"] = user_agent.decode("latin-1")
    version = scope.get("http_version")
    if version:
        attributes["network.protocol.version"] = version
    return attributes


def _server_address(scope: Scope, scheme: str, host: bytes | None) -> tuple[str, int | None]:
    """Host and port the client addressed (Host header), else the listening socket."""
    if host:
        text = host.decode("latin-1")
        if text.startswith("["):  # [::1]:8000
            address, _, rest = text[1:].partition("]")
            port_text = rest[1:] if rest.startswith(":") else ""
        else:
            address, _, port_text = text.partition(":")
        if port_text.isdigit():
            return address, int(port_text)
        return address, _DEFAULT_PORTS.get(scheme)
    server = scope.get("server")
    if server:
        return str(server[0]), server[1]
    return "", None


def redact_query(query: str) -> str:
    """Replace the values of signature-like parameters with ``REDACTED`` (as semconv asks)."""
    if "=" not in query:
        return query
    return "&".join(_redact_pair(pair) for pair in query.split("&"))


def _redact_pair(pair: str) -> str:
    key, sep, _ = pair.partition("=")
    return f"{key}=REDACTED" if sep and key.lower() in _SENSITIVE_QUERY_KEYS else pair
