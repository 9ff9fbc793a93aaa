"""Flag metrics: evaluations by flag and result, refresh failures, readiness and state age.

Label values are bounded: a name the flag state does not know is counted as
``<unknown>`` and, past a per-process cap of distinct flags, as ``<other>``;
results are true/false/default or a variant name from the state.
Readiness, degradation and age are read from the process-wide client at scrape time.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from prometheus_client import REGISTRY, CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from zwobs import names
from zwobs.flags._fetch import REASONS

if TYPE_CHECKING:
    from zwobs.flags.status import FlagStatus

__all__ = ["FlagMetrics", "flag_metrics"]

MAX_FLAG_LABELS = 1000
"""Distinct ``flag`` label values per process before new ones collapse to ``<other>``."""


def _strip_total(name: str) -> str:
    return name.removesuffix("_total")


class _StatusCollector(Collector):
    def __init__(self, status: Callable[[], FlagStatus | None]) -> None:
        self._status = status

    def collect(self) -> Iterable[Metric]:
        status = self._status()
        if status is None:
            return
        ready = GaugeMetricFamily(
            names.FLAG_READY, "1 when feature flags answer from the state they are configured for"
        )
        ready.add_metric([], 1.0 if status.ready else 0.0)
        degraded = GaugeMetricFamily(
            names.FLAG_DEGRADED,
            "1 when the last flag refresh failed and the last good state is in use",
            labels=[names.LABEL_REASON],
        )
        for reason in REASONS:
            degraded.add_metric([reason], 1.0 if status.reason_code == reason else 0.0)
        age = GaugeMetricFamily(
            names.FLAG_STATE_AGE,
            "Seconds since the flag state was last confirmed by the server (0 offline, +Inf never)",
        )
        age.add_metric([], math.inf if status.state_age is None else status.state_age)
        yield ready
        yield degraded
        yield age


class FlagMetrics:
    """The counters, with cached children so the hot path costs one dict lookup and one inc."""

    def __init__(
        self, registry: CollectorRegistry, status: Callable[[], FlagStatus | None]
    ) -> None:
        self._evaluations = Counter(
            _strip_total(names.FLAG_EVALUATIONS),
            "Feature flag evaluations by flag and result",
            [names.LABEL_FLAG, names.LABEL_RESULT],
            registry=registry,
        )
        self._failures = Counter(
            _strip_total(names.FLAG_REFRESH_FAILURES),
            "Failed refreshes of the feature flag state, by reason",
            [names.LABEL_REASON],
            registry=registry,
        )
        for reason in REASONS:
            self._failures.labels(reason)
        registry.register(_StatusCollector(status))
        self._children: dict[tuple[str, str], Counter] = {}
        self._flags: set[str] = set()
        self._lock = threading.Lock()

    def evaluated(self, flag: str, known: bool, result: str) -> None:
        key = (flag if known else names.UNKNOWN_FLAG, result if known else "default")
        child = self._children.get(key)
        if child is None:
            child = self._child(key)
        child.inc()

    def _child(self, key: tuple[str, str]) -> Counter:
        with self._lock:
            flag, result = key
            if flag not in self._flags and flag != names.UNKNOWN_FLAG:
                if len(self._flags) >= MAX_FLAG_LABELS:
                    flag = names.OTHER_FLAG
                else:
                    self._flags.add(flag)
            child = self._evaluations.labels(flag, result)
            if len(self._children) < 4 * MAX_FLAG_LABELS:
                self._children[key] = child
            return child

    def refresh_failed(self, reason: str) -> None:
        self._failures.labels(reason if reason in REASONS else "http_error").inc()


_metrics: FlagMetrics | None = None
_metrics_lock = threading.Lock()


def flag_metrics(status: Callable[[], FlagStatus | None]) -> FlagMetrics:
    """The process's flag metrics in the default registry, created on first use."""
    global _metrics  # noqa: PLW0603 - one set of metric families per process
    if _metrics is None:
        with _metrics_lock:
            if _metrics is None:
                _metrics = FlagMetrics(REGISTRY, status)
    return _metrics
