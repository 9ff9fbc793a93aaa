"""Prometheus metrics of zwobs.secrets (names from zwobs.names), with bounded labels only.

No label ever holds a path or a value: fetches by ``kind`` x ``result``, cache hits,
the staleness of what is served and the seconds until the token/leases expire.
"""

from __future__ import annotations

import math
import weakref
from typing import Final, Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge

from zwobs import names
from zwobs.lifecycle.families import PerRegistry

__all__ = ["KINDS", "RESULTS", "SecretMetrics", "metrics_for"]

KINDS: Final = ("kv", "lease", "token")
RESULTS: Final = ("ok", "stale", "error", "denied", "not_found")


class Observed(Protocol):
    """What a client reports at scrape time."""

    def staleness_seconds(self) -> float: ...

    def expiry_seconds(self, kind: str) -> float: ...


class SecretMetrics:
    """The metric objects of one registry, shared by every client registered on it."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._clients: weakref.WeakSet[Observed] = weakref.WeakSet()
        self.fetches = Counter(
            names.SECRET_FETCHES.removesuffix("_total"),
            "Reads from the secret store, by kind (kv, lease, token) and result.",
            [names.LABEL_KIND, names.LABEL_RESULT],
            registry=registry,
        )
        for kind in KINDS:
            for result in RESULTS:
                self.fetches.labels(kind, result)
        self.cache_hits = Counter(
            names.SECRET_CACHE_HITS.removesuffix("_total"),
            "Secret reads answered from memory inside their TTL (no request).",
            registry=registry,
        )
        self.staleness = Gauge(
            names.SECRET_STALENESS,
            "Age past its TTL of the stalest secret being served (0 when all are fresh).",
            registry=registry,
        )
        self.staleness.set_function(self._staleness)
        self.expiry = Gauge(
            names.SECRET_EXPIRY,
            "Seconds until the soonest token/lease expires (+Inf when none expires).",
            [names.LABEL_KIND],
            registry=registry,
        )
        self.expiry.labels("token").set_function(lambda: self._expiry("token"))
        self.expiry.labels("lease").set_function(lambda: self._expiry("lease"))

    def register(self, client: Observed) -> None:
        self._clients.add(client)

    def _staleness(self) -> float:
        return max((c.staleness_seconds() for c in list(self._clients)), default=0.0)

    def _expiry(self, kind: str) -> float:
        return min((c.expiry_seconds(kind) for c in list(self._clients)), default=math.inf)


metrics_for: PerRegistry[SecretMetrics] = PerRegistry(SecretMetrics)
"""``metrics_for(registry)``: the one SecretMetrics of ``registry`` (default: the global one)."""
