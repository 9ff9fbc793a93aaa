"""Force flags in tests, with no server and no bootstrap file.

    from zwobs.flags.testing import override
    with override(new_chat_ui=True, theme="dark"):   # bool, variant name, or Variant
        ...

Or the pytest fixture (``pytest_plugins = ["zwobs.flags.pytest_plugin"]``)::

    def test_new_ui(zwobs_flags):
        zwobs_flags.set("new_chat_ui", True)

Forced flags win over any state in every client of the process, in every
thread (a TestClient runs the app in another thread), and are known to the
OpenFeature provider.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from zwobs.flags import _overrides
from zwobs.flags.variant import DISABLED, Variant

__all__ = ["FlagOverrides", "override"]

ForcedValue = bool | str | Variant


def _as_forced(name: str, value: ForcedValue) -> bool | Variant:
    if isinstance(value, bool | Variant):
        return value
    if isinstance(value, str):
        return Variant(name=value, enabled=True, feature_enabled=True)
    raise TypeError(f"flag {name!r}: force it with True/False, a variant name or a Variant")


class FlagOverrides:
    """One layer of forced flags; later layers win over earlier ones."""

    def __init__(self) -> None:
        self._layer: dict[str, bool | Variant] = {}

    def set(self, name: str, value: ForcedValue) -> None:
        """Force ``name`` on/off (bool), to a variant name (str), or to a Variant."""
        self._layer[name] = _as_forced(name, value)
        _overrides.refresh()

    def variant(self, name: str, variant: str, payload: Any = None) -> None:
        """Force ``name`` on with ``variant``; a payload is kept as text (JSON for dict/list)."""
        if payload is None:
            forced = Variant(name=variant, enabled=True, feature_enabled=True)
        else:
            is_json = isinstance(payload, dict | list)
            forced = Variant(
                name=variant,
                enabled=True,
                payload_type="json" if is_json else "string",
                payload=json.dumps(payload) if is_json else str(payload),
                feature_enabled=True,
            )
        self.set(name, forced)

    def unknown(self, name: str) -> None:
        """Stop forcing ``name``: it answers from the state (or its default) again."""
        self._layer.pop(name, None)
        _overrides.refresh()

    def disabled(self, name: str) -> None:
        """Force ``name`` off (the ``disabled`` variant)."""
        self.set(name, DISABLED)

    def clear(self) -> None:
        self._layer.clear()
        _overrides.refresh()


@contextmanager
def override(
    flags: Mapping[str, ForcedValue] | None = None, **named: ForcedValue
) -> Iterator[FlagOverrides]:
    """Force flags for the duration of the block (nestable; the innermost wins)."""
    overrides = FlagOverrides()
    for name, value in {**(flags or {}), **named}.items():
        overrides._layer[name] = _as_forced(name, value)
    _overrides.push(overrides._layer)
    try:
        yield overrides
    finally:
        _overrides.pop(overrides._layer)
