"""Grafana dashboards per service and one fleet overview, built with grafana-foundation-sdk.

The official SDK (pinned ``==0.0.21``: schemaVersion 42, Grafana >= 12; a plain
install resolves an old Grafana 10.1 epoch) gives typed builders and current
panel models; grafanalib is unmaintained and emits the legacy row/span model.
Every query comes from names.py and promql.py, so the panels draw exactly what
the middleware exports and the recording rules record.

The panel vocabulary (ids, refIds, datasource variable) is in grafana.py and
``dashboard_lint`` checks the result; this module is the content: which rows
and panels, and their PromQL.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from zwobs.extras import missing_extra

try:
    from grafana_foundation_sdk.builders import dashboard as gdb
    from grafana_foundation_sdk.builders import text as gtext
    from grafana_foundation_sdk.models import dashboard as gmodel
    from grafana_foundation_sdk.models import text as gtextmodel
except ModuleNotFoundError as _missing:
    raise missing_extra(_missing, "render", "rendering dashboards") from None

from zwobs import names, promql
from zwobs.catalog.model import Catalog, Rollout, Service, Slo, SloKind
from zwobs.render import RenderOptions
from zwobs.render.grafana import (
    DATASOURCE,
    DATASOURCE_VARIABLE,
    Layout,
    Query,
    dump,
    row,
    stat,
    table,
    timeseries,
    to_json,
)
from zwobs.render.shapes import by_shape

__all__ = [
    "DATASOURCE_VARIABLE",
    "FLEET_UID",
    "OPTIONAL_ROWS",
    "SERVICE_TAG",
    "dashboard_uid",
    "fleet_dashboard",
    "render_dashboards",
    "service_dashboard",
]

ROUTE_VARIABLE = "route"
SERVICE_TAG = "zwobs-service"
FLEET_UID = "zwobs-fleet"
UID_MAX = 40
_UID_CHARS = re.compile(r"[A-Za-z0-9_-]+\Z")
"""Grafana rejects dashboard uids longer than 40 characters."""
FLAGS_ROW = "Feature flags (zwobs.flags)"
SECRETS_ROW = "Secrets (zwobs.secrets)"
OPTIONAL_ROWS = (FLAGS_ROW, SECRETS_ROW)
"""Rows whose panels are empty until the service uses that runtime part."""

_RATE = "$__rate_interval"
_ROUTE = promql.Matcher(names.LABEL_PATH, f"${ROUTE_VARIABLE}", "=~")
_QUANTILES = (0.5, 0.95, 0.99)
_ERRORS = promql.Matcher(names.LABEL_STATUS, "5..", "=~")
_DEFAULT_ROLLOUT = Rollout()
_BURN_WINDOWS = names.SLO_WINDOWS


def dashboard_uid(service: str) -> str:
    """``zwobs-<service>``; a name too long or with characters Grafana rejects in uids
    (only letters, digits, ``-`` and ``_``) keeps a cleaned prefix plus a hash, so uids stay
    unique and stable."""
    uid = f"zwobs-{service}"
    if len(uid) <= UID_MAX and _UID_CHARS.match(uid):
        return uid
    digest = hashlib.sha256(service.encode()).hexdigest()[:8]
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", uid)
    return f"{cleaned[: UID_MAX - 9]}-{digest}"


# --- per-service dashboard ---------------------------------------------------------------


def _http(metric: str, service: str, *extra: promql.Matcher) -> str:
    return f"{metric}{promql.selector(service, *extra)}"


def _by_route_rate(service: str, *extra: promql.Matcher) -> str:
    return (
        f"sum by ({names.LABEL_PATH}) "
        f"(rate({_http(names.REQUESTS_TOTAL, service, _ROUTE, *extra)}[{_RATE}]))"
    )


def _quantile(metric: str, q: float, service: str, by: str = names.LABEL_PATH) -> str:
    bucket = _http(f"{metric}_bucket", service, _ROUTE)
    return f"histogram_quantile({q:g}, sum by (le, {by}) (rate({bucket}[{_RATE}])))"


def _error_ratio_by_route(service: str) -> str:
    total = _by_route_rate(service)
    return f"(({_by_route_rate(service, _ERRORS)} or {total} * 0) / ({total} > 0))"


def _scoped_to(service: str, vector: str) -> str:
    """A runtime part's series limited to the service's targets (they carry no service label)."""
    return promql.on_targets(vector, service)


def _burn(service: str, slo: Slo, window: str) -> str:
    labels = promql.selector(service, promql.Matcher(names.LABEL_SLO, slo.name))
    return (
        f"{names.SLO_ERROR_RATIO[window]}{labels}"
        f" / on({names.LABEL_SERVICE}, {names.LABEL_SLO}) group_left()"
        f" (1 - {names.SLO_OBJECTIVE}{labels})"
    )


def _overview_row(layout: Layout, dash: gdb.Dashboard, service: Service) -> gdb.Dashboard:
    name = service.name
    dash = dash.with_row(row(layout, "Overview"))
    dash = dash.with_panel(
        stat(
            layout,
            "Request rate",
            "Requests per second, all routes.",
            "reqps",
            Query(promql.request_rate(name, _RATE), instant=True),
        )
    )
    dash = dash.with_panel(
        stat(
            layout,
            "Error ratio (5xx)",
            f"Share of 5xx responses; the HighErrorRate alert fires above "
            f"{service.alerts.error_rate:g}. Empty when there is no traffic.",
            "percentunit",
            Query(promql.error_ratio(name, _RATE), instant=True),
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
            Query(promql.latency_quantile(0.95, name, _RATE), instant=True),
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


def _by_version(service: str, vector: str) -> str:
    """``sum by (version)`` of a per-target vector: the version comes from zwobs_build_info."""
    version = names.LABEL_VERSION
    return f"sum by ({version}) ({promql.on_targets(vector, service, copy=(version,))})"


def _version_row(layout: Layout, dash: gdb.Dashboard, service: Service) -> gdb.Dashboard:
    """Stable against canary (or blue against green): the golden signals split by version."""
    name = service.name
    requests = f"rate({_http(names.REQUESTS_TOTAL, name)}[{_RATE}])"
    errors = f"rate({_http(names.REQUESTS_TOTAL, name, _ERRORS)}[{_RATE}])"
    buckets = f"rate({_http(names.REQUEST_DURATION + '_bucket', name)}[{_RATE}])"
    total = _by_version(name, requests)
    version = names.LABEL_VERSION
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
                    f"(({_by_version(name, errors)} or {total} * 0) / ({total} > 0))", "{{version}}"
                )
            ],
            span=8,
            thresholds=(service.alerts.error_rate,),
        )
    )
    quantile = (
        f"histogram_quantile(0.95, sum by (le, {version})"
        f" ({promql.on_targets(buckets, name, copy=(version,))}))"
    )
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
            [Query(_by_route_rate(name), "{{path}}")],
        )
    )
    dash = dash.with_panel(
        timeseries(
            layout,
            "Error ratio by route",
            "5xx share per route; the dashed line is the HighErrorRate threshold.",
            "percentunit",
            [Query(_error_ratio_by_route(name), "{{path}}")],
            thresholds=(service.alerts.error_rate,),
        )
    )
    status = _http(names.REQUESTS_TOTAL, name, _ROUTE)
    dash = dash.with_panel(
        timeseries(
            layout,
            "Responses by status",
            "Responses per second by status code (499: client went away).",
            "reqps",
            [Query(f"sum by ({names.LABEL_STATUS}) (rate({status}[{_RATE}]))", "{{status}}")],
        )
    )
    progress = _http(names.REQUESTS_IN_PROGRESS, name)
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
        factor = 0.02 * service.slo_period_days * 24
        dash = dash.with_panel(
            timeseries(
                layout,
                "Burn rate by window",
                "How fast the budget burns (1 = exactly on budget). The dashed line is the"
                f" fast-burn page threshold ({factor:g}x: 2% of the budget in one hour).",
                "short",
                [Query(_burn(service.name, slo, w), w) for w in _BURN_WINDOWS],
                span=16,
                thresholds=(round(factor, 4),),
            )
        )
    return dash


def _legend(*labels: str) -> str:
    """A Grafana legend showing ``labels``' values: ``{{flag}} {{result}}``."""
    return " ".join(f"{{{{{label}}}}}" for label in labels)


