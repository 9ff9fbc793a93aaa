"""Outgoing HTTP calls that continue the current trace (httpx, sync and async).

``client()`` / ``async_client()`` build httpx clients whose transports wrap
every request in a CLIENT span (stable HTTP semantic conventions) and inject
that span's context with the global propagator (W3C ``traceparent``,
``tracestate`` and ``baggage`` by default), so the called service's server
span becomes its child. With opentelemetry-api alone no span is recorded, but
an incoming trace context is still passed on. ``inject_headers()`` serves any
other client library.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any, Final

from zwobs.extras import missing_extra

try:
    import httpx
except ModuleNotFoundError as _missing:
    raise missing_extra(_missing, "tracing", "tracing httpx calls") from None

from opentelemetry import trace
from opentelemetry.propagate import inject
from opentelemetry.trace import Status, StatusCode
from opentelemetry.util.types import AttributeValue

from zwobs import names
from zwobs.tracing import _tracer
from zwobs.tracing.server import error_type, redact_query

__all__ = [
    "AsyncTracingTransport",
    "TracingTransport",
    "async_client",
    "client",
    "inject_headers",
]

_TRANSPORT_OPTIONS: Final = ("verify", "cert", "trust_env", "http1", "http2", "limits")


def inject_headers(headers: MutableMapping[str, str] | None = None) -> MutableMapping[str, str]:
    """Add the current trace context to ``headers`` (a new dict if None) and return it."""
    carrier: MutableMapping[str, str] = {} if headers is None else headers
    inject(carrier)
    return carrier


class _ClientSpan:
    """One CLIENT span around one outgoing request, whose context the request carries."""

    __slots__ = ("span",)

    def __init__(self, request: httpx.Request) -> None:
        method = request.method
        known = method in names.KNOWN_METHODS
        tracer, recording = _tracer.tracer()
        self.span = tracer.start_span(
            method if known else "HTTP",
            kind=trace.SpanKind.CLIENT,
            attributes=_request_attributes(request, known) if recording else None,
        )
        inject(request.headers, context=trace.set_span_in_context(self.span))

    def close(self, response: httpx.Response | None, error: BaseException | None) -> None:
        span = self.span
        if span.is_recording():
            _annotate(span, response, error)
        span.end()


def _request_attributes(request: httpx.Request, known: bool) -> dict[str, AttributeValue]:
    url = request.url
    shown = url.copy_with(username=None, password=None)
    if url.query:
        shown = shown.copy_with(query=redact_query(url.query.decode("latin-1")).encode("latin-1"))
    attributes: dict[str, AttributeValue] = {
        "http.request.method": request.method if known else names.OTHER_METHOD,
        "url.full": str(shown),
        "server.address": url.host,
    }
    if not known:
        attributes["http.request.method_original"] = request.method
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    if port:
        attributes["server.port"] = port
    return attributes


def _annotate(
    span: trace.Span, response: httpx.Response | None, error: BaseException | None
) -> None:
    if response is not None:
        status = response.status_code
        span.set_attribute("http.response.status_code", status)
        span.set_attribute("network.protocol.version", _protocol_version(response))
        if status >= 400:  # client spans: 4xx is an error too
            span.set_attribute("error.type", str(status))
            span.set_status(Status(StatusCode.ERROR))
    if error is not None:
        span.record_exception(error, escaped=True)
        span.set_attribute("error.type", error_type(error))
        span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))


def _protocol_version(response: httpx.Response) -> str:
    version = response.http_version  # "HTTP/1.1", "HTTP/2"
    return version.removeprefix("HTTP/")


class TracingTransport(httpx.BaseTransport):
    """Wraps a sync transport: a CLIENT span and injected context per request."""

    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        self._transport = transport or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        span = _ClientSpan(request)
        try:
            response = self._transport.handle_request(request)
        except BaseException as exc:
            span.close(None, exc)
            raise
        span.close(response, None)
        return response

    def close(self) -> None:
        self._transport.close()


class AsyncTracingTransport(httpx.AsyncBaseTransport):
    """Wraps an async transport: a CLIENT span and injected context per request."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = transport or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        span = _ClientSpan(request)
        try:
            response = await self._transport.handle_async_request(request)
        except BaseException as exc:
            span.close(None, exc)
            raise
        span.close(response, None)
        return response

    async def aclose(self) -> None:
        await self._transport.aclose()


def _split_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The transport options of ``kwargs`` that httpx ignores once a transport is given."""
    return {key: kwargs[key] for key in _TRANSPORT_OPTIONS if key in kwargs}


def client(**kwargs: Any) -> httpx.Client:
    """An ``httpx.Client`` (same arguments) whose requests continue the current trace.

    A given ``transport`` and the transports of ``mounts`` are wrapped; otherwise
    a default transport is built from ``verify``, ``cert``, ``http2``, ``limits``...
    ``proxy`` goes into that transport. Proxies from the environment are not
    applied: pass them as ``proxy`` or ``mounts``.
    """
    inner = kwargs.pop("transport", None) or httpx.HTTPTransport(
        proxy=kwargs.pop("proxy", None), **_split_options(kwargs)
    )
    mounts: Mapping[str, httpx.BaseTransport | None] = kwargs.pop("mounts", None) or {}
    return httpx.Client(
        transport=TracingTransport(inner),
        mounts={key: TracingTransport(t) if t else None for key, t in mounts.items()},
        **kwargs,
    )


def async_client(**kwargs: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` (same arguments) whose requests continue the current trace."""
    inner = kwargs.pop("transport", None) or httpx.AsyncHTTPTransport(
        proxy=kwargs.pop("proxy", None), **_split_options(kwargs)
    )
    mounts: Mapping[str, httpx.AsyncBaseTransport | None] = kwargs.pop("mounts", None) or {}
    return httpx.AsyncClient(
        transport=AsyncTracingTransport(inner),
        mounts={key: AsyncTracingTransport(t) if t else None for key, t in mounts.items()},
        **kwargs,
    )
