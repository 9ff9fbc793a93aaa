"""The typed catalog: what the loader produces and every generator consumes.

Plain frozen dataclasses, so generators are pure functions of a value that
cannot change under them. Validation lives in the loader; a model instance is
always valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from zwobs import names

__all__ = [
    "DEFAULT_ALLOWED_CAPABILITIES",
    "AlertThresholds",
    "Catalog",
    "Notifier",
    "Receiver",
    "Rollout",
    "Service",
    "Slo",
    "SloAlert",
    "SloKind",
    "SourceRef",
    "Team",
    "Topology",
]


DEFAULT_ALLOWED_CAPABILITIES: tuple[str, ...] = ("NET_BIND_SERVICE",)
"""The only capability a container may add unless the catalog says otherwise (binding to a
port below 1024 as non-root)."""


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a catalog node came from, for error messages that point at a line."""

    file: str
    line: int
    column: int


class SloKind(StrEnum):
    """Which SLI an SLO measures: 5xx ratio or requests slower than a bucket."""

    AVAILABILITY = "availability"
    LATENCY = "latency"
    CUSTOM = "custom"
    """Imported from Sloth/OpenSLO: arbitrary PromQL in ``errors_query``/``total_query``."""


@dataclass(frozen=True, slots=True)
class AlertThresholds:
    """The seed's RED alerts: 5xx ratio, p95 latency and minimum throughput."""

    error_rate: float = 0.05
    latency_p95_seconds: float = 0.5
    min_rps: float = 1.0
    slo_min_requests: float = 100.0
    """Requests a long SLO window must hold before its burn alert may fire (traffic guard)."""


@dataclass(frozen=True, slots=True)
class SloAlert:
    """An imported SLO's own page or ticket alert (Sloth ``page_alert``/``ticket_alert``)."""

    disabled: bool = False
    labels: tuple[tuple[str, str], ...] = ()
    """Every label the firing alert carries besides zwobs's (spec, SLO and alert labels)."""
    annotations: tuple[tuple[str, str], ...] = ()
    """Annotations that replace or add to zwobs's (summary, description, runbook_url)."""


@dataclass(frozen=True, slots=True)
class Slo:
    """One objective of one service (objective is a percentage, e.g. 99.9)."""

    name: str
    kind: SloKind
    objective: float
    latency_threshold_seconds: float | None = None
    description: str = ""
    errors_query: str = ""
    """CUSTOM only: PromQL of bad events per second; ``{{.window}}`` stands for the range."""
    total_query: str = ""
    """CUSTOM only: PromQL of all events per second; ``{{.window}}`` stands for the range."""
    source: SourceRef | None = None
    alert_name: str = ""
    """Imported only: the alert name of the source spec (Sloth ``alerting.name``); empty keeps
    ``ErrorBudgetBurn``."""
    page: SloAlert | None = None
    """Imported only: the SLO's own page alert; None for catalog SLOs (fleet alerts)."""
    ticket: SloAlert | None = None
    min_requests: float | None = None
    """Imported only: the traffic guard of this SLO (None: the fleet's ``slo_min_requests``)."""
    ratio_only: bool = False
    """Imported raw SLIs: ``errors_query`` is already a ratio (no event counts to sum)."""

    @property
    def error_budget(self) -> float:
        """The allowed bad fraction, 1 - objective/100 (0.001 for 99.9)."""
        return 1.0 - self.objective / 100.0


@dataclass(frozen=True, slots=True)
class Rollout:
    """Canary analysis settings for Argo Rollouts."""

    success_rate: float = 0.95
    latency_p95_seconds: float | None = None
    interval: str = "1m"
    failure_limit: int = 3


@dataclass(frozen=True, slots=True)
class Service:
    """One service of the fleet, with defaults already applied."""

    name: str
    team: str
    tier: int
    alerts: AlertThresholds
    slos: tuple[Slo, ...] = ()
    owners: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    """Routing labels added to every alert of the service (sorted by key)."""
    runbook_url: str = ""
    slo_period_days: int = 30
    rollout: Rollout = field(default_factory=Rollout)
    registries: tuple[str, ...] = ()
    source: SourceRef | None = None
    description: str = ""
    origin: str = "catalog"
    """``catalog`` (exports the zwobs metrics), ``sloth`` or ``openslo`` (imported SLOs only)."""


@dataclass(frozen=True, slots=True)
class Topology:
    """Where the fleet's series come from: the labels naming a location (a region, a
    cluster). Empty ``location_labels``: one location, today's ``by (service)`` rules."""

    location_labels: tuple[str, ...] = ()
    min_location_requests: float = 100.0
    """Requests a location must have served in an alert's window (5m for HighErrorRate and
    HighLatency, the long window for the page) before a per-location alert may fire."""
    min_rps_per_location: bool = False
    """``alerts.min_rps`` (the throughput alert's) holds per location, not for the whole service."""


@dataclass(frozen=True, slots=True)
class Notifier:
    """One integration of a receiver (``slack``, ``pagerduty`` or ``webhook``) and its settings
    as the catalog spells them; secrets are paths of files, never values."""

    kind: str
    settings: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Receiver:
    """Everything one notification goes to (at least one notifier)."""

    notifiers: tuple[Notifier, ...]


@dataclass(frozen=True, slots=True)
class Team:
    """A team's Alertmanager receivers: pages to ``pager``, tickets and warnings to ``chat``."""

    name: str
    pager: Receiver | None = None
    chat: Receiver | None = None
    critical: str = "pager"
    """Which of the two takes ``severity=critical`` (HighErrorRate); the pager unless the catalog
    says ``chat`` or the team has no pager."""
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True)
class Catalog:
    """The whole fleet, services sorted by name so output is byte-stable."""

    services: tuple[Service, ...]
    registries: tuple[str, ...] = ()
    """Image registries every service may pull from (policies)."""
    required_labels: tuple[str, ...] = ("team",)
    allowed_capabilities: tuple[str, ...] = DEFAULT_ALLOWED_CAPABILITIES
    """Linux capabilities ``securityContext.capabilities.add`` may name (policies)."""
    """Kubernetes labels every workload must carry (policies)."""
    source: str = ""
    defaults: AlertThresholds = field(default_factory=AlertThresholds)
    """Fleet-wide alert thresholds; services differing from them get override series."""
    alert_for: tuple[tuple[str, str], ...] = ()
    """``for`` per alert (HighErrorRate, HighLatency, LowThroughput, ErrorBudgetBurnPage,
    ErrorBudgetBurnTicket) where the catalog overrides the built-in one."""
    latency_buckets: tuple[float, ...] = names.DEFAULT_LATENCY_BUCKETS
    """The histogram buckets the services export; latency SLO thresholds are among them."""
    topology: Topology = field(default_factory=Topology)
    """Location labels: alerts per (service, location), budgets per (service, SLO)."""
    teams: tuple[Team, ...] = ()
    """Teams with receivers, sorted by name (Alertmanager routing)."""
    default_receiver: Receiver | None = None
    """Where alerts of no known team go (``alerting.receiver``)."""
    notes: tuple[str, ...] = ()
    """Load-time warnings (imported fields zwobs ignores, queries it could not parse)."""
