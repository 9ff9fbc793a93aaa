"""Render once per service *shape*, then substitute the name: per-service output at fleet scale.

Thousands of services share a handful of shapes (same team settings, SLOs and
thresholds, differing only in name). A generator renders the shape once, with
a placeholder for the name, and every service of that shape gets the cached
text with its own name put back: byte-identical to rendering it directly (the
tests compare both), at a fraction of the cost. Names that some output format
would escape or quote differently fall back to direct rendering.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import Any

from zwobs.catalog.model import Service

__all__ = ["PLACEHOLDER", "by_shape"]

PLACEHOLDER = "zwobs-shape-placeholder-x7q"
"""Stands for the service name while a shape is rendered; plain in JSON, YAML and PromQL."""
_PLAIN = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]\Z")
_YAML_WORDS = frozenset({"yes", "no", "true", "false", "on", "off", "null"})
"""Plain names YAML 1.1 would read as booleans or null, so emitters quote them."""


def _shape(service: Service, cleared: dict[str, Any]) -> Service:
    fields: dict[str, Any] = {
        "name": PLACEHOLDER,
        "runbook_url": service.runbook_url.replace(service.name, PLACEHOLDER),
        "source": None,
        "slos": tuple(replace(slo, source=None) for slo in service.slos),
    }
    return replace(service, **{**fields, **cleared})


@lru_cache(maxsize=512)
def _render_shape(render: Callable[[Service], str], shape: Service) -> str:
    return render(shape)


def by_shape(
    service: Service, render: Callable[[Service], str], *, eligible: bool = True, **cleared: Any
) -> str:
    """``render(service)``, served from the cache of its shape when that is provably the same.

    ``cleared`` resets fields the generator's output does not depend on (more
    services then share a shape); ``eligible=False`` forces direct rendering.
    """
    name = service.name
    if (
        not eligible
        or not _PLAIN.match(name)
        or name in _YAML_WORDS
        or PLACEHOLDER in service.runbook_url
    ):
        return render(service)
    return _render_shape(render, _shape(service, cleared)).replace(PLACEHOLDER, name)
