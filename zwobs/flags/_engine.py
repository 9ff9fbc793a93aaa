"""Unleash's own evaluation engine (yggdrasil, shipped with UnleashClient), behind one small class.

zwobs fetches, caches and refreshes the definitions itself; evaluation is
delegated to the engine UnleashClient uses, so stickiness, constraints and
variants mean exactly what they mean in every Unleash SDK.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from functools import cache
from typing import Any

from zwobs.flags.errors import FlagsConfigError, FlagsUnavailableError
from zwobs.flags.variant import Variant

__all__ = ["Engine", "engine_available"]

_log = logging.getLogger("zwobs.flags")


@cache
def engine_available() -> bool:
    """True when the ``flags`` extra (UnleashClient and its yggdrasil engine) is installed."""
    try:
        importlib.import_module("yggdrasil_engine.engine")
    except ImportError:
        return False
    return True


def _new_engine() -> Any:
    try:
        from yggdrasil_engine.engine import (  # type: ignore[import-untyped]
            UnleashEngine,
        )
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise FlagsUnavailableError(
            "zwobs.flags needs the 'flags' extra to evaluate Unleash flags: "
            "pip install 'zwobs[flags]'"
        ) from exc
    return UnleashEngine()


class Engine:
    """One engine instance loaded with one state; never mutated after construction."""

    __slots__ = ("_check_enabled", "_check_variant", "_engine")

    def __init__(self, raw_state: str, origin: str, *, private_paths: bool = True) -> None:
        self._engine = _new_engine()
        try:
            warnings = self._engine.take_state(raw_state)
        except Exception as exc:
            raise FlagsConfigError(f"{origin}: the Unleash engine rejected it: {exc}") from None
        if warnings:
            _log.warning("%s: some flags may not evaluate as expected: %s", origin, warnings)
        # The engine's private single-call paths skip the impression-event lookup and the
        # usage counting (a second and third call across the FFI boundary per evaluation);
        # fall back on the public ones if a future engine drops them. Every CI run checks
        # that fallback against the private paths (``private_paths=False``, test_engine.py).
        found = private_paths
        self._check_enabled = getattr(self._engine, "_do_is_enabled", None) if found else None
        self._check_variant = getattr(self._engine, "_do_get_variant", None) if found else None

    def is_enabled(self, name: str, context: Mapping[str, Any]) -> bool | None:
        """The engine's answer, or None when it does not know ``name``."""
        try:
            if self._check_enabled is not None:
                value = self._check_enabled(name, context)
                return None if value is None else bool(value)
            result = self._engine.check_enabled(name, context)
            return bool(result.is_enabled) if result.is_found else None
        except Exception:
            _log.warning("evaluating flag %r failed", name, exc_info=True)
            return None

    def variant(self, name: str, context: Mapping[str, Any]) -> Variant | None:
        """The engine's variant, or None when it does not know ``name``."""
        try:
            if self._check_variant is not None:
                raw = self._check_variant(name, context)
            else:
                result = self._engine.check_variant(name, context)
                raw = result.variant if result.is_found else None
        except Exception:
            _log.warning("evaluating variant of flag %r failed", name, exc_info=True)
            return None
        if raw is None:
            return None
        payload = raw.payload or {}
        value = payload.get("value")
        return Variant(
            name=str(raw.name),
            enabled=bool(raw.enabled),
            payload_type=payload.get("type"),
            payload=None if value is None else str(value),
            feature_enabled=bool(raw.feature_enabled),
        )
