"""Prometheus durations (``5m``, ``1h30m``, ``500ms``): the one parser every part uses.

The catalog, the rule generators, the rule tests and the environment settings all read
durations; one grammar keeps ``30d`` meaning the same thing in each of them.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["PATTERN", "UNIT_SECONDS", "format_duration", "is_duration", "parse_duration"]

UNIT_SECONDS: Final = {
    "y": 365 * 86400,
    "w": 7 * 86400,
    "d": 86400,
    "h": 3600,
    "m": 60,
    "s": 1,
    "ms": 0.001,
}
PATTERN: Final = r"(\d+(ms|s|m|h|d|w|y))+"
"""The grammar as a regular expression (the catalog's JSON Schema publishes it)."""
_DURATION: Final = re.compile(PATTERN + r"\Z")
_PART: Final = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")


def is_duration(text: str) -> bool:
    """True for a Prometheus duration such as ``5m`` or ``1h30m``."""
    return bool(_DURATION.match(text))


def parse_duration(text: str) -> float:
    """Seconds in ``text`` (``1h30m`` -> 5400.0); ValueError names what was expected."""
    if not is_duration(text):
        raise ValueError(f"{text!r}: expected a duration such as 30s, 5m, 1h30m or 28d")
    return float(sum(int(count) * UNIT_SECONDS[unit] for count, unit in _PART.findall(text)))


def format_duration(seconds: float) -> str:
    """The shortest Prometheus duration for a whole number of milliseconds (3600 -> ``1h``)."""
    millis = round(seconds * 1000)
    if millis <= 0:
        raise ValueError(f"expected a positive duration, got {seconds!r} s")
    parts: list[str] = []
    for unit in ("d", "h", "m", "s", "ms"):
        size = round(UNIT_SECONDS[unit] * 1000)
        count, millis = divmod(millis, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
