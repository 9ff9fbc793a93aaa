"""JSON log lines with ECS field names, correlated with the active span.

One JSON object per line, as Filebeat/Elasticsearch/Kibana expect:
``@timestamp``, ``log.level``, ``log.logger``, ``message``, ``service.name``,
``trace.id``/``span.id`` (from the active OpenTelemetry span, so a line logged
inside a request handler carries that request's trace id), ``error.*`` for
exceptions, and the record's ``extra`` fields. Formatting never raises: a
value that JSON cannot hold is written as its ``repr``, and if even that fails
the line still carries the time, level, logger and message.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import IO, Any, Final

from opentelemetry import trace

from zwobs.env import env_str
from zwobs.tracing.server import error_type, span_context_of

__all__ = ["JsonFormatter", "setup_logging"]

ECS_VERSION: Final = "8.11.0"

# Attributes every LogRecord has: anything else on a record came from ``extra``.
_RECORD_FIELDS: Final = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys()
    | {"message", "asctime", "taskName", "color_message"}  # uvicorn's ANSI copy of message
)
_MAX_REPR: Final = 2_000


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of ECS JSON; see the module docstring.

    ``service.name`` is ``service``, else ``OTEL_SERVICE_NAME`` / ``ZWOBS_SERVICE``,
    else the service name of the SDK tracer provider once one is set.
    """

    def __init__(self, service: str | None = None) -> None:
        super().__init__()
        self.service = service or env_str("OTEL_SERVICE_NAME") or env_str("ZWOBS_SERVICE")

    def format(self, record: logging.LogRecord) -> str:
        try:
            document = self._document(record)
        except Exception as exc:  # never raise from inside logging
            return self._fallback(record, exc)
        try:
            return json.dumps(document, default=_safe_value, ensure_ascii=False)
        except Exception:  # e.g. a circular dict or non-string keys in ``extra``
            try:
                safe = {key: _json_safe(value) for key, value in document.items()}
                return json.dumps(safe, default=_safe_value, ensure_ascii=False)
            except Exception as exc:
                return self._fallback(record, exc)

    def _document(self, record: logging.LogRecord) -> dict[str, Any]:
        document: dict[str, Any] = {
            "@timestamp": _timestamp(record.created),
            "log.level": record.levelname.lower(),
            "log.logger": record.name,
            "message": _message(record),
            "ecs.version": ECS_VERSION,
            "log.origin.file.name": record.filename,
            "log.origin.file.line": record.lineno,
            "log.origin.function": record.funcName,
            "process.pid": record.process,
            "process.thread.name": record.threadName,
        }
        if not self.service:
            self.service = _provider_service_name()
        if self.service:
            document["service.name"] = self.service
        context = trace.get_current_span().get_span_context()
        if not context.is_valid and record.exc_info and record.exc_info[1] is not None:
            # Logged after the request ended (uvicorn's "Exception in ASGI application"):
            # the exception still knows its request's span.
            context = span_context_of(record.exc_info[1]) or context
        if context.is_valid:
            document["trace.id"] = trace.format_trace_id(context.trace_id)
            document["span.id"] = trace.format_span_id(context.span_id)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            document["error.type"] = error_type(error)
            document["error.message"] = _safe_str(error)
            document["error.stack_trace"] = "".join(traceback.format_exception(error))
        elif record.exc_text:
            document["error.stack_trace"] = record.exc_text
        if record.stack_info:
            document["log.origin.stack_trace"] = record.stack_info
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and key not in document:
                document[key] = value
        return document

    def _fallback(self, record: logging.LogRecord, exc: BaseException) -> str:
        return json.dumps(
            {
                "@timestamp": _timestamp(getattr(record, "created", 0.0)),
                "log.level": str(getattr(record, "levelname", "error")).lower(),
                "log.logger": str(getattr(record, "name", "")),
                "message": _safe_str(getattr(record, "msg", "")),
                "zwobs.format_error": f"{type(exc).__name__}: {_safe_str(exc)}",
            },
            ensure_ascii=False,
        )


def _provider_service_name() -> str | None:
    resource = getattr(trace.get_tracer_provider(), "resource", None)
    name = getattr(resource, "attributes", {}).get("service.name")
    if isinstance(name, str) and name and not name.startswith("unknown_service"):
        return name
    return None


def _timestamp(created: float) -> str:
    moment = datetime.fromtimestamp(created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # bad %-args: keep both parts rather than lose the line
        return f"{_safe_str(record.msg)} {_safe_value(record.args)}"


def _safe_str(value: object) -> str:
    try:
        return str(value)
    except Exception:
        return _safe_value(value)


def _safe_value(value: object) -> str:
    """``json.dumps`` default: the repr, bounded, of whatever JSON cannot hold."""
    try:
        text = repr(value)
    except Exception:
        text = f"<unrepresentable {type(value).__name__}>"
    return text if len(text) <= _MAX_REPR else text[:_MAX_REPR] + "..."


def _json_safe(value: object) -> object:
    """``value`` if JSON can hold it alone, else its repr."""
    try:
        json.dumps(value, default=_safe_value)
    except Exception:
        return _safe_value(value)
    return value


_HANDLER_MARK: Final = "_zwobs_json_handler"


def setup_logging(
    service: str | None = None,
    *,
    level: int | str = logging.INFO,
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Send every log record, uvicorn's included, as ECS JSON lines to ``stream`` (stdout).

    Replaces the root logger's handlers with one JSON handler (calling it again
    replaces that handler rather than adding a second) and lets uvicorn's
    loggers propagate to it. Returns the handler.
    """
    handler = logging.StreamHandler(stream if stream is not None else sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    setattr(handler, _HANDLER_MARK, True)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        if getattr(old, _HANDLER_MARK, False):
            old.close()
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "gunicorn.error"):
        named = logging.getLogger(name)
        named.handlers.clear()
        named.propagate = True
    return handler
