"""The metric contract: every metric and label name zwobs exports or queries.

The middleware and the generators both import this module, so what the
dashboards draw and the alerts evaluate is exactly what the services export.
Nothing else in zwobs spells a metric name.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ALERT_ERROR_BUDGET_BURN",
    "ALERT_FOR_BURN_PAGE",
    "ALERT_FOR_BURN_TICKET",
    "ALERT_HIGH_ERROR_RATE",
    "ALERT_HIGH_LATENCY",
    "ALERT_LOW_THROUGHPUT",
    "ALERT_THRESHOLD_ERROR_RATIO",
    "ALERT_THRESHOLD_LATENCY_P95",
    "ALERT_THRESHOLD_MIN_RPS",
    "BUILD_INFO",
    "DEFAULT_ALERT_FOR",
    "DEFAULT_LATENCY_BUCKETS",
    "DEFAULT_SIZE_BUCKETS",
    "DISCONNECTED_STATUS",
    "FLAG_DEGRADED",
    "FLAG_EVALUATIONS",
    "FLAG_READY",
    "FLAG_REFRESH_FAILURES",
    "FLAG_STATE_AGE",
    "KNOWN_METHODS",
    "LABEL_COMMIT",
    "LABEL_FLAG",
    "LABEL_KIND",
    "LABEL_LE",
    "LABEL_METHOD",
    "LABEL_PATH",
    "LABEL_REASON",
    "LABEL_RESULT",
    "LABEL_SERVICE",
    "LABEL_SEVERITY",
    "LABEL_SLI",
    "LABEL_SLO",
    "LABEL_SLO_PERIOD",
    "LABEL_SLO_SLOT",
    "LABEL_STATUS",
    "LABEL_TEAM",
    "LABEL_TIER",
    "LABEL_VERSION",
    "OTHER_FLAG",
    "OTHER_METHOD",
    "REQUESTS_IN_PROGRESS",
    "REQUESTS_TOTAL",
    "REQUEST_DURATION",
    "REQUEST_SIZE",
    "RESPONSE_SIZE",
    "SECRET_CACHE_HITS",
    "SECRET_EXPIRY",
    "SECRET_FETCHES",
    "SECRET_STALENESS",
    "SERVICE_ERRORS_RATE5M",
    "SERVICE_ERROR_RATIO_RATE5M",
    "SERVICE_INFO",
    "SERVICE_LATENCY_BUCKET_RATE5M",
    "SERVICE_LATENCY_COUNT_RATE5M",
    "SERVICE_LATENCY_P95_5M",
    "SERVICE_REQUESTS_RATE5M",
    "SEVERITY_CRITICAL",
    "SEVERITY_PAGE",
    "SEVERITY_TICKET",
    "SEVERITY_WARNING",
    "SLO_BUDGET_REMAINING",
    "SLO_ERROR_RATIO_PERIOD",
    "SLO_LATENCY_THRESHOLD",
    "SLO_MIN_REQUESTS",
    "SLO_OBJECTIVE",
    "SLO_WINDOWS",
    "UNKNOWN_FLAG",
    "UNMATCHED_PATH",
    "location_level",
    "slo_error_ratio",
    "slo_errors_rate",
    "slo_requests_rate",
]

# --- HTTP server metrics (names follow the seed pipeline's alert rules) ---
# Names are given as exported: prometheus_client appends ``_total`` to counters
# itself, so the middleware strips it when it declares the counter.
REQUESTS_TOTAL: Final = "http_requests_total"
REQUEST_DURATION: Final = "http_request_duration_seconds"
REQUESTS_IN_PROGRESS: Final = "http_requests_in_progress"
REQUEST_SIZE: Final = "http_request_size_bytes"
RESPONSE_SIZE: Final = "http_response_size_bytes"
BUILD_INFO: Final = "zwobs_build_info"

LABEL_SERVICE: Final = "service"
LABEL_METHOD: Final = "method"
LABEL_PATH: Final = "path"
LABEL_STATUS: Final = "status"
LABEL_VERSION: Final = "version"
LABEL_COMMIT: Final = "commit"

# Label values with a fixed meaning.
UNMATCHED_PATH: Final = "<unmatched>"
"""``path`` of a request that matched no route: one series, never the raw URL."""
OTHER_METHOD: Final = "_OTHER"
"""``method`` of a request whose method is not a standard one (as OpenTelemetry names it)."""
DISCONNECTED_STATUS: Final = "499"
"""``status`` of a request whose client went away before the response started (nginx's code)."""

KNOWN_METHODS: Final = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
)

