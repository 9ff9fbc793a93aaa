"""The zwobs catalog's shape (keys, types, ranges), shared by the loader and the JSON Schema."""

from __future__ import annotations

from typing import Any, Final

from zwobs import names
from zwobs.catalog.spec import Int, ListOf, MapOf, Num, Obj, Refused, Str
from zwobs.durations import PATTERN as DURATION_PATTERN

__all__ = ["ALERT_FOR_KEYS", "CATALOG", "RESERVED_LABELS", "TOPOLOGY", "json_schema"]

NAME: Final = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
LABEL_NAME: Final = r"[a-zA-Z_][a-zA-Z0-9_]*"
DURATION: Final = DURATION_PATTERN
PERIOD: Final = r"[1-9]\d*[dw]"
URL: Final = r"https?://\S+"
REGISTRY: Final = r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d+)?(/[a-z0-9._/-]+)?"
K8S_LABEL_KEY: Final = r"([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"

ALERT_FOR_KEYS: Final = tuple(names.DEFAULT_ALERT_FOR)
RESERVED_LABELS: Final = frozenset(
    {"service", "severity", "slo", "sli", "slo_period", "team", "tier", "alertname", "le",
     "runbook_url", "job", "instance"}
)  # fmt: skip

_NAME = Str(NAME, expected="a lowercase DNS label (a-z, 0-9, -; at most 63)")
_DURATION = Str(DURATION, expected="a Prometheus duration such as 5m or 1h30m")
_PERIOD = Str(PERIOD, expected="a whole number of days or weeks such as 30d or 4w")
_LABELS = MapOf(
    Str(expected="a string"),
    key_pattern=LABEL_NAME,
    key_expected="a Prometheus label name",
    description="Routing labels added to every alert (Alertmanager routes on them).",
)
_OWNERS = ListOf(Str(expected="a string"), unique=True, description="People or groups to ask.")
_REGISTRIES = ListOf(
    Str(REGISTRY, expected="an image registry such as registry.example.com/team"),
    unique=True,
    description="Image registries workloads may pull from.",
)

ALERTS: Final = Obj(
    {
        "error_rate": Num(0, 1, exclusive=True, expected="a ratio in (0, 1), exclusive"),
        "latency_p95_seconds": Num(0, None, exclusive=True, expected="seconds > 0"),
        "min_rps": Num(0, None, expected="requests per second >= 0"),
        "slo_min_requests": Num(0, None, expected="a request count >= 0"),
    },
    description="Thresholds of HighErrorRate, HighLatency, LowThroughput; SLO traffic guard.",
)
ROLLOUT: Final = Obj(
    {
        "success_rate": Num(0, 1, exclusive=True, expected="a ratio in (0, 1), exclusive"),
        "latency_p95_seconds": Num(0, None, exclusive=True, expected="seconds > 0"),
        "interval": _DURATION,
        "failure_limit": Int(0, None, expected="an integer >= 0"),
    },
    description="Canary analysis settings (Argo Rollouts).",
)
SLO: Final = Obj(
    {
        "name": _NAME,
        "sli": Str(enum=("availability", "latency"), description="Inferred when omitted."),
        "objective": Num(0, 100, exclusive=True, expected="a percentage in (0, 100), exclusive"),
        "latency_threshold_seconds": Num(
            0, None, exclusive=True, expected="seconds > 0 (a histogram bucket)"
        ),
        "description": Str(),
    },
    required=("name", "objective"),
)
SERVICE: Final = Obj(
    {
        "name": _NAME,
        "team": _NAME,
        "tier": Int(0, 5, expected="an integer tier from 0 to 5"),
        "description": Str(),
        "owners": _OWNERS,
        "labels": _LABELS,
        "runbook_url": Str(URL, expected="an http(s) URL"),
        "slo_period": _PERIOD,
        "alerts": ALERTS,
        "slos": ListOf(SLO),
        "rollout": ROLLOUT,
        "registries": _REGISTRIES,
    },
    required=("name", "team", "tier"),
)
_SECRET_FILE = Str(r"\S+", expected="the path of a file holding the secret (Alertmanager reads it)")


