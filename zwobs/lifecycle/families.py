"""Metric families declared once per Prometheus registry.

prometheus_client refuses a second family of one name in a registry, and a client may
be given its own registry (tests, a sidecar exporter): so families are built once per
registry and kept while the registry lives (weak keys: a dropped registry is freed).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from prometheus_client import REGISTRY, CollectorRegistry

__all__ = ["PerRegistry"]

T = TypeVar("T")


class PerRegistry(Generic[T]):
    """``families(registry)``: the one ``T`` built by ``build`` for that registry.

    ``get(registry, build)`` builds with a call-specific function instead (families whose
    shape depends on the first caller's arguments, such as histogram buckets).
    """

    def __init__(self, build: Callable[[CollectorRegistry], T] | None = None) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._by_registry: weakref.WeakKeyDictionary[CollectorRegistry, T] = (
            weakref.WeakKeyDictionary()
        )

    def __call__(self, registry: CollectorRegistry | None = None) -> T:
        if self._build is None:
            raise TypeError("PerRegistry without a default build: call get(registry, build)")
        return self.get(registry, self._build)

    def get(self, registry: CollectorRegistry | None, build: Callable[[CollectorRegistry], T]) -> T:
        reg = REGISTRY if registry is None else registry
        found = self._by_registry.get(reg)
        if found is not None:
            return found
        with self._lock:
            found = self._by_registry.get(reg)
            if found is None:
                found = self._by_registry[reg] = build(reg)
            return found
