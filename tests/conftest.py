"""Session-wide fixtures. Real servers live in tests/servers/; each test area asks for its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

_EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="session")
def _sdk_tracer_provider() -> TracerProvider:
    """One SDK provider for the whole session (OpenTelemetry allows setting it once)."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
    return provider


@pytest.fixture
def spans(_sdk_tracer_provider: TracerProvider) -> Iterator[InMemorySpanExporter]:
    """Finished spans of this test, from the session's in-memory exporter."""
    _EXPORTER.clear()
    yield _EXPORTER
    _EXPORTER.clear()
