"""The pure ASGI middleware: RED metrics and the server span of every HTTP request.

Per-request state lives in a local ``_Exchange``, never on the middleware, so
concurrent requests cannot leak into each other. Every piece of zwobs's own
work is fenced: an error inside zwobs is logged once and the request goes on;
an error of the app is recorded as 500 and re-raised unchanged.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Awaitable, Callable, Collection

from opentelemetry import context as otel_context
from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zwobs import names
from zwobs.context import READERS, REQUEST_SCOPE
from zwobs.env import env_str
from zwobs.metrics.exposition import serve_metrics
from zwobs.metrics.families import HttpMetrics
from zwobs.metrics.routes import RouteTemplates
from zwobs.metrics.series import Series, in_flight
from zwobs.metrics.workers import CENSUS
from zwobs.tracing.server import ServerSpan, finish_span, start_span

__all__ = ["MetricsMiddleware", "PathLabel"]

PathLabel = Callable[[Scope, str], str]
"""Optional hook: (scope, route template) -> the ``path`` label to record."""

_log = logging.getLogger("zwobs.metrics")

_SERVER_ERROR = 500
_DISCONNECTED = int(names.DISCONNECTED_STATUS)


class _Exchange:
    """One request: what it has done so far, and the receive/send that observe it.

    Methods rather than closures: a request allocates this one object and two bound
    methods, which keeps the garbage collector's young generation quiet under load.
    """

    __slots__ = (
        "disconnected",
        "done",
        "entry_root",
        "method",
        "middleware",
        "path",
        "request_bytes",
        "response_bytes",
        "scope",
        "span",
        "start_perf",
        "status",
        "upstream_receive",
        "upstream_send",
    )

    def __init__(
        self,
        middleware: MetricsMiddleware,
        scope: Scope,
        receive: Receive,
        send: Send,
        method: str,
    ) -> None:
        self.middleware = middleware
        self.scope = scope
        self.upstream_receive = receive
        self.upstream_send = send
        self.method = method
        self.entry_root: str = scope.get("root_path", "")
        self.start_perf = time.perf_counter_ns()
        self.done = False
        self.status: int | None = None
        self.path: str | None = None
        self.request_bytes = 0
        self.response_bytes = 0
        self.disconnected = False
        self.span: ServerSpan | None = None

    async def receive(self) -> Message:
        message = await self.upstream_receive()
        kind = message["type"]
        if kind == "http.request":
            self.request_bytes += len(message.get("body", b""))
        elif kind == "http.disconnect":
            self.disconnected = True
        return message

    def send(self, message: Message) -> Awaitable[None]:
        """Observe ``message`` and pass it on.

        A plain method returning the server's own awaitable: only the last message
        needs work after it is sent, so only it gets a coroutine of zwobs's.
        """
        kind = message["type"]
        if kind == "http.response.body":
            self.response_bytes += len(message.get("body", b""))
            if message.get("more_body", False):
                return self.upstream_send(message)
        elif kind == "http.response.start":
            # A response begun after the client left reaches nobody: FastAPI answers
            # a body cut short with 400, but the client closed the request (499).
            self.status = _DISCONNECTED if self.disconnected else message["status"]
            self.middleware._resolve_path(self)
            return self.upstream_send(message)
        elif kind != "http.response.pathsend":
            return self.upstream_send(message)
        return self._send_last(message)

    async def _send_last(self, message: Message) -> None:
        # The response's last message goes out outside this request's context: the
        # server arms its keep-alive timer while sending it, and the timer keeps a copy
        # of the current context for the whole timeout (5 s in uvicorn). With the scope
        # and the span in it, every request of the last seconds stayed alive and the
        # garbage collector ran a hundred times as often under load.
        scope_token = REQUEST_SCOPE.set(None) if READERS.subscribed else None
        otel_token = None if self.span is None else otel_context.attach(otel_context.Context())
        try:
            await self.upstream_send(message)
        finally:
            if otel_token is not None:
                otel_context.detach(otel_token)
            if scope_token is not None:
                REQUEST_SCOPE.reset(scope_token)
        if self.done:  # a second last message, from an app whose server let it through
            return
        if message["type"] == "http.response.pathsend":
            self.response_bytes += _file_size(message.get("path", ""))
        self.middleware._finish(self)


class MetricsMiddleware:
    """Records the metrics of names.py for every HTTP request and serves ``metrics_path``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        service: str,
        metrics: HttpMetrics,
        routes: RouteTemplates,
        metrics_path: str | None = "/metrics",
        excluded_paths: Collection[str] = (),
        path_label: PathLabel | None = None,
        tracing: bool = True,
    ) -> None:
        self.app = app
        self._service = service
        self._metrics = metrics
        self._routes = routes
        self._metrics_path = metrics_path
        self._excluded = frozenset(excluded_paths)
        self._path_label = path_label
        self._tracing = tracing
        self._exemplars = env_str("PROMETHEUS_MULTIPROC_DIR") is None
        self._in_flight = {
            method: in_flight(metrics.in_progress.labels(service, method))
            for method in (*names.KNOWN_METHODS, names.OTHER_METHOD)
        }
        self._series: dict[tuple[str, str, int], Series] = {}
        self._reported: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not CENSUS.announced:
            CENSUS.announce(scope.get("server"))
        path = scope["path"]
        if path == self._metrics_path:
            await serve_metrics(scope, send, self._metrics.registry)
            return
        if path in self._excluded:
            await self.app(scope, receive, send)
            return

        method = scope["method"]
        if method not in names.KNOWN_METHODS:
            method = names.OTHER_METHOD
        exchange = _Exchange(self, scope, receive, send, method)
        self._in_flight[method].append(None)
        if self._tracing:
            try:
                exchange.span = start_span(scope, method)
            except Exception as exc:
                self._report("start_span", exc)
        scope_token = REQUEST_SCOPE.set(scope) if READERS.subscribed else None
        try:
            await self.app(scope, exchange.receive, exchange.send)
        except BaseException as exc:
            if not exchange.done:
                # Even after a 200 has started, a response that broke off is an error.
                exchange.status = _DISCONNECTED if exchange.disconnected else _SERVER_ERROR
                self._finish(exchange, exc)
            raise
        else:
            if not exchange.done:
                # The app returned without completing a response: Starlette stops a stream
                # whose client left (uvicorn's ASGI 2.3), a 200 that reached nobody in full.
                if exchange.disconnected:
                    exchange.status = _DISCONNECTED
                elif exchange.status is None:
                    exchange.status = _SERVER_ERROR
                self._finish(exchange)
        finally:
            if scope_token is not None:
                REQUEST_SCOPE.reset(scope_token)
            if exchange.span is not None:
                try:
                    exchange.span.detach()
                except Exception as exc:
                    self._report("detach", exc)

    def _resolve_path(self, exchange: _Exchange) -> None:
        scope = exchange.scope
        try:
            template = self._routes.template(scope, exchange.entry_root)
        except Exception as exc:
            self._report("route template", exc)
            template = names.UNMATCHED_PATH
        if self._path_label is not None:
            try:
                template = str(self._path_label(scope, template))
            except Exception as exc:
                self._report("path_label callback", exc)
        exchange.path = template

    def _finish(self, exchange: _Exchange, error: BaseException | None = None) -> None:
        """Record the request once: at its last body chunk, or when the app gave up."""
        duration_ns = time.perf_counter_ns() - exchange.start_perf
        exchange.done = True
        status = exchange.status if exchange.status is not None else _SERVER_ERROR
        method = exchange.method
        self._in_flight[method].pop()
        if exchange.path is None:
            self._resolve_path(exchange)
        path = exchange.path or names.UNMATCHED_PATH
        span = exchange.span
        try:
            series = self._series.get((method, path, status))
            if series is None:
                series = self._new_series(method, path, status)
            exemplar = _exemplar(span) if span is not None and self._exemplars else None
            series.record(
                duration_ns / 1e9, exchange.request_bytes, exchange.response_bytes, exemplar
            )
        except Exception as exc:
            self._report("recording", exc)
        if span is not None:
            try:
                route = None if path == names.UNMATCHED_PATH else path
                # The span lasts exactly the observed duration (its start is read later
                # than start_perf, and only when there is a span).
                end_ns = span.start_ns + duration_ns
                finish_span(span, route=route, status=status, error=error, end_ns=end_ns)
            except Exception as exc:
                self._report("finish_span", exc)

    def _new_series(self, method: str, path: str, status: int) -> Series:
        labels = (self._service, method, path)
        metrics = self._metrics
        series = Series(
            metrics.requests.labels(*labels, str(status)),
            metrics.duration.labels(*labels),
            metrics.request_size.labels(*labels),
            metrics.response_size.labels(*labels),
        )
        self._series[(method, path, status)] = series
        return series

    def _report(self, where: str, exc: Exception) -> None:
        """Log an internal error once per site; the request never sees it."""
        if where not in self._reported:
            self._reported.add(where)
            _log.error("zwobs: error in %s (logged once, request unaffected)", where, exc_info=exc)


def _exemplar(span: ServerSpan) -> dict[str, str] | None:
    context = span.span.get_span_context()
    if not (context.is_valid and context.trace_flags.sampled):
        return None
    return {
        "trace_id": trace.format_trace_id(context.trace_id),
        "span_id": trace.format_span_id(context.span_id),
    }


def _file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
