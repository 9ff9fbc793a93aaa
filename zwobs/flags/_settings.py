"""The checks a client's settings pass before anything starts: wrong input fails at once."""

from __future__ import annotations

import re

from zwobs.flags._engine import engine_available
from zwobs.flags.errors import FlagsConfigError, FlagsUnavailableError

__all__ = ["check_settings"]


def check_settings(url: str | None, **seconds: float) -> None:
    """``url`` is Unleash's API root (and the engine is installed); each of ``seconds`` > 0."""
    if url is not None and not re.match(r"^https?://", url):
        raise FlagsConfigError(
            f"UNLEASH_URL={url!r}: expected http(s)://host[:port]/api (Unleash's API root)"
        )
    if url is not None and not engine_available():
        raise FlagsUnavailableError(
            "a server-backed flags client needs the 'flags' extra (UnleashClient): "
            "pip install 'zwobs[flags]'"
        )
    bad = sorted(name for name, value in seconds.items() if not value > 0)
    if bad:
        raise FlagsConfigError(f"{', '.join(bad)}: expected positive seconds")
