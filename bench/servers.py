"""ASGI apps for ``python -m bench.middleware --uvicorn``: the bench app bare and instrumented."""

from __future__ import annotations

from typing import Any

from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from prometheus_client import CollectorRegistry
from prometheus_fastapi_instrumentator import Instrumentator
from starlette_exporter import PrometheusMiddleware

import zwobs
from bench.app import build_app

bare = build_app()
zwobs_app = zwobs.instrument(build_app(), service="bench")  # the defaults: tracing on
zwobs_metrics_app = zwobs.instrument(
    build_app(), service="bench-metrics", registry=CollectorRegistry(), tracing=False
)


def zwobs_flags_app() -> Any:
    """The defaults in a service that uses flags (a uvicorn ``--factory``): importing
    ``zwobs.flags`` has the middleware publish each request's scope, in this process only."""
    import zwobs.flags

    return zwobs.instrument(build_app(), service="bench-flags")


instrumentator_app = build_app()
Instrumentator(registry=CollectorRegistry()).instrument(instrumentator_app)

starlette_exporter_app = build_app()
starlette_exporter_app.add_middleware(PrometheusMiddleware, app_name="bench")

otel_asgi_app: Any = OpenTelemetryMiddleware(build_app())  # API only, like zwobs's default
