"""Jittered exponential backoff ("full jitter"): spreads retries of many replicas over time."""

from __future__ import annotations

import random
from collections.abc import Callable

from zwobs.secrets.config import RetryPolicy

__all__ = ["backoff_delay"]


def backoff_delay(
    policy: RetryPolicy, attempt: int, rng: Callable[[], float] = random.random
) -> float:
    """Seconds before retry ``attempt`` (1-based): uniform in [0, min(cap, base * 2^(n-1))]."""
    ceiling = min(policy.cap, policy.base * (2 ** max(0, attempt - 1)))
    return float(rng() * ceiling)
