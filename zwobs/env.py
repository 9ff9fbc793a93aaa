"""Settings from the environment: one reading of booleans, seconds and lists for every part.

The rule, documented in the README: a boolean is ``1/true/yes/on`` or ``0/false/no/off``
(any case, surrounding blanks ignored); seconds are a number (``2.5``) or a duration with a
unit (``500ms``, ``30s``, ``5m``); a list is comma-separated with blanks dropped. An unset or
empty variable means the default; anything else is refused with the variable's name, so a
typo never silently flips a setting.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from zwobs.durations import is_duration, parse_duration

__all__ = ["EnvError", "env_bool", "env_list", "env_seconds", "env_str"]

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class EnvError(ValueError):
    """An environment variable holds a value zwobs cannot read; the message names it."""


def _raw(name: str, env: Mapping[str, str] | None) -> str:
    return (os.environ if env is None else env).get(name, "").strip()


def env_str(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """The stripped value, or None when unset or blank."""
    return _raw(name, env) or None


def env_bool(name: str, default: bool, env: Mapping[str, str] | None = None) -> bool:
    raw = _raw(name, env)
    if not raw:
        return default
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvError(f"{name}={raw!r}: expected one of 1, true, yes, on or 0, false, no, off")


def env_seconds(
    name: str, default: float, env: Mapping[str, str] | None = None, *, allow_zero: bool = False
) -> float:
    """Seconds as a number or a duration with a unit; positive unless ``allow_zero``."""
    raw = _raw(name, env)
    if not raw:
        return default
    try:
        value = parse_duration(raw) if is_duration(raw) else float(raw)
    except ValueError:
        value = float("nan")
    if not (value > 0 or (allow_zero and value == 0)) or value == float("inf"):
        bound = ">= 0" if allow_zero else "> 0"
        raise EnvError(f"{name}={raw!r}: expected seconds {bound}, e.g. 2.5, 500ms, 30s or 5m")
    return value


def env_list(name: str, env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Comma-separated items, stripped, blanks dropped (unset: empty)."""
    return tuple(part.strip() for part in _raw(name, env).split(",") if part.strip())
