"""One immutable snapshot of the flag definitions, checked and analysed once when it arrives.

Evaluations read a snapshot through one attribute load, so a refresh swaps the
whole snapshot at once and the hot path takes no lock.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zwobs.flags._engine import Engine, engine_available
from zwobs.flags.errors import FlagsConfigError, FlagsUnavailableError

__all__ = ["FlagState", "build_state", "empty_state", "normalize_payload"]

_UNCONDITIONAL_STICKINESS = frozenset({"default", "random", ""})


@dataclass(frozen=True, slots=True, eq=False)
class FlagState:
    """Flag definitions as a payload, the engine loaded with them, and what is known up front."""

    payload: Mapping[str, Any]
    raw: str
    names: frozenset[str]
    constants: Mapping[str, bool]
    """``is_enabled`` answers that cannot depend on the context (flag off, or on for everyone)."""
    engine: Engine | None
    source: str
    """Where the definitions came from: ``empty``, ``bootstrap``, ``cache`` or ``server``."""
    etag: str | None = None
    loaded_at: float = field(default_factory=time.time)


def empty_state() -> FlagState:
    return FlagState(
        payload={"version": 2, "features": []},
        raw='{"version": 2, "features": []}',
        names=frozenset(),
        constants={},
        engine=None,
        source="empty",
    )


def _expect(cond: bool, where: str, what: str) -> None:
    if not cond:
        raise FlagsConfigError(f"{where}: expected {what}")


def normalize_payload(data: Any, origin: str) -> dict[str, Any]:
    """Check an Unleash ``/api/client/features`` payload and fill the optional lists.

    Raises FlagsConfigError naming ``origin`` and the offending field.
    """
    _expect(isinstance(data, dict), origin, "an object with a 'features' list")
    features = data.get("features")
    _expect(isinstance(features, list), f"{origin}: features", "a list of flags")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, feature in enumerate(features):
        where = f"{origin}: features[{i}]"
        _expect(isinstance(feature, dict), where, "an object")
        name = feature.get("name")
        _expect(isinstance(name, str) and bool(name), f"{where}.name", "a non-empty string")
        where = f"{origin}: flag {name!r}"
        _expect(name not in seen, where, "each flag name once")
        seen.add(name)
        enabled = feature.get("enabled", False)
        _expect(isinstance(enabled, bool), f"{where}.enabled", "true or false")
        strategies = feature.get("strategies") or []
        _expect(isinstance(strategies, list), f"{where}.strategies", "a list")
        fixed_strategies = []
        for j, strategy in enumerate(strategies):
            swhere = f"{where}.strategies[{j}]"
            _expect(isinstance(strategy, dict), swhere, "an object")
            _expect(isinstance(strategy.get("name"), str), f"{swhere}.name", "a strategy name")
            parameters = strategy.get("parameters") or {}
            _expect(isinstance(parameters, dict), f"{swhere}.parameters", "an object")
            constraints = strategy.get("constraints") or []
            _expect(isinstance(constraints, list), f"{swhere}.constraints", "a list")
            fixed_strategies.append(
                {**strategy, "parameters": parameters, "constraints": constraints}
            )
        variants = feature.get("variants") or []
        _expect(isinstance(variants, list), f"{where}.variants", "a list")
        for k, variant in enumerate(variants):
            _expect(
                isinstance(variant, dict) and isinstance(variant.get("name"), str),
                f"{where}.variants[{k}]",
                "an object with a name",
            )
        out.append({**feature, "enabled": enabled, "strategies": fixed_strategies})
    segments = data.get("segments") or []
    _expect(isinstance(segments, list), f"{origin}: segments", "a list")
    return {**data, "version": data.get("version", 2), "features": out, "segments": segments}


def _constant(feature: Mapping[str, Any]) -> bool | None:
    """True/False when no context can change ``is_enabled`` for this flag, else None."""
    if not feature["enabled"]:
        return False
    if feature.get("dependencies"):
        return None
    strategies = feature["strategies"]
    if not strategies:
        return True
    for strategy in strategies:
        if strategy.get("disabled") or strategy.get("constraints") or strategy.get("segments"):
            continue
        if strategy["name"] == "default":
            return True
        parameters = strategy["parameters"]
        if (
            strategy["name"] == "flexibleRollout"
            and str(parameters.get("rollout", "")).strip() == "100"
            and str(parameters.get("stickiness", "default")) in _UNCONDITIONAL_STICKINESS
        ):
            return True
    return None


def _has_variants(feature: Mapping[str, Any]) -> bool:
    return bool(feature.get("variants")) or any(s.get("variants") for s in feature["strategies"])


def build_state(data: Any, *, origin: str, source: str, etag: str | None = None) -> FlagState:
    """Check ``data`` and load it into a fresh engine (when any flag needs one)."""
    payload = normalize_payload(data, origin)
    features = payload["features"]
    constants = {f["name"]: c for f in features if (c := _constant(f)) is not None}
    needs_engine = any(f["name"] not in constants or _has_variants(f) for f in features)
    raw = json.dumps(payload, separators=(",", ":"))
    engine: Engine | None = None
    if needs_engine or engine_available():
        if not engine_available():
            dynamic = sorted(f["name"] for f in features if f["name"] not in constants)
            first = (dynamic or [features[0]["name"]])[0]
            raise FlagsUnavailableError(
                f"{origin}: flag {first!r} needs the Unleash engine to evaluate "
                "(rollout, constraints or variants); install the extra: pip install 'zwobs[flags]'"
            )
        engine = Engine(raw, origin)
    return FlagState(
        payload=payload,
        raw=raw,
        names=frozenset(f["name"] for f in features),
        constants=constants,
        engine=engine,
        source=source,
        etag=etag,
    )
