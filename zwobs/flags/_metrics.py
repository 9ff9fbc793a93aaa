"""Flag metrics: evaluations by flag and result, refresh failures, readiness and state age.

Label values are bounded: a name the flag state does not know is counted as
``<unknown>`` and, past a cap of distinct flags per registry, as ``<other>``;
results are true/false/default or a variant name from the state.
Readiness, degradation and age are read at scrape time from the clients that export them
on that registry (the process-wide client on the default one, or a client given its own
registry); several clients on one registry are summed up truthfully: ready when all are,
degraded for each reason any of them has, the oldest state's age.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Iterable
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from zwobs import names
from zwobs.flags._fetch import REASONS
from zwobs.flags.status import FlagStatus
from zwobs.lifecycle.families import PerRegistry

__all__ = ["FlagMetrics", "StatusSource", "flag_metrics"]

MAX_FLAG_LABELS = 1000
"""Distinct ``flag`` label values per registry before new ones collapse to ``<other>``."""


def _strip_total(name: str) -> str:
    return name.removesuffix("_total")


class StatusSource(Protocol):
    def status(self) -> FlagStatus: ...


class _StatusCollector(Collector):
    def __init__(self) -> None:
        self.sources: weakref.WeakSet[StatusSource] = weakref.WeakSet()

    def collect(self) -> Iterable[Metric]:
        statuses = [source.status() for source in list(self.sources)]
        if not statuses:
            return
        ready = GaugeMetricFamily(
            names.FLAG_READY, "1 when feature flags answer from the state they are configured for"
        )
        ready.add_metric([], 1.0 if all(s.ready for s in statuses) else 0.0)
        degraded = GaugeMetricFamily(
            names.FLAG_DEGRADED,
            "1 when the last flag refresh failed and the last good state is in use",
            labels=[names.LABEL_REASON],
        )
        codes = {s.reason_code for s in statuses}
        for reason in REASONS:
            degraded.add_metric([reason], 1.0 if reason in codes else 0.0)
        age = GaugeMetricFamily(
            names.FLAG_STATE_AGE,
            "Seconds since the flag state was last confirmed by the server (0 offline, +Inf never)",
        )
        ages = [math.inf if s.state_age is None else s.state_age for s in statuses]
        age.add_metric([], max(ages))
        yield ready
        yield degraded
        yield age


class FlagMetrics:
    """The counters, with cached children so the hot path costs one dict lookup and one inc."""

    def __init__(self, registry: CollectorRegistry) -> None:
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
        self._status = _StatusCollector()
        registry.register(self._status)
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

    def export_status(self, source: StatusSource) -> None:
        """Report ``source``'s readiness, degradation and state age on this registry."""
        self._status.sources.add(source)

    def withdraw_status(self, source: StatusSource) -> None:
        self._status.sources.discard(source)

    def refresh_failed(self, reason: str) -> None:
        self._failures.labels(reason if reason in REASONS else "http_error").inc()


flag_metrics: PerRegistry[FlagMetrics] = PerRegistry(FlagMetrics)
"""``flag_metrics(registry)``: the flag metrics of ``registry`` (default: the global one)."""
