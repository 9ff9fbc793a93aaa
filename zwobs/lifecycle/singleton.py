"""The process-wide instance: built on first use, replaceable, readable without building."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["ProcessSingleton"]

T = TypeVar("T")


class ProcessSingleton(Generic[T]):
    """One ``T`` per process; the first ``get`` builds it (once, under a lock)."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        value = self._value
        if value is not None:
            return value
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value

    def current(self) -> T | None:
        """The instance if one exists (a scrape reads it without building one)."""
        return self._value

    def replace(self, value: T | None) -> T | None:
        """Install ``value`` (None: build anew on next use); returns the previous one."""
        with self._lock:
            old, self._value = self._value, value
        return old
