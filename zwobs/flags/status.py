"""What a flags client can truthfully say about itself (health checks, metrics, logs)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FlagStatus"]


@dataclass(frozen=True, slots=True)
class FlagStatus:
    """Readiness and health of a flags client.

    ``ready``: answering from the state it is configured for (the server's, or the
    bootstrap file when no server is configured). ``degraded``: the last refresh
    failed; ``reason`` says why (``reason_code`` is one of a fixed set) and the last
    good state keeps serving. ``last_refresh`` is the Unix time of the last
    successful contact with the server; ``state_age`` the seconds since then
    (0 offline, None when the server never answered).
    """

    mode: str
    """``offline`` (no server configured) or ``server``."""
    ready: bool
    degraded: bool
    reason: str | None
    reason_code: str | None
    source: str
    """Where the current definitions came from: empty, bootstrap, cache or server."""
    flags: int
    last_refresh: float | None
    state_age: float | None
