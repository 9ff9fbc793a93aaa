"""ECS JSON log lines: field names, span correlation, and never raising."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from zwobs.tracing.logs import JsonFormatter, setup_logging


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("user-service"))
    log = logging.getLogger("tests.tracing.logs")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    yield log, stream
    log.removeHandler(handler)
    log.propagate = True


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_line_has_ecs_fields(logger: tuple[logging.Logger, io.StringIO]) -> None:
    log, stream = logger
    log.warning("disk %s%% full", 93)
    (line,) = _lines(stream)
    assert line["message"] == "disk 93% full"
    assert line["log.level"] == "warning"
    assert line["log.logger"] == "tests.tracing.logs"
    assert line["service.name"] == "user-service"
    assert line["@timestamp"].endswith("Z") and "T" in line["@timestamp"]
    assert line["log.origin.function"] == "test_line_has_ecs_fields"
    assert "trace.id" not in line


def test_each_record_is_exactly_one_line(logger: tuple[logging.Logger, io.StringIO]) -> None:
    log, stream = logger
    log.info("first\nsecond")
    try:
        raise ValueError("multi\nline")
    except ValueError:
        log.exception("failed")
    assert len(stream.getvalue().splitlines()) == 2


def test_line_inside_a_span_carries_its_trace_and_span_ids(
    spans: InMemorySpanExporter, logger: tuple[logging.Logger, io.StringIO]
) -> None:
    log, stream = logger
    with trace.get_tracer("tests").start_as_current_span("work") as span:
        log.info("inside")
    (line,) = _lines(stream)
    context = span.get_span_context()
    assert line["trace.id"] == trace.format_trace_id(context.trace_id)
    assert line["span.id"] == trace.format_span_id(context.span_id)


def test_exception_gives_error_fields(logger: tuple[logging.Logger, io.StringIO]) -> None:
    log, stream = logger
    try:
        raise KeyError("user 7")
    except KeyError:
        log.exception("lookup failed")
    (line,) = _lines(stream)
    assert line["error.type"] == "KeyError"
    assert line["error.message"] == "'user 7'"
    assert "Traceback" in line["error.stack_trace"]
    assert line["log.level"] == "error"


class _Opaque:
    def __repr__(self) -> str:
        return "<opaque>"


class _Hostile:
    def __repr__(self) -> str:
        raise RuntimeError("repr refuses")

    def __str__(self) -> str:
        raise RuntimeError("str refuses")


def test_non_json_extra_values_are_written_as_repr(
    logger: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = logger
    circular: dict[str, Any] = {}
    circular["self"] = circular
    log.info(
        "with extras",
        extra={
            "user_id": 7,
            "obj": _Opaque(),
            "tags": {"a", "b"} and ["a"],
            "circular": circular,
            "tuple_keys": {(1, 2): "x"},
            "color_message": "\x1b[36mwith extras\x1b[0m",
        },
    )
    (line,) = _lines(stream)
    assert line["user_id"] == 7
    assert line["obj"] == "<opaque>"
    assert line["tags"] == ["a"]
    assert isinstance(line["circular"], str)
    assert isinstance(line["tuple_keys"], str)
    assert line["message"] == "with extras"
    assert "color_message" not in line  # uvicorn's ANSI duplicate of the message


def _format(msg: object, args: tuple[object, ...] = (), **extra: object) -> dict[str, Any]:
    record = logging.makeLogRecord({"name": "direct", "msg": msg, "args": args, **extra})
    return json.loads(JsonFormatter().format(record))  # type: ignore[no-any-return]


def test_bad_format_args_keep_message_and_args() -> None:
    line = _format("needs two %s %s", ("one",))
    assert line["message"] == "needs two %s %s ('one',)"


def test_hostile_message_and_extra_never_raise() -> None:
    assert _format(_Hostile())["log.logger"] == "direct"
    line = _format("extra", hostile=_Hostile())
    assert line["message"] == "extra"
    assert line["hostile"].startswith("<unrepresentable")


@pytest.fixture
def restored_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_setup_logging_routes_everything_to_one_json_handler(restored_root: None) -> None:
    first = io.StringIO()
    setup_logging("svc", stream=first)
    stream = io.StringIO()
    setup_logging("svc", stream=stream)  # again: replaces, does not add
    logging.getLogger("uvicorn.error").warning("started")
    logging.getLogger("app.module").debug("hidden at INFO")
    assert first.getvalue() == ""
    (line,) = _lines(stream)
    assert line["log.logger"] == "uvicorn.error"
    assert line["service.name"] == "svc"


def test_service_name_falls_back_to_the_tracer_provider_resource() -> None:
    code = """
import json, logging
from zwobs.tracing import JsonFormatter, configure
configure("from-provider")
record = logging.makeLogRecord({"name": "x", "msg": "hi"})
print(JsonFormatter().format(record))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "ZWOBS_"))}
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["service.name"] == "from-provider"
