"""The incoming context, extracted by the global propagator with bounded log output.

OpenTelemetry's propagators log what they reject and quote it: a 47 KB
``baggage`` header is logged whole, on every request, and each malformed
list-member or ``tracestate`` pair gets a line of its own. While zwobs
extracts, a filter on the propagators' loggers lets at most
``_RECORDS_PER_REQUEST`` records of one request through, each argument cut to
``_ARGUMENT_CHARS`` characters, and says once how many it held back. Valid
headers are extracted exactly as the propagator does; outside zwobs's
extraction those loggers are untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Final

from opentelemetry.context import Context
from opentelemetry.propagate import extract, get_global_textmap
from opentelemetry.propagators.textmap import TextMapPropagator

__all__ = ["extract_bounded"]

_RECORDS_PER_REQUEST: Final = 2
_ARGUMENT_CHARS: Final = 120
# Modules of the API that log while extracting (TraceState logs from trace.span).
_API_LOGGERS: Final = (
    "opentelemetry.baggage",
    "opentelemetry.baggage.propagation",
    "opentelemetry.propagate",
    "opentelemetry.propagators.composite",
    "opentelemetry.trace.propagation.tracecontext",
    "opentelemetry.trace.span",
)

_log = logging.getLogger("zwobs.tracing")


class _Budget:
    __slots__ = ("held_back", "left")

    def __init__(self) -> None:
        self.left = _RECORDS_PER_REQUEST
        self.held_back = 0


_budget: ContextVar[_Budget | None] = ContextVar("zwobs_extract_log_budget", default=None)


def _cut(value: object) -> object:
    if isinstance(value, str) and len(value) > _ARGUMENT_CHARS:
        return f"{value[:_ARGUMENT_CHARS]}... ({len(value)} characters)"
    return value


class _BoundedRequestLog(logging.Filter):
    """Caps and shortens the records a propagator logs while zwobs extracts."""

    def filter(self, record: logging.LogRecord) -> bool:
        budget = _budget.get()
        if budget is None:
            return True
        if budget.left <= 0:
            budget.held_back += 1
            return False
        budget.left -= 1
        if not record.args:  # a message with arguments is a constant template: keep it whole
            record.msg = _cut(record.msg)
        elif isinstance(record.args, tuple):
            record.args = tuple(_cut(arg) for arg in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {key: _cut(arg) for key, arg in record.args.items()}
        return True


_FILTER: Final = _BoundedRequestLog()


class _Loggers:
    """Puts the filter on the loggers of the global propagator, once per propagator."""

    __slots__ = ("propagator",)

    def __init__(self) -> None:
        self.propagator: TextMapPropagator | None = None

    def cover(self) -> None:
        propagator = get_global_textmap()
        if propagator is self.propagator:
            return
        parts = getattr(propagator, "_propagators", None)  # the composite's members
        members = list(parts) if isinstance(parts, list | tuple) else []
        modules = {type(member).__module__ for member in (propagator, *members)}
        for name in sorted(modules | set(_API_LOGGERS)):
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)
        self.propagator = propagator


_loggers = _Loggers()


def extract_bounded(carrier: dict[str, list[str]]) -> Context:
    """``opentelemetry.propagate.extract(carrier)`` with at most a few short log lines."""
    _loggers.cover()
    budget = _Budget()
    token = _budget.set(budget)
    try:
        return extract(carrier)
    finally:
        _budget.reset(token)
        if budget.held_back:
            _log.warning(
                "zwobs: %d more warnings of the propagator about this request's "
                "trace-context headers were not logged",
                budget.held_back,
            )