# OpenTelemetry's recommended buckets for http.server.request.duration (seconds).
# A latency SLO threshold in the catalog must be one of these (or of the configured ones).
DEFAULT_LATENCY_BUCKETS: Final[tuple[float, ...]] = (
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
)  # fmt: skip
DEFAULT_SIZE_BUCKETS: Final[tuple[float, ...]] = (
    100.0, 1_000.0, 10_000.0, 100_000.0, 1_000_000.0, 10_000_000.0,
)  # fmt: skip

# --- Feature flags (zwobs.flags) ---
FLAG_EVALUATIONS: Final = "zwobs_flag_evaluations_total"
"""Counter; labels ``flag`` (known flags only, unknown ones collapse) and ``result``."""
FLAG_REFRESH_FAILURES: Final = "zwobs_flag_refresh_failures_total"
FLAG_STATE_AGE: Final = "zwobs_flag_state_age_seconds"
"""Gauge: seconds since the flag state was last confirmed by the server (0 offline, +Inf never)."""
FLAG_READY: Final = "zwobs_flag_ready"
"""Gauge (1/0): the client answers from the state it is configured for."""
FLAG_DEGRADED: Final = "zwobs_flag_degraded"
"""Gauge (1/0); label ``reason`` (a fixed set): the last refresh failed, last good state in use."""
LABEL_FLAG: Final = "flag"
LABEL_RESULT: Final = "result"
LABEL_REASON: Final = "reason"
UNKNOWN_FLAG: Final = "<unknown>"
"""``flag`` of an evaluation of a name the flag state does not know: one series for all of them."""
OTHER_FLAG: Final = "<other>"
"""``flag`` once the per-process cap of distinct flag label values is reached."""

# --- Secrets (zwobs.secrets) ---
LABEL_KIND: Final = "kind"
"""What a secret metric is about: ``kv``, ``lease`` or ``token``."""
SECRET_FETCHES: Final = "zwobs_secret_fetches_total"
"""Counter; labels ``kind`` (kv, lease, token), ``result`` (ok, stale, error, denied, not_found)."""
SECRET_CACHE_HITS: Final = "zwobs_secret_cache_hits_total"
"""Counter, no labels: reads answered from memory inside their TTL."""
SECRET_STALENESS: Final = "zwobs_secret_staleness_seconds"
"""Gauge, no labels: how far past its TTL the stalest value served during an outage is."""
SECRET_EXPIRY: Final = "zwobs_secret_expiry_seconds"
"""Gauge; label ``kind`` (token, lease): seconds until the credential expires."""

# --- Recording rules and alerts rendered from the catalog (zwobs.render.alerts) ---
# Fleet rules aggregate ``by (service)`` once for all services; per-service and
# per-SLO settings are constant series joined ``on(service)`` / ``on(service, slo)``.
# Burn rate of an SLO over window W (for dashboards):
#   slo_error_ratio(W) / on(service, slo) group_left() (1 - SLO_OBJECTIVE)  (promql.burn_rate)
LABEL_SLO: Final = "slo"
LABEL_SLI: Final = "sli"
"""``availability`` or ``latency`` (or ``custom`` for imported Sloth/OpenSLO specs)."""
LABEL_SLO_PERIOD: Final = "slo_period"
"""The SLO period as a duration (``30d``) on SLO_OBJECTIVE and the period rules."""
LABEL_SLO_SLOT: Final = "slo_slot"
"""Position of an SLO among its service's SLOs (0, 1, ...) on SLO_OBJECTIVE and
SLO_LATENCY_THRESHOLD, with a catalog ``topology`` only: per-location rates join their
service's SLOs one slot at a time (PromQL has no many-to-many join)."""
LABEL_SEVERITY: Final = "severity"
LABEL_TEAM: Final = "team"
LABEL_TIER: Final = "tier"
LABEL_LE: Final = "le"

SERVICE_REQUESTS_RATE5M: Final = "service:http_requests:rate5m"
"""Requests per second over 5m, ``by (service)``."""
SERVICE_ERRORS_RATE5M: Final = "service:http_requests_errors:rate5m"
"""5xx responses per second over 5m, ``by (service)`` (0, not absent, while there is traffic)."""
SERVICE_ERROR_RATIO_RATE5M: Final = "service:http_requests_errors:ratio_rate5m"
"""5xx ratio over 5m; absent (never NaN) while a service has no traffic."""
SERVICE_LATENCY_BUCKET_RATE5M: Final = "service_le:http_request_duration_seconds_bucket:rate5m"
"""Histogram bucket rates over 5m, ``by (service, le)``."""
SERVICE_LATENCY_COUNT_RATE5M: Final = "service:http_request_duration_seconds_count:rate5m"
SERVICE_LATENCY_P95_5M: Final = "service:http_request_duration_seconds:p95_5m"
"""p95 latency in seconds over 5m; absent while a service has no traffic."""

