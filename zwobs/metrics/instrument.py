"""``zwobs.instrument(app)``: the one line a service adds."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry

from zwobs import names
from zwobs.env import EnvError, env_bool, env_list, env_str
from zwobs.metrics.families import http_metrics
from zwobs.metrics.middleware import MetricsMiddleware, PathLabel
from zwobs.metrics.routes import RouteTemplates

__all__ = ["DEFAULT_EXCLUDED_PATHS", "instrument"]

DEFAULT_EXCLUDED_PATHS: tuple[str, ...] = ("/healthz", "/readyz", "/livez", "/health", "/ready")
"""Health checks are polled constantly and would drown the real traffic."""

App = TypeVar("App")

_UNKNOWN = "unknown"


def _service_from_env() -> str | None:
    return env_str("ZWOBS_SERVICE") or env_str("OTEL_SERVICE_NAME")


def _buckets_from_env() -> tuple[float, ...] | None:
    parts = env_list("ZWOBS_LATENCY_BUCKETS")
    if not parts:
        return None
    try:
        return tuple(sorted(float(part) for part in parts))
    except ValueError:
        raise EnvError(
            f"ZWOBS_LATENCY_BUCKETS={','.join(parts)!r}: expected comma-separated seconds, "
            "e.g. 0.1,0.5,1"
        ) from None


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
        version or env_str("ZWOBS_VERSION") or _UNKNOWN,
        commit or env_str("ZWOBS_COMMIT") or _UNKNOWN,
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
        tracing=env_bool("ZWOBS_TRACING", True) if tracing is None else tracing,
    )
    state.zwobs_service = service
    return app
