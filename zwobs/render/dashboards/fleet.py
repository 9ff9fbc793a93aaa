"""The fleet overview: every catalog service ranked, SLO status, links to service dashboards."""

from __future__ import annotations

from typing import Any

from grafana_foundation_sdk.builders import dashboard as gdb
from grafana_foundation_sdk.builders import text as gtext
from grafana_foundation_sdk.models import dashboard as gmodel
from grafana_foundation_sdk.models import text as gtextmodel

from zwobs import names, promql
from zwobs.catalog.model import Catalog
from zwobs.render.dashboards.base import FLEET_UID, SERVICE_TAG, base, dashboard_uid
from zwobs.render.dashboards.templated import TEMPLATED_UID
from zwobs.render.grafana import Layout, Query, row, stat, table, timeseries, to_json

__all__ = ["fleet_dashboard"]


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


def fleet_dashboard(catalog: Catalog, templated: bool = False) -> dict[str, Any]:
    """One overview of every service: rankings, SLO status, links to the service dashboards
    (``templated``: to the one templated dashboard, and no list that grows with the fleet)."""
    layout = Layout()
    url = f"/dashboards?tag={SERVICE_TAG}&query=${{__data.fields.service}}"
    if templated:
        url = f"/d/{TEMPLATED_UID}?var-service=${{__data.fields.service}}"
    service_link = (
        gdb.DashboardLink("Open ${__data.fields.service}")
        .type(gmodel.DashboardLinkType.LINK)
        .url(url)
    )
    dash = base(
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
            Query(f"count(({promql.burn_rate('1h')}) > 1) or vector(0)", instant=True),
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
                    f"sort_desc({_per_slo(promql.burn_rate('1h'))})",
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
                Query(_per_slo(promql.burn_rate("1h")), instant=True, table=True, column="burn 1h"),
                Query(_per_slo(promql.burn_rate("6h")), instant=True, table=True, column="burn 6h"),
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
    if templated:
        return to_json(dash)
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
