"""When to retry, renew and warn: one schedule (and one set of constants) for every part.

Retries use "full jitter" exponential backoff so a fleet of replicas that failed together
does not retry together; renewals happen at 2/3 of a lifetime minus up to 10% for the
same reason. A renewal granted well below what was asked means a max TTL is near: the
thing is then replaced instead of renewed again.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

__all__ = [
    "DENIED_BACKOFF",
    "FINAL_GRANT_RATIO",
    "MIN_DELAY",
    "WARN_EVERY",
    "Backoff",
    "Renewal",
    "Throttle",
    "jittered",
    "poll_delay",
    "renew_point",
]

MIN_DELAY: Final = 0.1
"""Seconds: the shortest wait before a retry, so a failing loop never spins."""
WARN_EVERY: Final = 30.0
"""Seconds between two warnings about the same ongoing failure."""
RENEW_AT: Final = 2 / 3
"""Fraction of a lifetime after which it is renewed (or refreshed)."""
RENEW_JITTER: Final = 0.1
"""Up to this fraction earlier than RENEW_AT, at random."""
FINAL_GRANT_RATIO: Final = 0.9
"""A renewal granted below this share of the request is the last one (max TTL near)."""
POLL_JITTER: Final = 0.1
"""Polls wait their interval +/- this fraction."""
POLL_BACKOFF_CAP: Final = 60.0
"""Seconds: the longest a failing poll backs off (unless its interval is longer)."""

Rng = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff from ``base`` doubling up to ``cap`` seconds."""

    base: float = 0.1
    cap: float = 2.0

    def ceiling(self, attempt: int) -> float:
        """The longest wait before retry ``attempt`` (1-based): ``min(cap, base * 2^(n-1))``."""
        return float(min(self.cap, self.base * 2 ** max(0, attempt - 1)))

    def delay(self, attempt: int, rng: Rng = random.random) -> float:
        """Full jitter: uniform in [0, ceiling(attempt)]."""
        return float(rng() * self.ceiling(attempt))

    def retry_in(self, failures: int, rng: Rng = random.random) -> float:
        """Seconds before trying again after ``failures`` failures in a row (>= MIN_DELAY)."""
        return MIN_DELAY + self.delay(failures + 1, rng)


DENIED_BACKOFF: Final = Backoff(base=1.0, cap=WARN_EVERY)
"""Retries of a refused background login: the store may be restarting or being re-seeded,
so keep trying, but slowly (a wrong credential must not become a login storm)."""


def renew_point(ttl: float, rng: Rng = random.random) -> float:
    """Seconds from now to renew something living ``ttl``: 2/3 of it, minus up to 10%."""
    return ttl * RENEW_AT * (1 - RENEW_JITTER * rng())


def jittered(seconds: float, rng: Rng = random.random) -> float:
    """``seconds`` +/- 10%: polls of replicas started together drift apart."""
    return seconds * (1 - POLL_JITTER + 2 * POLL_JITTER * rng())


def poll_delay(interval: float, failures: int, rng: Rng = random.random) -> float:
    """Seconds until the next poll: the interval, doubling per failure in a row up to
    POLL_BACKOFF_CAP (or the interval if longer), +/- 10%."""
    if failures <= 0:
        return jittered(interval, rng)
    return jittered(Backoff(interval, max(interval, POLL_BACKOFF_CAP)).ceiling(failures), rng)


class Throttle:
    """Says yes at most once per WARN_EVERY seconds: one warning per ongoing failure, not one
    per attempt."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last = float("-inf")

    def ready(self, now: float) -> bool:
        if now - self._last < WARN_EVERY:
            return False
        self._last = now
        return True


class Renewal:
    """The clock of one renewable thing (a token, a lease): when to renew, when it expires.

    Not thread-safe by itself: its owner holds a lock around it where needed.
    """

    __slots__ = ("expires_at", "failures", "final", "renew_at", "requested", "warnings")

    def __init__(self) -> None:
        self.requested = 0.0
        self.expires_at: float | None = None
        self.renew_at: float | None = None
        self.final = False
        self.failures = 0
        self.warnings = Throttle()

    def start(self, duration: float, now: float) -> None:
        """A fresh grant of ``duration`` seconds (0: never expires, nothing to renew)."""
        self.requested = duration
        self.expires_at = now + duration if duration > 0 else None
        self.renew_at = now + renew_point(duration) if duration > 0 else None
        self.final = False
        self.failures = 0

    def renewed(self, granted: float, now: float) -> None:
        """A renewal granted ``granted`` seconds; capped below the request, it is the last."""
        self.expires_at = now + granted
        self.final = granted < self.requested * FINAL_GRANT_RATIO
        self.renew_at = now + renew_point(granted)
        self.failures = 0

    def failed(
        self, now: float, backoff: Backoff, warn: Callable[[int], None] | None = None
    ) -> float:
        """A renewal or replacement failed: retry with backoff, and well before expiry.

        ``warn(failures so far)`` is called at most once per WARN_EVERY seconds.
        """
        self.failures += 1
        delay = backoff.retry_in(self.failures)
        if self.expires_at is not None and now < self.expires_at:
            delay = min(delay, max(MIN_DELAY, (self.expires_at - now) / 3))
        self.renew_at = now + delay
        if warn is not None and self.warnings.ready(now):
            warn(self.failures)
        return self.renew_at

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at