SLO_WINDOWS: Final[tuple[str, ...]] = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
"""Windows recorded for every catalog (the 30-day burn-rate table's, which dashboards draw);
periods with other tables (see slo.py) add theirs."""


def slo_requests_rate(window: str) -> str:
    """SLI events per second over ``window``, ``{service, slo, sli, slo_period}``."""
    return f"slo:sli_requests:rate{window}"


def slo_errors_rate(window: str) -> str:
    """Bad SLI events per second over ``window`` (labels as slo_requests_rate)."""
    return f"slo:sli_errors:rate{window}"


def slo_error_ratio(window: str) -> str:
    """Bad/total over ``window`` from counts (not averaged ratios); absent, never NaN, idle."""
    return f"slo:sli_errors:ratio_rate{window}"


def location_level(name: str) -> str:
    """The per-location twin of a recording rule (catalog ``topology``): ``service:x`` ->
    ``service_location:x``, ``service_le:x`` -> ``service_location_le:x``, ``slo:x`` ->
    ``slo_location:x``; grouped ``by`` the service (and SLO) plus the location labels."""
    level, _, rest = name.partition(":")
    head, _, tail = level.partition("_")
    return f"{head}_location{'_' + tail if tail else ''}:{rest}"


SLO_ERROR_RATIO_PERIOD: Final = "slo:sli_errors:ratio_period"
"""Bad/total over the whole SLO period, ``{service, slo, slo_period}``."""
SLO_BUDGET_REMAINING: Final = "slo:error_budget_remaining:ratio"
"""1 - spent/allowed over the SLO period (1 = untouched, <= 0 = exhausted)."""

# Constant series, one per catalog entry (generated ``vector(x)`` rules).
SERVICE_INFO: Final = "zwobs_service_info"
"""Value 1, labels ``service, team, tier`` + the team's routing labels + ``runbook_url``."""
SLO_OBJECTIVE: Final = "zwobs_slo_objective_ratio"
"""The objective as a fraction (0.999), labels ``service, slo, sli, slo_period``."""
SLO_LATENCY_THRESHOLD: Final = "zwobs_slo_latency_threshold_seconds"
"""A latency SLO's threshold in seconds, labels ``service, slo, le`` (``le`` as exported)."""
ALERT_THRESHOLD_ERROR_RATIO: Final = "zwobs_alert_error_ratio_threshold"
"""Per-service override of HighErrorRate's threshold (only where it differs from the default)."""
ALERT_THRESHOLD_LATENCY_P95: Final = "zwobs_alert_latency_p95_threshold_seconds"
ALERT_THRESHOLD_MIN_RPS: Final = "zwobs_alert_min_rps_threshold"
SLO_MIN_REQUESTS: Final = "zwobs_slo_min_requests"
"""Per-service override of the minimum requests in a long window before an SLO alert fires."""

SEVERITY_CRITICAL: Final = "critical"
"""HighErrorRate's severity (Alertmanager routes it as the team's catalog says)."""
SEVERITY_WARNING: Final = "warning"
"""HighLatency's and LowThroughput's severity (the team's chat receiver)."""
SEVERITY_PAGE: Final = "page"
"""A fast SLO burn: the team's pager."""
SEVERITY_TICKET: Final = "ticket"
"""A steady SLO burn: the team's chat receiver."""

ALERT_HIGH_ERROR_RATE: Final = "HighErrorRate"
ALERT_HIGH_LATENCY: Final = "HighLatency"
ALERT_LOW_THROUGHPUT: Final = "LowThroughput"
ALERT_ERROR_BUDGET_BURN: Final = "ErrorBudgetBurn"
ALERT_FOR_BURN_PAGE: Final = "ErrorBudgetBurnPage"
"""Key of the page-severity ErrorBudgetBurn alert in the catalog's ``alerting.for``."""
ALERT_FOR_BURN_TICKET: Final = "ErrorBudgetBurnTicket"
"""Key of the ticket-severity ErrorBudgetBurn alert in the catalog's ``alerting.for``."""
DEFAULT_ALERT_FOR: Final[dict[str, str]] = {
    ALERT_HIGH_ERROR_RATE: "5m",
    ALERT_HIGH_LATENCY: "10m",
    ALERT_LOW_THROUGHPUT: "10m",
    ALERT_FOR_BURN_PAGE: "2m",
    ALERT_FOR_BURN_TICKET: "15m",
}
"""The ``for`` of each alert unless the catalog's ``alerting.for`` says otherwise."""
