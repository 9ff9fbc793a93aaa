"""The SERVER span of one HTTP request, driven by the zwobs middleware.

The middleware owns the clock: it passes the start and end times in
nanoseconds so the span duration equals the histogram observation.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import context, trace
from opentelemetry.propagate import extract

__all__ = ["ServerSpan", "finish_span", "start_span"]

Scope = dict[str, Any]

_tracer = trace.get_tracer("zwobs")


class ServerSpan:
    """A started span and the context token to detach when the request ends."""

    __slots__ = ("span", "token")

    def __init__(self, span: trace.Span, token: object) -> None:
        self.span = span
        self.token = token

    def detach(self) -> None:
        """Restore the caller's context; must run in the task that called ``start_span``."""
        context.detach(self.token)  # type: ignore[arg-type]


def _header_getter(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", ())}


def start_span(scope: Scope, method: str, start_ns: int) -> ServerSpan:
    """Start the SERVER span (continuing an incoming trace) and make it current."""
    parent = extract(_header_getter(scope))
    span = _tracer.start_span(
        method, context=parent, kind=trace.SpanKind.SERVER, start_time=start_ns
    )
    token = context.attach(trace.set_span_in_context(span, parent))
    return ServerSpan(span, token)


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
    """
    span = handle.span
    if span.is_recording():
        if route is not None:
            span.update_name(f"{span.name} {route}")  # type: ignore[attr-defined]
        if status is not None:
            span.set_attribute("http.response.status_code", status)
        if error is not None:
            span.record_exception(error)
    span.end(end_time=end_ns)