def _runtime_rows(layout: Layout, dash: gdb.Dashboard, service: Service) -> gdb.Dashboard:
    """Flag and secret health. These series carry no ``service`` label: they are scoped to the
    service's processes through ``zwobs_build_info``; empty until the service uses the part."""
    name = service.name
    flag, result, reason = names.LABEL_FLAG, names.LABEL_RESULT, names.LABEL_REASON
    kind = names.LABEL_KIND
    dash = dash.with_row(row(layout, FLAGS_ROW))
    evaluations = _scoped_to(name, f"rate({names.FLAG_EVALUATIONS}[{_RATE}])")
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
    failures = _scoped_to(name, f"rate({names.FLAG_REFRESH_FAILURES}[{_RATE}])")
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
    fetches = _scoped_to(name, f"rate({names.SECRET_FETCHES}[{_RATE}])")
    hits = _scoped_to(name, f"rate({names.SECRET_CACHE_HITS}[{_RATE}])")
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


def _base(title: str, uid: str, tags: list[str], description: str) -> gdb.Dashboard:
    return (
        gdb.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(tags)
        .editable()
        .refresh("1m")
        .time("now-6h", "now")
        .timezone("browser")
        .tooltip(gmodel.DashboardCursorSync.CROSSHAIR)
        .annotation(
            gdb.AnnotationQuery()
            .name("Annotations & Alerts")
            .datasource(gmodel.DataSourceRef(type_val="grafana", uid="-- Grafana --"))
            .built_in(1)
            .enable(True)
            .hide(True)
            .icon_color("rgba(0, 211, 255, 1)")
            .type("dashboard")
        )
        .with_variable(
            gdb.DatasourceVariable(DATASOURCE_VARIABLE).label("Data source").type("prometheus")
        )
        .link(
            gdb.DashboardLink("Services")
            .type(gmodel.DashboardLinkType.DASHBOARDS)
            .tags([SERVICE_TAG])
            .as_dropdown(True)
            .include_vars(False)
            .keep_time(True)
        )
    )


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
    dash = _base(
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
        dash = _runtime_rows(layout, dash, service)
    return to_json(dash)


# --- fleet overview ----------------------------------------------------------------------


def _fleet_burn(window: str) -> str:
    return (
        f"{names.SLO_ERROR_RATIO[window]} / on({names.LABEL_SERVICE}, {names.LABEL_SLO})"
        f" group_left() (1 - {names.SLO_OBJECTIVE})"
    )


def _per_service(vector: str) -> str:
    """One row per service and no ``__name__`` column, so table queries merge cleanly."""
    return f"max by ({names.LABEL_SERVICE}) ({vector})"


def _per_slo(vector: str) -> str:
    """One row per (service, SLO): the join key of the SLO status table."""
    return f"max by ({names.LABEL_SERVICE}, {names.LABEL_SLO}) ({vector})"


def _service_links(catalog: Catalog) -> str:
    lines = ["| Service | Team | Tier | SLOs |", "|---|---|---|---|"]
    for service in catalog.services:
        slos = ", ".join(f"{s.name} {s.objective:g}%" for s in service.slos) or "none"
        lines.append(
            f"| [{service.name}](/d/{dashboard_uid(service.name)}) | {service.team}"
            f" | {service.tier} | {slos} |"
        )
    return "\n".join(lines)


def fleet_dashboard(catalog: Catalog) -> dict[str, Any]:
    """One overview of every service: rankings, SLO status, links to the service dashboards."""
    layout = Layout()
    service_link = (
        gdb.DashboardLink("Open ${__data.fields.service}")
        .type(gmodel.DashboardLinkType.LINK)
        .url(f"/dashboards?tag={SERVICE_TAG}&query=${{__data.fields.service}}")
    )
    dash = _base(
        "Fleet overview (zwobs)",
        FLEET_UID,
        ["zwobs", "zwobs-fleet"],
        "Every catalog service ranked by error ratio and error-budget burn, from the"
        " fleet recording rules rendered by zwobs.",
    )
    dash = dash.with_row(row(layout, "Fleet"))
    dash = dash.with_panel(
        stat(
            layout,
            "Services with traffic",
            "Services that served requests in the last 5 minutes.",
            "short",
            Query(f"count({names.SERVICE_REQUESTS_RATE5M})", instant=True),
            span=6,
        )
    )
    dash = dash.with_panel(
        stat(
            layout,
            "Fleet request rate",
            "Requests per second over all services.",
            "reqps",
            Query(f"sum({names.SERVICE_REQUESTS_RATE5M})", instant=True),
            span=6,
        )
    )
    dash = dash.with_panel(
        stat(
            layout,
            "SLOs burning fast",
            "SLOs whose 1h burn rate is above 1 (spending budget faster than allowed).",
            "short",
            Query(f"count(({_fleet_burn('1h')}) > 1) or vector(0)", instant=True),
            span=6,
            steps=((None, "green"), (1.0, "red")),
        )
    )
    dash = dash.with_panel(
        stat(
            layout,
            "SLOs with budget exhausted",
            "SLOs whose error budget over the period is used up.",
            "short",
            Query(f"count({names.SLO_BUDGET_REMAINING} <= 0) or vector(0)", instant=True),
            span=6,
            steps=((None, "green"), (1.0, "red")),
        )
    )
    dash = dash.with_row(row(layout, "Rankings"))
    dash = dash.with_panel(
        table(
            layout,
            "Services by error ratio (5m)",
            "Worst first; click a service to open its dashboard.",
            [
                Query(
                    f"sort_desc({_per_service(names.SERVICE_ERROR_RATIO_RATE5M)})",
                    instant=True,
                    table=True,
                    column="error ratio",
                )
            ],
            unit="percentunit",
            links=[service_link],
        )
    )
    dash = dash.with_panel(
        table(
            layout,
            "SLOs by budget burn (1h)",
            "Burn rate of every SLO over the last hour, fastest first (1 = on budget).",
            [
                Query(
                    f"sort_desc({_per_slo(_fleet_burn('1h'))})",
                    instant=True,
                    table=True,
                    column="burn rate (1h)",
                )
            ],
            links=[service_link],
        )
    )
    dash = dash.with_panel(
        table(
            layout,
            "SLO status",
            "Objective, budget remaining over the SLO period and burn rates per SLO.",
            [
                Query(_per_slo(names.SLO_OBJECTIVE), instant=True, table=True, column="objective"),
                Query(
                    _per_slo(names.SLO_BUDGET_REMAINING),
                    instant=True,
                    table=True,
                    column="budget remaining",
                ),
                Query(_per_slo(_fleet_burn("1h")), instant=True, table=True, column="burn 1h"),
                Query(_per_slo(_fleet_burn("6h")), instant=True, table=True, column="burn 6h"),
            ],
            span=24,
            height=10,
            links=[service_link],
        )
    )
    dash = dash.with_row(row(layout, "Trends"))
    dash = dash.with_panel(
        timeseries(
            layout,
            "Top 10 error ratios",
            "The ten services with the highest 5xx ratio at each point in time.",
            "percentunit",
            [Query(f"topk(10, {names.SERVICE_ERROR_RATIO_RATE5M})", "{{service}}")],
        )
    )
    dash = dash.with_panel(
        timeseries(
            layout,
            "Top 10 p95 latencies",
            "The ten services with the highest p95 latency.",
            "s",
            [Query(f"topk(10, {names.SERVICE_LATENCY_P95_5M})", "{{service}}")],
        )
    )
    dash = dash.with_row(row(layout, "Service dashboards"))
    dash = dash.with_panel(
        gtext.Panel()
        .id(layout.take())
        .title("Service dashboards")
        .span(24)
        .height(min(30, 3 + len(catalog.services)))
        .mode(gtextmodel.TextMode.MARKDOWN)
        .content(_service_links(catalog))
    )
    return to_json(dash)


def _service_text(service: Service) -> str:
    return dump(service_dashboard(service))


def render_dashboards(catalog: Catalog, options: RenderOptions | None = None) -> dict[str, bytes]:
    """``dashboards/<service>.json`` for every service and ``dashboards/fleet-overview.json``.

    Rendered once per service shape (see shapes.py): 10,000 services in seconds.
    """
    del options  # dashboards do not depend on the rule format or namespace
    files = {
        f"dashboards/{service.name}.json": by_shape(
            service,
            _service_text,
            eligible=dashboard_uid(service.name) == f"zwobs-{service.name}",
            owners=(),
            labels=(),
            registries=(),
            description="",
            rollout=_DEFAULT_ROLLOUT,
        ).encode()
        for service in catalog.services
    }
    files["dashboards/fleet-overview.json"] = dump(fleet_dashboard(catalog)).encode()
    return files
