"""Catalog model values for the generator tests, built directly (no YAML)."""

from __future__ import annotations

from zwobs.catalog.model import AlertThresholds, Catalog, Rollout, Service, Slo, SloKind

__all__ = ["CHAT", "EXAMPLE", "USER", "service"]


def service(name: str, *slos: Slo, **kwargs: object) -> Service:
    fields: dict[str, object] = {"team": "identity", "tier": 1, "alerts": AlertThresholds()}
    fields.update(kwargs)
    return Service(name, slos=slos, **fields)  # type: ignore[arg-type]


USER = service(
    "user-service",
    Slo("availability", SloKind.AVAILABILITY, 99.9),
    Slo("latency", SloKind.LATENCY, 99.0, latency_threshold_seconds=0.5),
    runbook_url="https://runbooks.example.org/user-service",
)
CHAT = service(
    "chat-service",
    Slo("availability", SloKind.AVAILABILITY, 99.5),
    team="messaging",
    tier=2,
    alerts=AlertThresholds(min_rps=5),
    rollout=Rollout(latency_p95_seconds=0.25),
)
EXAMPLE = Catalog((CHAT, USER))
