"""``zwobs.tracing.configure()`` from OTEL_* variables, each case in a fresh interpreter.

The global tracer provider can be set once per process, so every case runs
in its own subprocess. OTLP export goes to conftest's minimal OTLP/HTTP
receiver (a stand-in for a collector, which cannot be installed here).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from http.server import HTTPServer
from pathlib import Path
from typing import Any

import pytest

_ROOT = Path(__file__).resolve().parents[2]

_PRELUDE = """
import json, sys
from opentelemetry import trace
from zwobs.tracing import configure, TracingConfigError
def report(**values):
    print(json.dumps(values))
"""


def _run(code: str, **env: str) -> dict[str, Any]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "ZWOBS_"))}
    result = subprocess.run(
        [sys.executable, "-c", _PRELUDE + code],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=_ROOT,
        env={**clean, **env},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_spans_are_exported_over_otlp_http_to_the_configured_endpoint(
    otlp_receiver: HTTPServer,
) -> None:
    port = otlp_receiver.server_address[1]
    out = _run(
        """
provider = configure("checkout")
with trace.get_tracer("t").start_as_current_span("work") as span:
    trace_id = format(span.get_span_context().trace_id, "032x")
provider.shutdown()
report(trace_id=trace_id)
""",
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{port}",
    )
    ((path, request),) = otlp_receiver.received  # type: ignore[attr-defined]
    assert path == "/v1/traces"
    (resource_spans,) = request.resource_spans
    attrs = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert attrs["service.name"] == "checkout"
    (span,) = resource_spans.scope_spans[0].spans
    assert span.name == "work"
    assert span.trace_id.hex() == out["trace_id"]


def test_existing_provider_of_the_application_is_kept() -> None:
    out = _run(
        """
from opentelemetry.sdk.trace import TracerProvider
mine = TracerProvider()
trace.set_tracer_provider(mine)
report(kept=configure("x") is mine and trace.get_tracer_provider() is mine)
"""
    )
    assert out == {"kept": True}


def test_second_call_returns_the_provider_of_the_first() -> None:
    out = _run("report(same=configure('a') is configure('b'))")
    assert out == {"same": True}


def test_service_name_from_otel_service_name_when_not_given() -> None:
    code = "report(name=configure().resource.attributes['service.name'])"
    assert _run(code, OTEL_SERVICE_NAME="billing") == {"name": "billing"}
    assert _run(code, ZWOBS_SERVICE="ledger") == {"name": "ledger"}


def test_sampler_comes_from_otel_traces_sampler() -> None:
    out = _run(
        """
provider = configure("s")
span = trace.get_tracer("t").start_span("x")
report(sampler=type(provider.sampler).__name__, recording=span.is_recording())
""",
        OTEL_TRACES_SAMPLER="traceidratio",
        OTEL_TRACES_SAMPLER_ARG="0",
    )
    assert out == {"sampler": "TraceIdRatioBased", "recording": False}


def test_without_endpoint_spans_have_ids_but_nothing_is_exported() -> None:
    out = _run(
        """
provider = configure("quiet")
span = trace.get_tracer("t").start_span("x")
report(valid=span.get_span_context().is_valid,
       processors=len(provider._active_span_processor._span_processors))
"""
    )
    assert out == {"valid": True, "processors": 0}


def test_console_exporter_is_chosen_by_otel_traces_exporter() -> None:
    out = _run(
        """
provider = configure("c")
(processor,) = provider._active_span_processor._span_processors
report(exporter=type(processor.span_exporter).__name__)
""",
        OTEL_TRACES_EXPORTER="console",
    )
    assert out == {"exporter": "ConsoleSpanExporter"}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"OTEL_TRACES_EXPORTER": "zipkin"}, "expected one of otlp, console, none"),
        (
            {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
            "http/protobuf",
        ),
    ],
)
def test_unsupported_settings_give_a_clear_error(env: dict[str, str], expected: str) -> None:
    out = _run(
        """
try:
    configure("e")
except TracingConfigError as exc:
    report(error=str(exc))
""",
        **env,
    )
    assert expected in out["error"]
