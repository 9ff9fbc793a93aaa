"""One SDK tracer provider for the test process, with an in-memory exporter cleared per test.

The global provider can be set only once per process; if another area's tests
already set an SDK provider, the exporter is added to that one instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

_exporter = InMemorySpanExporter()


def _install() -> None:
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        trace.set_tracer_provider(TracerProvider())
        provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    if not getattr(provider, "_zwobs_test_exporter", False):
        provider.add_span_processor(SimpleSpanProcessor(_exporter))
        provider._zwobs_test_exporter = True  # type: ignore[attr-defined]


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """The in-memory exporter, empty at the start of the test."""
    _install()
    _exporter.clear()
    yield _exporter
    _exporter.clear()
