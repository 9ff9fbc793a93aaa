"""``zwobs.instrument(app)``: the one line a service adds."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry

from zwobs import names
from zwobs.metrics.families import http_metrics
from zwobs.metrics.middleware import MetricsMiddleware, PathLabel
from zwobs.metrics.routes import RouteTemplates

__all__ = ["DEFAULT_EXCLUDED_PATHS", "instrument"]

DEFAULT_EXCLUDED_PATHS: tuple[str, ...] = ("/healthz", "/readyz", "/livez", "/health", "/ready")
"""Health checks are polled constantly and would drown the real traffic."""

App = TypeVar("App")

_UNKNOWN = "unknown"


def _service_from_env() -> str | None:
    return os.environ.get("ZWOBS_SERVICE") or os.environ.get("OTEL_SERVICE_NAME") or None


def _buckets_from_env() -> tuple[float, ...] | None:
    raw = os.environ.get("ZWOBS_LATENCY_BUCKETS")
    if not raw:
        return None
    try:
        buckets = tuple(sorted(float(part) for part in raw.split(",") if part.strip()))
    except ValueError:
        raise ValueError(
            f"ZWOBS_LATENCY_BUCKETS={raw!r}: expected comma-separated seconds, e.g. 0.1,0.5,1"
        ) from None
    return buckets


def _flag_from_env(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() not in ("0", "false", "no", "off")


def instrument(
    app: App,
    service: str | None = None,
    *,
    version: str | None = None,
    commit: str | None = None,
    registry: CollectorRegistry | None = None,
    metrics_path: str | None = "/metrics",
    excluded_paths: Collection[str] = DEFAULT_EXCLUDED_PATHS,
    path_label: PathLabel | None = None,
    latency_buckets: Sequence[float] | None = None,
    tracing: bool | None = None,
) -> App:
    """Add metrics, tracing and ``metrics_path`` to a Starlette or FastAPI app.

    Arguments win over the environment: ``ZWOBS_SERVICE`` (or ``OTEL_SERVICE_NAME``),
    ``ZWOBS_VERSION``, ``ZWOBS_COMMIT``, ``ZWOBS_LATENCY_BUCKETS``, ``ZWOBS_TRACING``.
    Calling it again on the same app does nothing; several apps in one process
    share the metric families and differ by ``service``. Returns ``app``.
    """
    state: Any = getattr(app, "state", None)
    if state is None or not hasattr(app, "add_middleware"):
        raise TypeError(f"zwobs.instrument expects a Starlette or FastAPI app, got {type(app)!r}")
    if getattr(state, "zwobs_service", None) is not None:
        return app
    service = service or _service_from_env()
    if not service:
        raise ValueError(
            "zwobs.instrument: no service name; pass service=... or set ZWOBS_SERVICE "
            "(or OTEL_SERVICE_NAME)"
        )
    buckets = latency_buckets or _buckets_from_env() or names.DEFAULT_LATENCY_BUCKETS
    metrics = http_metrics(registry, buckets)
    metrics.build_info.labels(
        service,
        version or os.environ.get("ZWOBS_VERSION") or _UNKNOWN,
        commit or os.environ.get("ZWOBS_COMMIT") or _UNKNOWN,
    ).set(1)
    excluded = set(excluded_paths)
    app.add_middleware(
        MetricsMiddleware,
        service=service,
        metrics=metrics,
        routes=RouteTemplates(app),
        metrics_path=metrics_path,
        excluded_paths=excluded,
        path_label=path_label,
        tracing=_flag_from_env("ZWOBS_TRACING", True) if tracing is None else tracing,
    )
    state.zwobs_service = service
    return app
