"""The dashboard of one service: overview, versions, traffic, latency, sizes, SLOs."""

from __future__ import annotations

from typing import Any, Final

from grafana_foundation_sdk.builders import dashboard as gdb
from grafana_foundation_sdk.models import dashboard as gmodel

from zwobs import names, promql
from zwobs import slo as slo_math
from zwobs.catalog.model import Service, Slo, SloKind
from zwobs.render.dashboards.base import FLEET_UID, RATE, SERVICE_TAG, base, dashboard_uid
from zwobs.render.dashboards.runtime import runtime_rows
from zwobs.render.grafana import (
    DATASOURCE,
    Layout,
    Query,
    dump,
    row,
    stat,
    table,
    timeseries,
    to_json,
)

__all__ = ["ROUTE_VARIABLE", "service_dashboard", "service_json"]

ROUTE_VARIABLE: Final = "route"
_ROUTE: Final = promql.Matcher(names.LABEL_PATH, f"${ROUTE_VARIABLE}", "=~")
_QUANTILES: Final = (0.5, 0.95, 0.99)
_BY_ROUTE: Final = (names.LABEL_PATH,)
_BY_VERSION: Final = (names.LABEL_VERSION,)


def _quantile(metric: str, q: float, service: str) -> str:
    return promql.latency_quantile(q, service, RATE, by=_BY_ROUTE, extra=(_ROUTE,), metric=metric)


def _overview_row(layout: Layout, dash: gdb.Dashboard, service: Service) -> gdb.Dashboard:
    name = service.name
    dash = dash.with_row(row(layout, "Overview"))
    dash = dash.with_panel(
        stat(
            layout,
            "Request rate",
            "Requests per second, all routes.",
            "reqps",
            Query(promql.request_rate(name, RATE), instant=True),
        )
    )
    dash = dash.with_panel(
        stat(
            layout,
            "Error ratio (5xx)",
            f"Share of 5xx responses; the HighErrorRate alert fires above "
            f"{service.alerts.error_rate:g}. Empty when there is no traffic.",
            "percentunit",
            Query(promql.error_ratio(name, RATE), instant=True),
            steps=((None, "green"), (service.alerts.error_rate, "red")),
        )
    )
    dash = dash.with_panel(
        stat(
            layout,
            "p95 latency",
            f"95th percentile request duration; HighLatency fires above "
            f"{service.alerts.latency_p95_seconds:g}s.",
            "s",
            Query(promql.latency_quantile(0.95, name, RATE), instant=True),
            steps=((None, "green"), (service.alerts.latency_p95_seconds, "red")),
        )
    )
    info = f"{names.BUILD_INFO}{promql.selector(name)}"
    return dash.with_panel(
        table(
            layout,
            "Active versions",
            "Running versions from zwobs_build_info with the number of processes on each:"
            " two rows during a rollout.",
            [
                Query(
                    f"count by ({names.LABEL_VERSION}, {names.LABEL_COMMIT}) ({info})",
                    instant=True,
                    table=True,
                    column="processes",
                )
            ],
            span=6,
            height=4,
        )
    )


def _version_row(layout: Layout, dash: gdb.Dashboard, service: Service) -> gdb.Dashboard:
    """Stable against canary (or blue against green): the golden signals split by version."""
    name = service.name
    total = promql.request_rate(name, RATE, by=_BY_VERSION, copy=_BY_VERSION)
    dash = dash.with_row(row(layout, "Versions (stable against canary)"))
    dash = dash.with_panel(
        timeseries(
            layout,
            "Request rate by version",
            "Requests per second served by each running version (from zwobs_build_info).",
            "reqps",
            [Query(total, "{{version}}")],
            span=8,
        )
    )
    dash = dash.with_panel(
        timeseries(
            layout,
            "Error ratio by version",
            "5xx share per version: what the canary analysis and `zwobs verify` judge.",
            "percentunit",
            [
                Query(
                    promql.error_ratio(name, RATE, by=_BY_VERSION, copy=_BY_VERSION), "{{version}}"
                )
            ],
            span=8,
            thresholds=(service.alerts.error_rate,),
        )
    )
    quantile = promql.latency_quantile(0.95, name, RATE, by=_BY_VERSION, copy=_BY_VERSION)
    return dash.with_panel(
        timeseries(
            layout,
            "p95 latency by version",
            "95th percentile request duration per version.",
            "s",
            [Query(quantile, "{{version}}")],
            span=8,
            thresholds=(service.alerts.latency_p95_seconds,),
        )
    )


