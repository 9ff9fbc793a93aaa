"""The two ways flag configuration can be wrong: bad input, or a missing optional extra."""

from __future__ import annotations

__all__ = ["FlagsConfigError", "FlagsUnavailableError"]


class FlagsConfigError(ValueError):
    """A bootstrap file, payload or setting is invalid; the message names where and what."""


class FlagsUnavailableError(ImportError):
    """Evaluating these flags needs the ``flags`` extra (UnleashClient), which is not installed."""
