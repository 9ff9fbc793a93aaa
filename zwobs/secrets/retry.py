"""Jittered exponential backoff ("full jitter"): spreads retries of many replicas over time."""

from __future__ import annotations

import random
from collections.abc import Callable

from zwobs.secrets.config import RetryPolicy

__all__ = ["backoff_delay", "renew_point"]


def backoff_delay(
    policy: RetryPolicy, attempt: int, rng: Callable[[], float] = random.random
) -> float:
    """Seconds before retry ``attempt`` (1-based): uniform in [0, min(cap, base * 2^(n-1))]."""
    ceiling = min(policy.cap, policy.base * (2 ** max(0, attempt - 1)))
    return float(rng() * ceiling)


def renew_point(ttl: float, rng: Callable[[], float] = random.random) -> float:
    """Seconds from now to renew or refresh something living ``ttl``: 2/3 of it, minus up to 10%.

    The jitter keeps a fleet of replicas started together from renewing in lockstep.
    """
    return ttl * 2 / 3 * (1 - 0.1 * rng())
