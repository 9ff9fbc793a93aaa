"""``zwobs verify --catalog``: the gate's limits from the service's catalog entry.

The numbers come from the kernel (:func:`zwobs.slo.deploy_max_error_ratio`), the very
function the canary AnalysisTemplates use, so a version the gate passes is one the canary
passes and one that fires neither HighErrorRate nor a paging burn alert. Imported only when
``--catalog`` is given: a plain ``zwobs verify`` never loads the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass

from zwobs import slo
from zwobs.catalog import CatalogError, load_catalog
from zwobs.catalog.model import Service, SloKind

__all__ = ["CatalogLimits", "catalog_limits", "service_limits"]


@dataclass(frozen=True, slots=True)
class CatalogLimits:
    """The gate's error-ratio and latency limits of one service, and what they came from."""

    max_error_ratio: float
    max_latency_seconds: float
    used: tuple[str, ...]
    """One line per limit naming the catalog values it was computed from."""


def _pct(ratio: float) -> str:
    return f"{ratio * 100:.4g}%"


def service_limits(service: Service) -> CatalogLimits:
    """The limits of one catalog service (the canary's numbers, see render/rollouts.py)."""
    days = service.slo_period_days
    availability = [o for o in service.slos if o.kind is SloKind.AVAILABILITY]
    max_errors = slo.deploy_max_error_ratio(
        service.alerts.error_rate,
        service.rollout.success_rate,
        [o.objective for o in availability],
        days,
    )
    sources = [
        f"alerts.error_rate {_pct(service.alerts.error_rate)}",
        f"rollout.success_rate {_pct(service.rollout.success_rate)}"
        f" ({_pct(1 - service.rollout.success_rate)})",
        *(
            f"SLO {o.name} {o.objective:g}% over {days}d paging at {slo.page_factor(days):g}x"
            f" ({_pct(1 - slo.deploy_min_good_ratio(o.objective, days))})"
            for o in availability
        ),
    ]
    latency = service.alerts.latency_p95_seconds
    latency_sources = [f"alerts.latency_p95_seconds {latency:g}s"]
    rollout_latency = service.rollout.latency_p95_seconds
    if rollout_latency is not None:
        latency = min(latency, rollout_latency)
        latency_sources.append(f"rollout.latency_p95_seconds {rollout_latency:g}s")
    return CatalogLimits(
        max_error_ratio=max_errors,
        max_latency_seconds=latency,
        used=(
            f"max error ratio {_pct(max_errors)}: the strictest of {', '.join(sources)}",
            f"max p95 latency {latency:g}s: the strictest of {', '.join(latency_sources)}",
        ),
    )


def catalog_limits(path: str, name: str) -> CatalogLimits:
    """The limits of service ``name`` in the catalog at ``path``; ValueError (for the user)
    when the catalog is invalid or does not list the service."""
    try:
        catalog = load_catalog([path])
    except CatalogError as error:
        raise ValueError(f"--catalog {path}: invalid catalog\n{error}") from None
    services = {s.name: s for s in catalog.services}
    if name not in services:
        known = ", ".join(sorted(services)) or "none"
        raise ValueError(f"--service {name}: not in {path} (its services: {known})")
    return service_limits(services[name])