def _traffic_rows(layout: Layout, dash: gdb.Dashboard, service: Service) -> gdb.Dashboard:
    name = service.name
    dash = dash.with_row(row(layout, "Traffic and errors"))
    dash = dash.with_panel(
        timeseries(
            layout,
            "Request rate by route",
            "Requests per second by route template (the route variable filters).",
            "reqps",
            [Query(promql.request_rate(name, RATE, extra=(_ROUTE,), by=_BY_ROUTE), "{{path}}")],
        )
    )
    dash = dash.with_panel(
        timeseries(
            layout,
            "Error ratio by route",
            "5xx share per route; the dashed line is the HighErrorRate threshold.",
            "percentunit",
            [Query(promql.error_ratio(name, RATE, extra=(_ROUTE,), by=_BY_ROUTE), "{{path}}")],
            thresholds=(service.alerts.error_rate,),
        )
    )
    by_status = promql.request_rate(name, RATE, extra=(_ROUTE,), by=(names.LABEL_STATUS,))
    dash = dash.with_panel(
        timeseries(
            layout,
            "Responses by status",
            "Responses per second by status code (499: client went away).",
            "reqps",
            [Query(by_status, "{{status}}")],
        )
    )
    progress = f"{names.REQUESTS_IN_PROGRESS}{promql.selector(name)}"
    dash = dash.with_panel(
        timeseries(
            layout,
            "Requests in progress",
            "Concurrent requests by method, summed over the service's processes.",
            "short",
            [Query(f"sum by ({names.LABEL_METHOD}) ({progress})", "{{method}}")],
        )
    )
    dash = dash.with_row(row(layout, "Latency"))
    for q in _QUANTILES:
        dash = dash.with_panel(
            timeseries(
                layout,
                f"p{q * 100:g} latency by route",
                f"{q * 100:g}th percentile request duration by route, from the histogram"
                " (latency ends at the last body chunk).",
                "s",
                [Query(_quantile(names.REQUEST_DURATION, q, name), "{{path}}")],
                span=8,
                thresholds=(service.alerts.latency_p95_seconds,) if q == 0.95 else (),
            )
        )
    dash = dash.with_row(row(layout, "Payload sizes"))
    for metric, what in ((names.RESPONSE_SIZE, "Response"), (names.REQUEST_SIZE, "Request")):
        dash = dash.with_panel(
            timeseries(
                layout,
                f"{what} size by route (p50, p95)",
                f"{what} body bytes by route, streamed bodies included.",
                "bytes",
                [
                    Query(_quantile(metric, 0.5, name), "p50 {{path}}"),
                    Query(_quantile(metric, 0.95, name), "p95 {{path}}"),
                ],
            )
        )
    return dash


def _slo_text(slo: Slo) -> str:
    """What the SLO promises, for its row title."""
    if slo.kind is SloKind.LATENCY and slo.latency_threshold_seconds is not None:
        return f"{slo.objective:g}% of requests faster than {slo.latency_threshold_seconds:g}s"
    if slo.kind is SloKind.AVAILABILITY:
        return f"{slo.objective:g}% of requests without a 5xx"
    return f"{slo.objective:g}% good events" + (f" ({slo.description})" if slo.description else "")


