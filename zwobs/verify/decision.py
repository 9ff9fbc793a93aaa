"""The gate's verdict: pure logic from measured numbers and limits to pass/fail/inconclusive.

Kept apart from the HTTP client so every edge (no traffic, NaN latency, too
few requests, both signals bad) is a plain function call in the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Measurement", "Outcome", "Thresholds", "Verdict", "decide"]


class Outcome(StrEnum):
    """What the deploy script does next: promote, roll back, or ask again later."""

    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Limits the new version must stay within (defaults are the seed's alert thresholds)."""

    max_error_ratio: float = 0.05
    max_latency_seconds: float | None = 0.5
    quantile: float = 0.95
    min_requests: float = 10.0


@dataclass(frozen=True, slots=True)
class Measurement:
    """What Prometheus said over the window; ``None`` where it returned no sample."""

    requests: float | None = None
    error_ratio: float | None = None
    latency_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    reasons: tuple[str, ...]
    measurement: Measurement = field(default_factory=Measurement)


def _known(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def decide(measured: Measurement, limits: Thresholds) -> Verdict:
    """Fail on any signal over its limit; inconclusive when there is too little to judge.

    Too little traffic is inconclusive whatever its errors, so a quiet canary
    is neither promoted nor rolled back on a handful of requests. A missing
    error ratio or latency with traffic present is inconclusive and named (unless
    another signal already fails): the gate never passes what it could not measure.
    """
    requests = measured.requests if _known(measured.requests) else None
    ratio = measured.error_ratio if _known(measured.error_ratio) else None
    if requests is None or requests < limits.min_requests:
        seen = 0.0 if requests is None else requests
        return Verdict(
            Outcome.INCONCLUSIVE,
            (f"too little traffic: {seen:.0f} requests, at least {limits.min_requests:g} needed",),
            measured,
        )
    failures: list[str] = []
    unknown: list[str] = []
    if ratio is None:
        unknown.append("error ratio unknown: no data for the window")
    elif ratio > limits.max_error_ratio:
        failures.append(f"error ratio {ratio:.2%} above {limits.max_error_ratio:.2%}")
    if limits.max_latency_seconds is not None:
        name = f"p{limits.quantile * 100:g} latency"
        latency = measured.latency_seconds
        if latency is None or math.isnan(latency):
            unknown.append(f"{name} unknown: no histogram data for the window")
        elif latency > limits.max_latency_seconds:
            failures.append(f"{name} {latency:.3f}s above {limits.max_latency_seconds:.3f}s")
    if failures:
        return Verdict(Outcome.FAIL, tuple(failures), measured)
    if unknown:
        return Verdict(Outcome.INCONCLUSIVE, tuple(unknown), measured)
    return Verdict(Outcome.PASS, ("all signals within limits",), measured)
