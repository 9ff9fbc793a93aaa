"""The metric families of the contract, declared once per registry.

Several apps in one process (tests, sub-apps) share one set of families and
differ only by the ``service`` label, so declaring twice never fails and
never double counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from zwobs import names
from zwobs.lifecycle.families import PerRegistry
from zwobs.metrics.multiprocess import claim_own_files

__all__ = ["HttpMetrics", "http_metrics"]


@dataclass(frozen=True, slots=True)
class HttpMetrics:
    requests: Counter
    duration: Histogram
    in_progress: Gauge
    request_size: Histogram
    response_size: Histogram
    build_info: Gauge
    latency_buckets: tuple[float, ...]
    registry: CollectorRegistry


_families: PerRegistry[HttpMetrics] = PerRegistry()


def _counter_name(name: str) -> str:
    # prometheus_client appends ``_total`` to counters; names.py spells the exported name.
    return name.removesuffix("_total")


def http_metrics(
    registry: CollectorRegistry | None = None,
    latency_buckets: Sequence[float] = names.DEFAULT_LATENCY_BUCKETS,
) -> HttpMetrics:
    """The families in ``registry`` (default: the global one), declared on first use."""
    buckets = tuple(float(b) for b in latency_buckets)
    claim_own_files()
    metrics = _families.get(registry, partial(_declare, buckets=buckets))
    if metrics.latency_buckets != buckets:
        raise ValueError(
            f"zwobs: latency buckets {buckets} differ from the buckets "
            f"{metrics.latency_buckets} already declared in this registry; "
            "every app of a process must use the same buckets"
        )
    return metrics


def _declare(registry: CollectorRegistry, buckets: tuple[float, ...]) -> HttpMetrics:
    route = (names.LABEL_SERVICE, names.LABEL_METHOD, names.LABEL_PATH)
    return HttpMetrics(
        requests=Counter(
            _counter_name(names.REQUESTS_TOTAL),
            "HTTP requests by route template and status code.",
            (*route, names.LABEL_STATUS),
            registry=registry,
        ),
        duration=Histogram(
            names.REQUEST_DURATION,
            "Time from the request's arrival to its last response byte.",
            route,
            buckets=buckets,
            registry=registry,
        ),
        in_progress=Gauge(
            names.REQUESTS_IN_PROGRESS,
            "HTTP requests being handled now.",
            (names.LABEL_SERVICE, names.LABEL_METHOD),
            multiprocess_mode="livesum",
            registry=registry,
        ),
        request_size=Histogram(
            names.REQUEST_SIZE,
            "Bytes of request body actually received.",
            route,
            buckets=names.DEFAULT_SIZE_BUCKETS,
            registry=registry,
        ),
        response_size=Histogram(
            names.RESPONSE_SIZE,
            "Bytes of response body actually sent.",
            route,
            buckets=names.DEFAULT_SIZE_BUCKETS,
            registry=registry,
        ),
        build_info=Gauge(
            names.BUILD_INFO,
            "Always 1; the labels say which build of the service runs.",
            (names.LABEL_SERVICE, names.LABEL_VERSION, names.LABEL_COMMIT),
            multiprocess_mode="livemax",
            registry=registry,
        ),
        latency_buckets=buckets,
        registry=registry,
    )