def _slo_rows(layout: Layout, dash: gdb.Dashboard, service: Service) -> gdb.Dashboard:
    for slo in service.slos:
        labels = promql.selector(service.name, promql.Matcher(names.LABEL_SLO, slo.name))
        what = _slo_text(slo)
        dash = dash.with_row(row(layout, f"SLO {slo.name}: {what}"))
        dash = dash.with_panel(
            stat(
                layout,
                "Error budget remaining",
                f"Share of the {service.slo_period_days}-day error budget left (1 = untouched,"
                " 0 or less = exhausted).",
                "percentunit",
                Query(f"{names.SLO_BUDGET_REMAINING}{labels}", instant=True),
                span=4,
                steps=((None, "red"), (0.0, "orange"), (0.25, "green")),
            )
        )
        dash = dash.with_panel(
            stat(
                layout,
                f"SLI over {service.slo_period_days}d",
                "Good share of requests over the whole SLO period.",
                "percentunit",
                Query(f"1 - {names.SLO_ERROR_RATIO_PERIOD}{labels}", instant=True),
                span=4,
                steps=((None, "red"), (slo.objective / 100.0, "green")),
            )
        )
        days = service.slo_period_days
        fastest = slo_math.severities(days)[slo_math.PAGE][0]
        factor = slo_math.burn_factor(fastest, days)
        share = f"{float(fastest.budget_share) * 100:.3g}%"
        windows = slo_math.recorded_windows((days,))
        dash = dash.with_panel(
            timeseries(
                layout,
                "Burn rate by window",
                "How fast the budget burns (1 = exactly on budget). The dashed line is the"
                f" fast-burn page threshold ({factor:g}x: {share} of the budget in"
                f" {fastest.long}).",
                "short",
                [Query(promql.burn_rate(w, labels), w) for w in windows],
                span=16,
                thresholds=(round(factor, 4),),
            )
        )
    return dash


def service_dashboard(service: Service) -> dict[str, Any]:
    """The dashboard of one service, as Grafana JSON.

    Services imported from Sloth or OpenSLO specs do not export the zwobs
    metrics: their dashboard has the SLO rows only.
    """
    name = service.name
    paths = f"{names.REQUESTS_TOTAL}{promql.selector(name)}"
    info = f"{names.BUILD_INFO}{promql.selector(name)}"
    new_versions = (
        f"count by ({names.LABEL_VERSION}) ({info})"
        f" unless count by ({names.LABEL_VERSION}) ({info} offset 2m)"
    )
    exported = service.origin == "catalog"
    what = "Golden signals and SLOs" if exported else f"SLOs (imported from {service.origin})"
    dash = base(
        f"{name} (zwobs)",
        dashboard_uid(name),
        ["zwobs", SERVICE_TAG, f"team-{service.team}", f"tier-{service.tier}"],
        f"{what} of {name} (team {service.team}, tier {service.tier}),"
        " rendered by zwobs from the service catalog.",
    )
    if exported:
        dash = dash.annotation(
            gdb.AnnotationQuery()
            .name("Deploys")
            .datasource(DATASOURCE)
            .enable(True)
            .icon_color("purple")
            .expr(new_versions)
            .title_format("deployed {{version}}")
            .step("60s")
        ).with_variable(
            gdb.QueryVariable(ROUTE_VARIABLE)
            .label("Route")
            .datasource(DATASOURCE)
            .query(f"label_values({paths}, {names.LABEL_PATH})")
            .definition(f"label_values({paths}, {names.LABEL_PATH})")
            .refresh(gmodel.VariableRefresh.ON_TIME_RANGE_CHANGED)
            .sort(gmodel.VariableSort.ALPHABETICAL_ASC)
            .multi(True)
            .include_all(True)
            .all_value(".*")
            .current(gmodel.VariableOption(selected=True, text="All", value="$__all"))
        )
    if service.runbook_url:
        dash = dash.link(
            gdb.DashboardLink("Runbook")
            .type(gmodel.DashboardLinkType.LINK)
            .url(service.runbook_url)
            .target_blank(True)
        )
    dash = dash.link(
        gdb.DashboardLink("Fleet overview")
        .type(gmodel.DashboardLinkType.LINK)
        .url(f"/d/{FLEET_UID}")
        .keep_time(True)
    )
    layout = Layout()
    if exported:
        dash = _overview_row(layout, dash, service)
        dash = _version_row(layout, dash, service)
        dash = _traffic_rows(layout, dash, service)
    dash = _slo_rows(layout, dash, service)
    if exported:
        dash = runtime_rows(layout, dash, service)
    return to_json(dash)


# --- fleet overview ----------------------------------------------------------------------


def service_json(service: Service) -> bytes:
    return dump(service_dashboard(service)).encode()
