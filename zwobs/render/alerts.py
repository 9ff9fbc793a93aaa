"""Prometheus alert and recording rules (placeholder until the generator lands)."""

from __future__ import annotations

from zwobs.catalog.model import Catalog
from zwobs.render import RenderOptions

__all__ = ["render_alerts"]


def render_alerts(catalog: Catalog, options: RenderOptions) -> dict[str, bytes]:
    """Rule files and their promtool tests, ``alerts/<name>.rules.yaml``/``.test.yaml``."""
    del catalog, options
    return {}
