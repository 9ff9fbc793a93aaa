"""ASGI apps for ``python -m bench.middleware --uvicorn``: the bench app bare and instrumented."""

from __future__ import annotations

from prometheus_client import CollectorRegistry
from prometheus_fastapi_instrumentator import Instrumentator
from starlette_exporter import PrometheusMiddleware

import zwobs
from bench.app import build_app

bare = build_app()
zwobs_app = zwobs.instrument(build_app(), service="bench")

instrumentator_app = build_app()
Instrumentator(registry=CollectorRegistry()).instrument(instrumentator_app)

starlette_exporter_app = build_app()
starlette_exporter_app.add_middleware(PrometheusMiddleware, app_name="bench")