def _inline(field: str) -> Refused:
    return Refused(
        f"an inline credential is never written into the Alertmanager config: put it in a"
        f" file and give that file's path as {field}_file"
    )


RECEIVER: Final = Obj(
    {
        "slack": Obj(
            {
                "channel": Str(r"\S+", expected="a Slack channel such as #team-alerts"),
                "api_url_file": _SECRET_FILE,
                "api_url": _inline("api_url"),
            },
            required=("channel", "api_url_file"),
        ),
        "pagerduty": Obj(
            {
                "routing_key_file": _SECRET_FILE,
                "routing_key": _inline("routing_key"),
                "service_key": _inline("routing_key"),
                "url": Str(URL, expected="an http(s) URL of the PagerDuty Events API"),
            },
            required=("routing_key_file",),
        ),
        "webhook": Obj(
            {
                "url": Str(URL, expected="an http(s) URL without credentials"),
                "credentials_file": _SECRET_FILE,
            },
            required=("url",),
        ),
    },
    description="Where notifications go: a Slack channel, a PagerDuty service and/or a"
    " webhook; secrets only as paths of files (*_file).",
)
_CRITICAL_TO: Final = ("pager", "chat")
TEAM: Final = Obj(
    {
        "labels": _LABELS,
        "owners": _OWNERS,
        "runbook_base": Str(URL, expected="an http(s) URL"),
        "receivers": Obj(
            {
                "pager": RECEIVER,
                "chat": RECEIVER,
                "critical": Str(
                    enum=_CRITICAL_TO,
                    description="Where severity=critical goes (default: the pager, if any).",
                ),
            },
            description="Alertmanager receivers: severity=page to pager, ticket and warning"
            " to chat.",
        ),
    }
)
DEFAULTS: Final = Obj(
    {
        "slo_period": _PERIOD,
        "alerts": ALERTS,
        "runbook_base": Str(
            URL, expected="an http(s) URL", description="A service's runbook is <base>/<name>."
        ),
        "labels": _LABELS,
        "rollout": ROLLOUT,
    }
)
TOPOLOGY: Final = Obj(
    {
        "location_labels": ListOf(
            Str(LABEL_NAME, expected="a Prometheus label name"),
            unique=True,
            description="Labels naming a location on every series (target or external"
            " labels), such as [region] or [region, cluster]; alerts fire per location.",
        ),
        "min_location_requests": Num(
            0,
            None,
            expected="a request count >= 0",
            description="Requests a location must serve in an alert's window before a"
            " per-location alert fires (default 100).",
        ),
        "min_rps": Str(
            enum=("service", "location"),
            description="Whether alerts.min_rps holds for the whole service (default) or per"
            " location.",
        ),
    },
    required=("location_labels",),
    description="Fleet topology: per-location alerting, per-(service, SLO) budgets.",
)
CATALOG: Final = Obj(
    {
        "version": Int(1, 1, expected="1"),
        "defaults": DEFAULTS,
        "alerting": Obj(
            {
                "for": Obj({k: _DURATION for k in ALERT_FOR_KEYS}),
                "receiver": RECEIVER,
            }
        ),
        "teams": MapOf(TEAM, key_pattern=NAME, key_expected="a lowercase DNS label"),
        "registries": _REGISTRIES,
        "required_labels": ListOf(
            Str(K8S_LABEL_KEY, expected="a Kubernetes label key"), unique=True
        ),
        "allowed_capabilities": ListOf(
            Str(
                r"([Cc][Aa][Pp]_)?[A-Za-z_]+",
                expected="a Linux capability such as NET_BIND_SERVICE",
            ),
            unique=True,
            description="Capabilities a container may add (policies; default NET_BIND_SERVICE).",
        ),
        "latency_buckets": ListOf(Num(0, None, exclusive=True, expected="seconds > 0")),
        "services": ListOf(SERVICE),
        "topology": TOPOLOGY,
    },
    required=("services",),
    description="zwobs service catalog: one source for alerts, dashboards, canaries, policies.",
)


def json_schema() -> dict[str, Any]:
    """The catalog's JSON Schema (draft 2020-12)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "zwobs catalog",
        **CATALOG.schema(),
    }
