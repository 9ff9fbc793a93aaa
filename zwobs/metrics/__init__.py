"""Prometheus RED metrics for Starlette and FastAPI, exactly as names.py spells them."""

from __future__ import annotations

from zwobs.metrics.instrument import DEFAULT_EXCLUDED_PATHS, instrument
from zwobs.metrics.middleware import MetricsMiddleware, PathLabel

__all__ = ["DEFAULT_EXCLUDED_PATHS", "MetricsMiddleware", "PathLabel", "instrument"]
