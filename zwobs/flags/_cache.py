"""The on-disk copy of the last server state: a restart answers from it before the server does."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from zwobs.atomic import write_atomic
from zwobs.flags._json import loads
from zwobs.flags._state import FlagState, build_state
from zwobs.flags.errors import FlagsConfigError

__all__ = ["DiskCache"]

_log = logging.getLogger("zwobs.flags")
MAX_BYTES = 32 * 1024 * 1024
"""A cache file larger than this is ignored (it was not written by this client)."""


class DiskCache:
    """``<cache_dir>/zwobs-flags-<app>.json``; a read-only directory just means no cache."""

    def __init__(self, cache_dir: str | os.PathLike[str], app_name: str) -> None:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", app_name)
        self.file = Path(cache_dir) / f"zwobs-flags-{safe}.json"
        self.writable = True

    def load(self) -> FlagState | None:
        """The cached state, or None when there is none or it cannot be used (logged)."""
        try:
            with open(self.file, "rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                raise ValueError(f"larger than {MAX_BYTES} bytes")
            return build_state(loads(raw), origin=str(self.file), source="cache")
        except FileNotFoundError:
            return None
        except (OSError, ValueError, FlagsConfigError) as exc:
            _log.warning("ignoring the flags cache %s: %s", self.file, exc)
            return None

    def save(self, body: bytes) -> None:
        """Write atomically; the first failure turns the cache off (memory is enough)."""
        if not self.writable:
            return
        try:
            write_atomic(self.file, body)
        except OSError as exc:
            self.writable = False  # e.g. a read-only filesystem
            _log.info("flags: not caching to %s (%s); keeping state in memory", self.file, exc)
