"""zwobs: one line each for metrics, tracing, flags and secrets; one catalog for the rest.

Runtime parts are imported by services (``zwobs.instrument``, ``zwobs.flags``,
``zwobs.secrets``, ``zwobs.tracing``); generators (``zwobs.render``) and the
catalog are only used by the CLI and never imported at run time.
"""

from __future__ import annotations

from zwobs.metrics.instrument import instrument

__all__ = ["instrument"]
__version__ = "0.1.0"
