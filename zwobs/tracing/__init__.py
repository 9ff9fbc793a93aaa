"""OpenTelemetry server spans, outgoing propagation, set-up and correlated logs.

The server span is driven by ``zwobs.instrument``'s middleware (``server``);
services call ``configure()`` once (needs the ``tracing`` extra) and
``setup_logging()`` for ECS JSON logs; outgoing calls use
``zwobs.tracing.client`` (httpx).
"""

from __future__ import annotations

from zwobs.tracing.configure import TracingConfigError, configure
from zwobs.tracing.logs import JsonFormatter, setup_logging

__all__ = ["JsonFormatter", "TracingConfigError", "configure", "setup_logging"]
