"""The state a client answers from before the server does: the disk cache, else the bootstrap."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from zwobs.flags._cache import DiskCache
from zwobs.flags._state import FlagState, build_state, empty_state
from zwobs.flags.bootstrap import load_bootstrap, payload_from_mapping

__all__ = ["Bootstrap", "seed_state"]

Bootstrap = str | os.PathLike[str] | Mapping[str, Any] | None
"""A bootstrap file path, or the mapping such a file would hold."""


def seed_state(bootstrap: Bootstrap, cache: DiskCache | None) -> FlagState:
    """The cached server state when there is one (it is newer), else the bootstrap's."""
    cached = cache.load() if cache is not None else None
    if cached is not None:
        return cached
    if bootstrap is None:
        return empty_state()
    if isinstance(bootstrap, Mapping):
        return build_state(payload_from_mapping(bootstrap), origin="bootstrap", source="bootstrap")
    path = os.fspath(bootstrap)
    return build_state(load_bootstrap(path), origin=path, source="bootstrap")
