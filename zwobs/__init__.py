"""zwobs: one line each for metrics, tracing, flags and secrets; one catalog for the rest.

Runtime parts are imported by services (``zwobs.instrument``, ``zwobs.flags``,
``zwobs.secrets``, ``zwobs.tracing``); generators (``zwobs.render``) and the
catalog are only used by the CLI and never imported at run time.
"""

from __future__ import annotations

from zwobs.extras import MissingExtraError
from zwobs.metrics.instrument import instrument

__all__ = ["MissingExtraError", "instrument"]


def __getattr__(name: str) -> str:
    # ``__version__`` on first use: reading package metadata costs ~20 ms that
    # ``import zwobs`` in a service should not pay.
    if name == "__version__":
        from zwobs.version import VERSION

        return VERSION
    raise AttributeError(f"module 'zwobs' has no attribute {name!r}")
