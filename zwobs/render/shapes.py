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
from collections.abc import Callable, Hashable, Iterable
from dataclasses import fields, replace
from operator import attrgetter
from typing import Any, Final, TypeVar

from zwobs.catalog.model import Service, Slo
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
_PLACEHOLDER_BYTES: Final = PLACEHOLDER.encode()
_DNS_LABEL: Final = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]\Z")

Output = TypeVar("Output", bytes, bytes | None)


_SERVICE_FIELDS: Final = attrgetter(
    *(f.name for f in fields(Service) if f.name not in ("name", "runbook_url", "source", "slos"))
)
_SLO_FIELDS: Final = attrgetter(*(f.name for f in fields(Slo) if f.name != "source"))


def _base_shape(service: Service, runbook_url: str) -> tuple[Service, str | None]:
    """The shape (the placeholder for the name, no source positions) and its text with the
    placeholder blanked out, or None for the text when the placeholder shows anywhere else
    (someone wrote it): then no service of this shape may share a render."""
    shape = replace(
        service,
        name=PLACEHOLDER,
        runbook_url=runbook_url,
        source=None,
        slos=tuple(replace(slo, source=None) for slo in service.slos),
    )
    text = repr(shape)
    if text.count(PLACEHOLDER) != 1 + runbook_url.count(PLACEHOLDER):
        return shape, None
    return shape, text.replace(PLACEHOLDER, "\0")


class ShapeCache:
    """Renders each distinct (generator, shape) once per render run.

    A service's shape is worked out once per run, whatever the number of generators asking,
    and built once per distinct shape (so equal shapes are one object, as are equal shapes
    with fields cleared): a cache key is the generator and a shape's identity, constant time
    per service, however large the service.
    """

    def __init__(self) -> None:
        self._shapes: dict[int, tuple[Service, Service | None]] = {}
        self._bases: dict[Hashable, tuple[Service, str | None]] = {}
        self._cleared: dict[tuple[int, tuple[tuple[str, Any], ...]], Service] = {}
        self._interned: dict[Service, Service] = {}
        self._cache: dict[tuple[str, int], Any] = {}

    def _base(self, service: Service) -> Service | None:
        """The shape of ``service``, built once per distinct shape: services are told apart
        by their fields' values (a C-level getter), not by building and hashing a copy."""
        name = service.name
        if not _DNS_LABEL.match(name) or not is_plain(name):
            return None
        runbook_url = service.runbook_url.replace(name, PLACEHOLDER)
        key = (_SERVICE_FIELDS(service), runbook_url, tuple(map(_SLO_FIELDS, service.slos)))
        found = self._bases.get(key)
        if found is None:
            shape, text = _base_shape(service, runbook_url)
            found = self._bases[key] = (shape, text)
        shape, text = found
        return None if text is None or name in text else shape

    def _shape(self, service: Service, cleared: dict[str, Any]) -> Service | None:
        """The interned shape of ``service`` with ``cleared`` applied, or None when it must
        be rendered directly."""
        known = self._shapes.get(id(service))
        if known is None or known[0] is not service:
            known = self._shapes[id(service)] = (service, self._base(service))
        base = known[1]
        if base is None or not cleared:
            return base
        key = (id(base), tuple(cleared.items()))
        shape = self._cleared.get(key)
        if shape is None:
            candidate = replace(base, **cleared)  # bases that differ only in cleared fields
            shape = self._cleared[key] = self._interned.setdefault(candidate, candidate)
        return shape

    def key(self, kind: str, service: Service, **cleared: Any) -> Hashable:
        """Equal for two services exactly when ``kind`` renders them alike but for the name
        (a service rendered directly has a key of its own)."""
        shape = self._shape(service, cleared)
        return (kind, id(service) if shape is None else id(shape), shape is None)

    def groups(self, kind: str, services: Iterable[Service], **cleared: Any) -> list[list[Service]]:
        """``services`` grouped by shape for ``kind``, each group and the groups in the
        order of the services: output needed once per shape goes to each group's first."""
        grouped: dict[Hashable, list[Service]] = {}
        for service in services:
            grouped.setdefault(self.key(kind, service, **cleared), []).append(service)
        return list(grouped.values())

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
        shape = self._shape(service, cleared) if eligible else None
        if shape is None:
            return make(service)
        key = (kind, id(shape))
        if key not in self._cache:
            self._cache[key] = make(shape)
        content: Output = self._cache[key]
        if content is None:
            return content
        return content.replace(_PLACEHOLDER_BYTES, service.name.encode())
