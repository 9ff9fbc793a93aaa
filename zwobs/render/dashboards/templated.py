"""One service dashboard for the whole fleet: service, location and SLO are variables.

At fleet scale (a catalog ``topology``) one JSON per service is 10,000 files that all draw
the same panels. This dashboard picks the service from ``zwobs_service_info``, the locations
from the per-location request rates and repeats one SLO row per SLO of the chosen service
from the objective series (the recorded metadata). It reads recorded series only, so it
draws the same on one Prometheus and on the global layer (Thanos, Mimir), where no raw
series exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from grafana_foundation_sdk.builders import dashboard as gdb
from grafana_foundation_sdk.models import dashboard as gmodel

from zwobs import names, promql
from zwobs.render.dashboards.base import FLEET_UID, SERVICE_TAG, base
from zwobs.render.grafana import DATASOURCE, Layout, Query, row, stat, timeseries, to_json

__all__ = ["SERVICE_VARIABLE", "SLO_VARIABLE", "TEMPLATED_UID", "templated_dashboard"]

TEMPLATED_UID: Final = "zwobs-service"
SERVICE_VARIABLE: Final = "service"
SLO_VARIABLE: Final = "slo"


def _variable(name: str, label: str, query: str, *, multi: bool) -> gdb.QueryVariable:
    variable = (
        gdb.QueryVariable(name)
        .label(label)
        .datasource(DATASOURCE)
        .query(query)
        .definition(query)
        .refresh(gmodel.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(gmodel.VariableSort.ALPHABETICAL_ASC)
    )
    if multi:
        variable = (
            variable.multi(True)
            .include_all(True)
            .all_value(".*")
            .current(gmodel.VariableOption(selected=True, text="All", value="$__all"))
        )
    return variable


def _selector(locations: Sequence[str], *extra: promql.Matcher) -> str:
    """``{service="$service", region=~"$region", ...}``."""
    where = [promql.Matcher(label, f"${label}", "=~") for label in locations]
    return promql.selector(f"${SERVICE_VARIABLE}", *where, *extra)


def templated_dashboard(locations: Sequence[str]) -> dict[str, Any]:
    """The Grafana JSON of the fleet's one service dashboard."""
    n = names
    loc = n.location_level
    at = _selector(locations)
    legend = " ".join(f"{{{{{label}}}}}" for label in locations)
    slo = promql.Matcher(n.LABEL_SLO, f"${SLO_VARIABLE}")
    slo_labels = promql.selector(f"${SERVICE_VARIABLE}", slo)
    slo_at = _selector(locations, slo)
    requests = f"{loc(n.SERVICE_REQUESTS_RATE5M)}{at}"
    errors = f"{loc(n.SERVICE_ERRORS_RATE5M)}{at}"
    dash = base(
        "Service (zwobs)",
        TEMPLATED_UID,
        ["zwobs", SERVICE_TAG],
        "Golden signals per location and SLOs of the chosen service, from the recorded"
        " series zwobs renders (works on the global layer too).",
    )
    dash = dash.with_variable(
        _variable(
            SERVICE_VARIABLE,
            "Service",
            f"label_values({n.SERVICE_INFO}, {n.LABEL_SERVICE})",
            multi=False,
        )
    )
    for label in locations:
        rates = f"{loc(n.SERVICE_REQUESTS_RATE5M)}{promql.selector(f'${SERVICE_VARIABLE}')}"
        query = f"label_values({rates}, {label})"
        dash = dash.with_variable(_variable(label, label.capitalize(), query, multi=True))
    objectives = f"{n.SLO_OBJECTIVE}{promql.selector(f'${SERVICE_VARIABLE}')}"
    dash = dash.with_variable(
        _variable(SLO_VARIABLE, "SLO", f"label_values({objectives}, {n.LABEL_SLO})", multi=True)
    )
    dash = dash.link(
        gdb.DashboardLink("Fleet overview")
        .type(gmodel.DashboardLinkType.LINK)
        .url(f"/d/{FLEET_UID}")
        .keep_time(True)
    )
    layout = Layout()
    dash = dash.with_row(row(layout, "Overview (selected locations)"))
    dash = dash.with_panel(
        stat(
            layout,
            "Request rate",
            "Requests per second over the selected locations.",
            "reqps",
            Query(f"sum({requests})", instant=True),
        )
    )
    dash = dash.with_panel(
        stat(
            layout,
            "Error ratio (5xx)",
            "5xx share over the selected locations. Empty when there is no traffic.",
            "percentunit",
            Query(f"sum({errors}) / (sum({requests}) > 0)", instant=True),
        )
    )
    dash = dash.with_panel(
        stat(
            layout,
            "Slowest location p95",
            "The highest p95 latency of the selected locations (quantiles do not add up).",
            "s",
            Query(f"max({loc(n.SERVICE_LATENCY_P95_5M)}{at})", instant=True),
        )
    )
    dash = dash.with_row(row(layout, "By location"))
    for title, description, unit, expr in (
        ("Request rate", "Requests per second per location.", "reqps", requests),
        (
            "Error ratio",
            "5xx share per location: HighErrorRate fires per location.",
            "percentunit",
            f"{loc(n.SERVICE_ERROR_RATIO_RATE5M)}{at}",
        ),
        (
            "p95 latency",
            "p95 per location: HighLatency fires per location.",
            "s",
            f"{loc(n.SERVICE_LATENCY_P95_5M)}{at}",
        ),
    ):
        dash = dash.with_panel(
            timeseries(
                layout, f"{title} by location", description, unit, [Query(expr, legend)], span=8
            )
        )
    slo_row = row(layout, f"SLO ${SLO_VARIABLE}").repeat(SLO_VARIABLE)
    dash = dash.with_row(slo_row)
    dash = dash.with_panel(
        stat(
            layout,
            "Objective",
            "The SLO's objective (from the catalog).",
            "percentunit",
            Query(f"{n.SLO_OBJECTIVE}{slo_labels}", instant=True),
            span=4,
        )
    )
    dash = dash.with_panel(
        stat(
            layout,
            "Error budget remaining",
            "Share of the period's budget left over all locations (1 = untouched,"
            " 0 or less = exhausted).",
            "percentunit",
            Query(f"{n.SLO_BUDGET_REMAINING}{slo_labels}", instant=True),
            span=4,
            steps=((None, "red"), (0.0, "orange"), (0.25, "green")),
        )
    )
    dash = dash.with_panel(
        timeseries(
            layout,
            "Burn rate by location (1h)",
            "How fast each location burns the budget over 1h (1 = on budget); the page fires"
            " per location.",
            "short",
            [Query(promql.burn_rate("1h", slo_labels, location=slo_at), legend)],
            span=16,
        )
    )
    return to_json(dash)
