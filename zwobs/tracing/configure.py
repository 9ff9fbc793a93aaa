"""``zwobs.tracing.configure()``: an SDK tracer provider from the standard OTEL_* variables.

Needs the ``tracing`` extra (opentelemetry-sdk and the OTLP/HTTP exporter),
imported only when called. What the SDK already reads from the environment
(``OTEL_TRACES_SAMPLER``/``_ARG``, ``OTEL_RESOURCE_ATTRIBUTES``,
``OTEL_EXPORTER_OTLP_*`` endpoint/headers/timeout/compression, ``OTEL_BSP_*``,
``OTEL_SDK_DISABLED``) is left to it; this module adds the choice of exporter
and the service name, and never replaces a provider the application set.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

from opentelemetry import trace

from zwobs.env import env_list, env_str

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import SpanProcessor
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.sdk.trace.sampling import Sampler

__all__ = ["TracingConfigError", "configure"]

_log = logging.getLogger("zwobs.tracing")

_ENDPOINT_VARS: Final = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
_HTTP_PROTOCOLS: Final = ("http/protobuf", None)


class TracingConfigError(ValueError):
    """An OTEL_* variable (or argument) asks for something zwobs cannot set up."""


def configure(
    service: str | None = None,
    *,
    exporter: SpanExporter | None = None,
    sampler: Sampler | None = None,
    processor: SpanProcessor | None = None,
) -> trace.TracerProvider:
    """Install an SDK ``TracerProvider`` as the global one, unless one is already set.

    - service name: ``service``, else ``OTEL_SERVICE_NAME`` / ``OTEL_RESOURCE_ATTRIBUTES``,
      else ``ZWOBS_SERVICE``;
    - exporter: ``exporter``, else ``OTEL_TRACES_EXPORTER`` (``otlp``, ``console``,
      ``none``); when that is unset, OTLP/HTTP if an ``OTEL_EXPORTER_OTLP_*ENDPOINT``
      is set, else none (spans are still made, so logs and exemplars carry trace ids);
    - sampler: ``sampler``, else ``OTEL_TRACES_SAMPLER`` (default parent-based always-on);
    - ``processor`` replaces the batch processor (tests pass a simple one).

    Returns the provider in force: the new one, or the application's own.
    """
    current = trace.get_tracer_provider()
    if not isinstance(current, trace.ProxyTracerProvider | trace.NoOpTracerProvider):
        _log.debug("zwobs.tracing.configure: keeping the tracer provider already set")
        return current
    try:
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise TracingConfigError(
            "zwobs.tracing.configure needs the OpenTelemetry SDK: pip install 'zwobs[tracing]'"
        ) from exc

    resource = Resource.create({})
    if service:
        resource = resource.merge(Resource({SERVICE_NAME: service}))
    elif str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        fallback = env_str("ZWOBS_SERVICE")
        if fallback:
            resource = resource.merge(Resource({SERVICE_NAME: fallback}))
    provider = TracerProvider(resource=resource, sampler=sampler)
    if processor is None:
        chosen = exporter if exporter is not None else _exporter_from_env()
        if chosen is not None:
            processor = BatchSpanProcessor(chosen)
    if processor is not None:
        provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    installed = trace.get_tracer_provider()
    if installed is not provider:  # another thread won the race: keep theirs
        provider.shutdown()
    return installed


def _exporter_from_env() -> SpanExporter | None:
    chosen = [name.lower() for name in env_list("OTEL_TRACES_EXPORTER")]
    names = ",".join(chosen)
    if not chosen:
        if any(env_str(var) for var in _ENDPOINT_VARS):
            return _otlp_exporter()
        _log.info(
            "zwobs tracing: spans are not exported; set OTEL_EXPORTER_OTLP_ENDPOINT "
            "(e.g. http://127.0.0.1:4318) to send them to a collector"
        )
        return None
    if chosen == ["none"]:
        return None
    if len(chosen) != 1:
        raise TracingConfigError(
            f"OTEL_TRACES_EXPORTER={names!r}: zwobs sets up one exporter; "
            "expected one of otlp, console, none"
        )
    if chosen[0] == "otlp":
        return _otlp_exporter()
    if chosen[0] == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    raise TracingConfigError(f"OTEL_TRACES_EXPORTER={names!r}: expected one of otlp, console, none")


def _otlp_exporter() -> SpanExporter:
    protocol = env_str("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env_str(
        "OTEL_EXPORTER_OTLP_PROTOCOL"
    )
    if protocol not in _HTTP_PROTOCOLS:
        raise TracingConfigError(
            f"OTLP protocol {protocol!r}: zwobs[tracing] ships the http/protobuf exporter; "
            "set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (port 4318) "
            "or configure a grpc exporter yourself"
        )
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
        OTLPSpanExporter,
    )

    # The exporter reads endpoint, headers, timeout, compression and TLS from OTEL_*.
    return OTLPSpanExporter()
