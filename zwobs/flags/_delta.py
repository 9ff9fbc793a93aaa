"""Unleash's delta API documents (``/api/client/delta``): events applied to a features payload.

A delta answer is ``{"events": [...]}``: a ``hydration`` event carries the whole state,
``feature-updated``/``feature-removed`` and ``segment-updated``/``segment-removed`` change
one item each, in ``eventId`` order. Applying them here yields an ordinary payload, so a
state built from deltas is checked and evaluated exactly like a full fetch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zwobs.flags.errors import FlagsConfigError

__all__ = ["apply_events", "is_delta", "last_event_id"]


def is_delta(data: Any) -> bool:
    """True for a delta document (an object with an ``events`` list and no ``features``)."""
    return isinstance(data, Mapping) and "events" in data and "features" not in data


def _fail(where: str, what: str) -> FlagsConfigError:
    return FlagsConfigError(f"{where}: expected {what}")


def _named(items: Any, key: str, where: str) -> dict[Any, dict[str, Any]]:
    if not isinstance(items, list) or not all(isinstance(i, dict) and key in i for i in items):
        raise _fail(where, f"a list of objects with {key!r}")
    return {item[key]: item for item in items}


def _upsert(table: dict[Any, dict[str, Any]], item: Any, key: str, where: str) -> None:
    if not isinstance(item, dict) or item.get(key) is None:
        raise _fail(where, f"an object with {key!r}")
    table[item[key]] = item


def apply_events(payload: Mapping[str, Any], data: Any, origin: str) -> dict[str, Any]:
    """``payload`` (a features payload) with the events of the delta document ``data`` applied."""
    events = data.get("events") if isinstance(data, Mapping) else None
    if not isinstance(events, list):
        raise _fail(origin, "a delta document with an 'events' list")
    features = _named(payload.get("features") or [], "name", f"{origin}: features")
    segments = _named(payload.get("segments") or [], "id", f"{origin}: segments")
    for i, event in enumerate(events):
        where = f"{origin}: events[{i}]"
        kind = event.get("type") if isinstance(event, dict) else None
        if kind == "hydration":
            features = _named(event.get("features"), "name", f"{where}.features")
            segments = _named(event.get("segments") or [], "id", f"{where}.segments")
        elif kind == "feature-updated":
            _upsert(features, event.get("feature"), "name", f"{where}.feature")
        elif kind == "feature-removed":
            features.pop(event.get("featureName"), None)
        elif kind == "segment-updated":
            _upsert(segments, event.get("segment"), "id", f"{where}.segment")
        elif kind == "segment-removed":
            segments.pop(event.get("segmentId"), None)
        else:
            raise _fail(
                f"{where}.type",
                "hydration, feature-updated, feature-removed, segment-updated or segment-removed",
            )
    return {
        "version": payload.get("version", 2),
        "features": list(features.values()),
        "segments": list(segments.values()),
    }


def last_event_id(data: Mapping[str, Any]) -> int | None:
    """The highest ``eventId`` of a delta document: the revision the client now holds."""
    ids = [e.get("eventId") for e in data.get("events", []) if isinstance(e, dict)]
    numbers = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]
    return max(numbers, default=None)
