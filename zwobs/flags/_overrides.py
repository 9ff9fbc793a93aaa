"""Flags forced by tests: consulted before any state, process-wide (threads included)."""

from __future__ import annotations

import threading

from zwobs.flags.variant import Variant

__all__ = ["forced", "pop", "push"]

Forced = bool | Variant

_stack: list[dict[str, Forced]] = []
_lock = threading.Lock()
forced: dict[str, Forced] = {}
"""The merged view read by evaluations (replaced, never mutated, so readers need no lock)."""


def _rebuild() -> None:
    global forced  # noqa: PLW0603
    merged: dict[str, Forced] = {}
    for layer in _stack:
        merged.update(layer)
    forced = merged


def push(layer: dict[str, Forced]) -> None:
    with _lock:
        _stack.append(layer)
        _rebuild()


def pop(layer: dict[str, Forced]) -> None:
    with _lock:
        for i in range(len(_stack) - 1, -1, -1):
            if _stack[i] is layer:
                del _stack[i]
                break
        _rebuild()


def refresh() -> None:
    """Re-read the layers after one of them changed in place."""
    with _lock:
        _rebuild()
