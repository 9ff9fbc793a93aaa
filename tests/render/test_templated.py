"""The templated service dashboard of a catalog with a topology: two files for any fleet size,
variables for service, location and SLO, recorded series only, PromQL that parses."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from tests.render.catalogs import EXAMPLE
from tests.render.promql_check import parse_errors
from zwobs import names
from zwobs.catalog.model import Catalog, Topology
from zwobs.render import RenderError, RenderOptions, render_all
from zwobs.render.dashboard_lint import expressions, lint, substitute
from zwobs.render.dashboards import TEMPLATED_UID, render_dashboards

VALUES = {"service": "chat-service", "region": ".*", "cluster": ".*", "slo": "availability"}
LOCATED = dataclasses.replace(EXAMPLE, topology=Topology(("region", "cluster")))
_RAW = {
    names.REQUESTS_TOTAL,
    f"{names.REQUEST_DURATION}_bucket",
    f"{names.REQUEST_DURATION}_count",
    names.BUILD_INFO,
}


def _fleet(n: int) -> Catalog:
    services = tuple(
        dataclasses.replace(EXAMPLE.services[0], name=f"svc-{i:05d}") for i in range(n)
    )
    return dataclasses.replace(LOCATED, services=services)


def test_a_topology_renders_one_service_dashboard_whatever_the_fleet_size() -> None:
    small, large = render_dashboards(_fleet(3)), render_dashboards(_fleet(300))
    assert sorted(small) == ["dashboards/fleet-overview.json", "dashboards/service.json"]
    assert small == large  # the files do not grow with the services


def test_per_service_keeps_one_file_per_service_and_absent_topology_is_unchanged() -> None:
    per_service = render_dashboards(LOCATED, RenderOptions(dashboards="per-service"))
    assert per_service == render_dashboards(EXAMPLE)
    assert sorted(render_dashboards(EXAMPLE, RenderOptions(dashboards="templated"))) == [
        "dashboards/fleet-overview.json",
        "dashboards/service.json",
    ]
    with pytest.raises(RenderError, match="unknown dashboards mode 'one'"):
        render_all(EXAMPLE, RenderOptions(dashboards="one"), only=["dashboards"])


def test_templated_dashboards_lint_and_every_query_parses(tmp_path: Path) -> None:
    files = render_dashboards(LOCATED)
    exprs = []
    for path, body in files.items():
        dashboard = json.loads(body)
        assert lint(dashboard) == [], path
        exprs += [substitute(e.expr, VALUES) for e in expressions(dashboard)]
    assert parse_errors(exprs, tmp_path) == ""


def test_service_location_and_slo_are_variables_and_slo_rows_repeat() -> None:
    dashboard = json.loads(render_dashboards(LOCATED)["dashboards/service.json"])
    assert dashboard["uid"] == TEMPLATED_UID
    variables = [v["name"] for v in dashboard["templating"]["list"]]
    assert variables == ["datasource", "service", "region", "cluster", "slo"]
    repeated = [p for p in dashboard["panels"] if p["type"] == "row" and p.get("repeat")]
    assert [p["repeat"] for p in repeated] == ["slo"]
    slo_variable = dashboard["templating"]["list"][-1]
    assert (
        names.SLO_OBJECTIVE in slo_variable["query"]["query"]
        if isinstance(slo_variable["query"], dict)
        else names.SLO_OBJECTIVE in slo_variable["query"]
    )


def test_the_templated_dashboards_read_recorded_series_only() -> None:
    for path, body in render_dashboards(LOCATED).items():
        for e in expressions(json.loads(body)):
            read = set(re.findall(r"(?<![\w:])([a-z_]+)\{", e.expr))
            assert not read & _RAW, (path, e.where, e.expr)


def test_the_fleet_overview_links_the_templated_dashboard_and_lists_no_services() -> None:
    fleet = render_dashboards(_fleet(50))["dashboards/fleet-overview.json"].decode()
    assert f"/d/{TEMPLATED_UID}?var-service=" in fleet
    assert "svc-00001" not in fleet
