"""The runtime rows of a service dashboard: feature flags and secrets health.

These series carry no ``service`` label: they are scoped to the service's processes
through ``zwobs_build_info``; the rows stay empty until the service uses the part.
"""

from __future__ import annotations

from typing import Final

from grafana_foundation_sdk.builders import dashboard as gdb

from zwobs import names, promql
from zwobs.catalog.model import Service
from zwobs.render.dashboards.base import RATE
from zwobs.render.grafana import Layout, Query, row, timeseries

__all__ = ["FLAGS_ROW", "OPTIONAL_ROWS", "SECRETS_ROW", "runtime_rows"]

FLAGS_ROW: Final = "Feature flags (zwobs.flags)"
SECRETS_ROW: Final = "Secrets (zwobs.secrets)"
OPTIONAL_ROWS: Final = (FLAGS_ROW, SECRETS_ROW)
"""Rows whose panels are empty until the service uses that runtime part."""


def _scoped_to(service: str, vector: str) -> str:
    """A runtime part's series limited to the service's targets (they carry no service label)."""
    return promql.on_targets(vector, service)


def _legend(*labels: str) -> str:
    """A Grafana legend showing ``labels``' values: ``{{flag}} {{result}}``."""
    return " ".join(f"{{{{{label}}}}}" for label in labels)


def runtime_rows(layout: Layout, dash: gdb.Dashboard, service: Service) -> gdb.Dashboard:
    """Flag and secret health. These series carry no ``service`` label: they are scoped to the
    service's processes through ``zwobs_build_info``; empty until the service uses the part."""
    name = service.name
    flag, result, reason = names.LABEL_FLAG, names.LABEL_RESULT, names.LABEL_REASON
    kind = names.LABEL_KIND
    dash = dash.with_row(row(layout, FLAGS_ROW))
    evaluations = _scoped_to(name, f"rate({names.FLAG_EVALUATIONS}[{RATE}])")
    dash = dash.with_panel(
        timeseries(
            layout,
            "Flag evaluations",
            "Evaluations per second by flag and result (unknown flags collapse into one).",
            "ops",
            [
                Query(
                    f"sum by ({flag}, {result}) ({evaluations})", f"{{{{{flag}}}}} {{{{{result}}}}}"
                )
            ],
            span=8,
        )
    )
    failures = _scoped_to(name, f"rate({names.FLAG_REFRESH_FAILURES}[{RATE}])")
    not_ready = f"{_scoped_to(name, names.FLAG_READY)} == 0"
    degraded = _scoped_to(name, names.FLAG_DEGRADED)
    dash = dash.with_panel(
        timeseries(
            layout,
            "Flag refresh failures and degraded state",
            "Failed refreshes of the flag state per second by reason, and processes serving"
            " the last good state (degraded) by reason.",
            "short",
            [
                Query(f"sum by ({reason}) ({failures})", f"failures {{{{{reason}}}}}"),
                Query(f"sum by ({reason}) ({degraded})", f"degraded {{{{{reason}}}}}"),
            ],
            span=8,
        )
    )
    dash = dash.with_panel(
        timeseries(
            layout,
            "Flag state age and readiness",
            "Seconds since the server last confirmed the flag state (0 offline), and the"
            " number of processes whose flags are not ready.",
            "s",
            [
                Query(f"max({_scoped_to(name, names.FLAG_STATE_AGE)})", "state age"),
                Query(f"count({not_ready}) or vector(0)", "not ready"),
            ],
            span=8,
        )
    )
    dash = dash.with_row(row(layout, SECRETS_ROW))
    fetches = _scoped_to(name, f"rate({names.SECRET_FETCHES}[{RATE}])")
    hits = _scoped_to(name, f"rate({names.SECRET_CACHE_HITS}[{RATE}])")
    dash = dash.with_panel(
        timeseries(
            layout,
            "Secret reads",
            "Reads from the secret store per second by kind and result (errors and stale"
            " answers are the ones to watch), and reads served from the cache.",
            "ops",
            [
                Query(f"sum by ({kind}, {result}) ({fetches})", f"{{{{{kind}}}}} {{{{{result}}}}}"),
                Query(f"sum({hits})", "cache hits"),
            ],
            span=8,
        )
    )
    dash = dash.with_panel(
        timeseries(
            layout,
            "Secret staleness",
            "Seconds past its TTL of the stalest secret being served (0 when all are fresh).",
            "s",
            [Query(f"max({_scoped_to(name, names.SECRET_STALENESS)})", "staleness")],
            span=8,
        )
    )
    return dash.with_panel(
        timeseries(
            layout,
            "Credential expiry",
            "Seconds until the soonest token or lease expires, by kind (+Inf: none expires).",
            "s",
            [
                Query(
                    f"min by ({kind}) ({_scoped_to(name, names.SECRET_EXPIRY)})",
                    f"{{{{{kind}}}}}",
                )
            ],
            span=8,
        )
    )
