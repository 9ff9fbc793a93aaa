"""Grafana dashboards: structure, stable uids, the panels the issue asks for, PromQL that parses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.render.catalogs import CHAT, EXAMPLE, USER, service
from tests.render.promql_check import parse_errors
from zwobs import names
from zwobs.catalog import load_catalog
from zwobs.catalog.model import Catalog, Slo, SloKind
from zwobs.render import render_all
from zwobs.render.dashboard_lint import expressions, lint, substitute
from zwobs.render.dashboards import (
    FLEET_UID,
    dashboard_uid,
    fleet_dashboard,
    render_dashboards,
    service_dashboard,
)
from zwobs.render.dashboards.runtime import FLAGS_ROW, SECRETS_ROW
from zwobs.render.files import check_tree

VALUES = {"__rate_interval": "1m", "route": ".*", "datasource": "prom"}


def _titles(dashboard: dict[str, Any]) -> list[str]:
    return [p["title"] for p in dashboard["panels"]]


def _rows(dashboard: dict[str, Any]) -> list[str]:
    return [p["title"] for p in dashboard["panels"] if p["type"] == "row"]


def test_render_writes_one_file_per_service_and_the_fleet_overview() -> None:
    files = render_dashboards(EXAMPLE)
    assert sorted(files) == [
        "dashboards/chat-service.json",
        "dashboards/fleet-overview.json",
        "dashboards/user-service.json",
    ]


def test_render_is_byte_stable() -> None:
    assert render_dashboards(EXAMPLE) == render_dashboards(EXAMPLE)


def test_every_generated_dashboard_passes_the_lint() -> None:
    for path, body in render_dashboards(EXAMPLE).items():
        assert lint(json.loads(body)) == [], path


def test_every_expression_parses_in_promtool(tmp_path: Path) -> None:
    exprs = [
        substitute(e.expr, VALUES)
        for body in render_dashboards(EXAMPLE).values()
        for e in expressions(json.loads(body))
    ]
    assert len(exprs) > 50
    assert parse_errors(exprs, tmp_path) == ""


def test_current_schema_and_datasource_is_a_template_variable() -> None:
    dashboard = service_dashboard(USER)
    assert dashboard["schemaVersion"] == 42
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for panel in dashboard["panels"]:
        if panel["type"] not in ("row", "text"):
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]


def test_uid_is_derived_from_the_service_name_and_fits_grafanas_limit() -> None:
    assert service_dashboard(USER)["uid"] == "zwobs-user-service"
    long_a, long_b = "a" * 60 + "-one", "a" * 60 + "-two"
    assert len(dashboard_uid(long_a)) == 40
    assert dashboard_uid(long_a) != dashboard_uid(long_b)
    assert dashboard_uid(long_a) == dashboard_uid(long_a)
    odd = dashboard_uid("Payments.API v2")
    assert odd.startswith("zwobs-Payments-API-v2-") and len(odd) <= 40


def test_service_dashboard_has_the_golden_signal_panels() -> None:
    titles = _titles(service_dashboard(USER))
    for wanted in (
        "Request rate by route",
        "Error ratio by route",
        "p50 latency by route",
        "p95 latency by route",
        "p99 latency by route",
        "Requests in progress",
        "Response size by route (p50, p95)",
        "Active versions",
        "Request rate by version",
        "Error ratio by version",
        "p95 latency by version",
    ):
        assert wanted in titles


def test_each_slo_gets_a_row_with_budget_and_burn_rates() -> None:
    dashboard = service_dashboard(USER)
    rows = _rows(dashboard)
    assert "SLO availability: 99.9% of requests without a 5xx" in rows
    assert "SLO latency: 99% of requests faster than 0.5s" in rows
    burn = [p for p in dashboard["panels"] if p["title"] == "Burn rate by window"]
    assert len(burn) == 2
    legends = [t["legendFormat"] for t in burn[0]["targets"]]
    assert legends == list(names.SLO_WINDOWS)
    assert all(names.SLO_OBJECTIVE in t["expr"] for t in burn[0]["targets"])


def test_flags_and_secrets_have_their_own_labelled_rows_scoped_to_the_service() -> None:
    dashboard = service_dashboard(USER)
    assert FLAGS_ROW in _rows(dashboard) and SECRETS_ROW in _rows(dashboard)
    exprs = " ".join(e.expr for e in expressions(dashboard))
    for metric in (names.FLAG_EVALUATIONS, names.SECRET_FETCHES, names.SECRET_EXPIRY):
        assert metric in exprs
    assert 'zwobs_build_info{service="user-service"}' in exprs


def test_service_without_slos_has_no_slo_rows_and_still_lints() -> None:
    dashboard = service_dashboard(service("bare"))
    assert not [r for r in _rows(dashboard) if r.startswith("SLO")]
    assert lint(dashboard) == []


def test_every_query_selects_only_its_own_service() -> None:
    for e in expressions(service_dashboard(CHAT)):
        assert 'service="chat-service"' in e.expr, e.where


def test_alert_thresholds_of_the_catalog_are_drawn() -> None:
    dashboard = service_dashboard(CHAT)
    error_ratio = next(p for p in dashboard["panels"] if p["title"] == "Error ratio (5xx)")
    steps = error_ratio["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert steps[-1]["value"] == CHAT.alerts.error_rate


def test_fleet_overview_ranks_services_and_links_each_dashboard() -> None:
    dashboard = fleet_dashboard(EXAMPLE)
    assert dashboard["uid"] == FLEET_UID
    titles = _titles(dashboard)
    assert "Services by error ratio (5m)" in titles
    assert "SLOs by budget burn (1h)" in titles
    assert "SLO status" in titles
    text = next(p for p in dashboard["panels"] if p["type"] == "text")
    content = text["options"]["content"]
    assert "[user-service](/d/zwobs-user-service)" in content
    assert "[chat-service](/d/zwobs-chat-service)" in content
    ranking = next(p for p in dashboard["panels"] if p["title"] == "Services by error ratio (5m)")
    assert ranking["targets"][0]["expr"].startswith("sort_desc(")


def test_service_dashboards_link_back_to_the_fleet_and_to_each_other() -> None:
    links = service_dashboard(USER)["links"]
    assert {"type": "dashboards", "tags": ["zwobs-service"]}.items() <= links[0].items()
    assert any(link.get("url") == f"/d/{FLEET_UID}" for link in links)
    assert any(link.get("url") == USER.runbook_url for link in links)


@pytest.mark.parametrize("count", [1, 40])
def test_fleet_overview_lints_for_small_and_larger_fleets(count: int) -> None:
    catalog = Catalog(tuple(service(f"svc-{i:03d}") for i in range(count)))
    assert lint(fleet_dashboard(catalog)) == []


def test_imported_service_gets_slo_rows_only() -> None:
    custom = Slo(
        "checkout",
        SloKind.CUSTOM,
        99.5,
        description="checkout succeeds",
        errors_query="sum(rate(errors[{{.window}}]))",
        total_query="sum(rate(total[{{.window}}]))",
    )
    dashboard = service_dashboard(service("imported", custom, origin="sloth"))
    assert _rows(dashboard) == ["SLO checkout: 99.5% good events (checkout succeeds)"]
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["datasource"]
    assert lint(dashboard) == []


def test_committed_dashboards_are_up_to_date_with_the_example_catalog() -> None:
    root = Path(__file__).resolve().parents[2]
    rendered = render_all(load_catalog([root / "examples" / "catalog.yaml"]), only=["dashboards"])
    assert check_tree(root, rendered.files, rendered.directories) == []
