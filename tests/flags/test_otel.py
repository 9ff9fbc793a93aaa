"""The OpenTelemetry ``feature_flag.evaluation`` span event: off by default, on when asked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.flags.payloads import RICH
from zwobs.flags import FlagsClient


@pytest.fixture
def traced() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter
    provider.shutdown()


def test_no_span_event_by_default(traced: tuple[TracerProvider, InMemorySpanExporter]) -> None:
    provider, exporter = traced
    client = FlagsClient(bootstrap=RICH)
    with provider.get_tracer("t").start_as_current_span("request"):
        client.is_enabled("simple_on")
    assert exporter.get_finished_spans()[0].events == ()


def test_span_event_carries_key_variant_provider_and_value(
    traced: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    provider, exporter = traced
    client = FlagsClient(bootstrap=RICH, span_events=True)
    with provider.get_tracer("t").start_as_current_span("request"):
        client.is_enabled("simple_on")
        client.get_variant("variants", user_id="u1")
        client.is_enabled("missing")
    events = exporter.get_finished_spans()[0].events
    assert [e.name for e in events] == ["feature_flag.evaluation"] * 3
    first, second, third = (dict(e.attributes or {}) for e in events)
    assert first == {
        "feature_flag.key": "simple_on",
        "feature_flag.provider.name": "zwobs-unleash",
        "feature_flag.result.variant": "true",
        "feature_flag.result.reason": "static",
        "feature_flag.result.value": True,
    }
    assert second["feature_flag.result.variant"] in ("red", "blue")
    assert "feature_flag.result.value" not in second  # payloads may be sensitive
    assert third["feature_flag.result.reason"] == "default"
