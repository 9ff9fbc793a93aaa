"""Render once per service *shape*, then substitute the name: per-service output at fleet scale.

Thousands of services share a handful of shapes (same team settings, SLOs and
thresholds, differing only in name). A generator renders the shape once, with a
placeholder for the name, and every service of that shape gets the cached bytes with
its own name put back: byte-identical to rendering it directly (the tests compare
both), at a fraction of the cost.

One rule decides when that is provably the same: the name is a DNS label that every
output format (YAML, JSON, PromQL, Go templates) writes as is, and neither the name
nor the placeholder appears anywhere else in the service. Anything else renders
directly. One :class:`ShapeCache` lives for one render run (``RenderOptions.shapes``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final, TypeVar

from zwobs.catalog.model import Service
from zwobs.render.yamlout import is_plain

__all__ = ["OWNERSHIP", "PLACEHOLDER", "ShapeCache"]

PLACEHOLDER: Final = "zwobs-shape-placeholder-x7q"
"""Stands for the service name while a shape is rendered; plain in JSON, YAML and PromQL."""
OWNERSHIP: Final[dict[str, Any]] = {
    "team": "",
    "tier": 0,
    "owners": (),
    "labels": (),
    "runbook_url": "",
    "registries": (),
    "description": "",
}
"""Who owns a service and how to reach them, cleared (as ``**OWNERSHIP``) by generators whose
output reads only the service's metrics, thresholds and SLOs: more services share a shape."""
_DNS_LABEL: Final = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]\Z")

Output = TypeVar("Output", bytes, bytes | None)


def _eligible(service: Service) -> bool:
    name = service.name
    if not _DNS_LABEL.match(name) or not is_plain(name):
        return False
    rest = repr(replace(service, name="", runbook_url=service.runbook_url.replace(name, "")))
    return PLACEHOLDER not in rest and name not in rest


class ShapeCache:
    """Renders each distinct (generator, shape) once per render run."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, Service], Any] = {}

    def render(
        self,
        kind: str,
        service: Service,
        make: Callable[[Service], Output],
        *,
        eligible: bool = True,
        **cleared: Any,
    ) -> Output:
        """``make(service)``, from the cache of its shape when that is provably the same.

        ``kind`` names the generator's output; ``cleared`` resets fields that output does
        not depend on (more services then share a shape); ``eligible=False`` forces a
        direct render.
        """
        if not eligible or not _eligible(service):
            return make(service)
        name = service.name
        fields: dict[str, Any] = {
            "name": PLACEHOLDER,
            "runbook_url": service.runbook_url.replace(name, PLACEHOLDER),
            "source": None,
            "slos": tuple(replace(slo, source=None) for slo in service.slos),
        }
        shape = replace(service, **{**fields, **cleared})
        key = (kind, shape)
        if key not in self._cache:
            self._cache[key] = make(shape)
        content: Output = self._cache[key]
        if content is None:
            return content
        return content.replace(PLACEHOLDER.encode(), name.encode())
