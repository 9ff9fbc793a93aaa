"""The answer of ``get_variant``: which variant a flag resolved to, and its payload."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["DISABLED", "Variant"]


@dataclass(frozen=True, slots=True)
class Variant:
    """A resolved variant, with the meaning Unleash gives it.

    ``enabled`` is False for the built-in ``disabled`` variant (the flag is off,
    or on without variants); ``feature_enabled`` says whether the flag itself is on.
    """

    name: str
    enabled: bool
    payload_type: str | None = None
    payload: str | None = None
    feature_enabled: bool = False

    def json(self) -> Any:
        """The payload parsed as JSON (raises ValueError when it is not JSON)."""
        if self.payload is None:
            raise ValueError(f"variant {self.name!r} has no payload")
        return json.loads(self.payload)


DISABLED = Variant(name="disabled", enabled=False)
"""What an unknown or disabled flag resolves to."""

ENABLED_NO_VARIANT = Variant(name="disabled", enabled=False, feature_enabled=True)
"""What a flag that is on but has no variants resolves to (Unleash's own answer)."""
