"""Usage counts Unleash shows per flag (yes/no/variants): known flags only, so bounded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = ["Usage"]


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Usage:
    """Counts between two sends; ``take`` swaps in a fresh table (no lock on the hot path)."""

    __slots__ = ("_counts", "_start")

    def __init__(self) -> None:
        self._counts: dict[str, list[Any]] = {}
        self._start = _now()

    def enabled(self, name: str, value: bool) -> list[Any]:
        """Count one evaluation; returns the entry it counted in (``take`` may swap the table)."""
        counts = self._counts.get(name)
        if counts is None:
            counts = self._counts.setdefault(name, [0, 0, {}])
        counts[0 if value else 1] += 1
        return counts

    def variant(self, name: str, feature_enabled: bool, variant: str) -> None:
        variants = self.enabled(name, feature_enabled)[2]
        variants[variant] = variants.get(variant, 0) + 1

    def take(self) -> dict[str, Any] | None:
        """The bucket of Unleash's ``/client/metrics`` since the last take, or None if empty."""
        counts, self._counts = self._counts, {}
        start, self._start = self._start, _now()
        if not counts:
            return None
        toggles = {
            name: {"yes": yes, "no": no, "variants": dict(variants)}
            for name, (yes, no, variants) in counts.items()
        }
        return {"start": start, "stop": self._start, "toggles": toggles}
