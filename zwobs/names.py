"""The metric contract: every metric and label name zwobs exports or queries.

The middleware and the generators both import this module, so what the
dashboards draw and the alerts evaluate is exactly what the services export.
Nothing else in zwobs spells a metric name.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "BUILD_INFO",
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
    "LABEL_METHOD",
    "LABEL_PATH",
    "LABEL_REASON",
    "LABEL_RESULT",
    "LABEL_SERVICE",
    "LABEL_STATUS",
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
    "UNKNOWN_FLAG",
    "UNMATCHED_PATH",
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
SECRET_FETCHES: Final = "zwobs_secret_fetches_total"
"""Counter; label ``result`` (ok, error, stale)."""
SECRET_CACHE_HITS: Final = "zwobs_secret_cache_hits_total"
SECRET_STALENESS: Final = "zwobs_secret_staleness_seconds"
SECRET_EXPIRY: Final = "zwobs_secret_expiry_seconds"
"""Gauge; label ``kind`` (token, lease): seconds until the credential expires."""
