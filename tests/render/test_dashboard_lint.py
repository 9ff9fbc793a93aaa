"""The dashboard lint catches each kind of breakage Grafana would import silently."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.render.catalogs import USER
from zwobs.render.dashboard_lint import expressions, lint, substitute
from zwobs.render.dashboards import service_dashboard

GOOD = service_dashboard(USER)


def _broken() -> dict[str, Any]:
    return copy.deepcopy(GOOD)


def _panel(dashboard: dict[str, Any], title: str) -> dict[str, Any]:
    return next(p for p in dashboard["panels"] if p["title"] == title)


def test_generated_dashboard_is_clean() -> None:
    assert lint(GOOD) == []


def test_duplicate_panel_id_is_reported() -> None:
    broken = _broken()
    _panel(broken, "Requests in progress")["id"] = _panel(broken, "Request rate by route")["id"]
    assert any("id also used by panel 'Request rate by route'" in p for p in lint(broken))


def test_missing_panel_id_is_reported() -> None:
    broken = _broken()
    del _panel(broken, "Requests in progress")["id"]
    assert any("id must be a positive integer" in p for p in lint(broken))


def test_duplicate_ref_id_within_a_panel_is_reported() -> None:
    broken = _broken()
    targets = _panel(broken, "Burn rate by window")["targets"]
    targets[1]["refId"] = targets[0]["refId"]
    assert any("refId 'A' used twice" in p for p in lint(broken))


def test_overlapping_panels_are_reported() -> None:
    broken = _broken()
    _panel(broken, "Error ratio by route")["gridPos"]["x"] = 6
    assert any("overlaps panel" in p for p in lint(broken))


def test_panel_wider_than_the_grid_is_reported() -> None:
    broken = _broken()
    _panel(broken, "Error ratio by route")["gridPos"]["w"] = 20
    assert any("wider than the 24-column grid" in p for p in lint(broken))


def test_hard_coded_or_unknown_datasource_is_reported() -> None:
    broken = _broken()
    _panel(broken, "Request rate by route")["datasource"]["uid"] = "P1809F7CD0C75ACF3"
    _panel(broken, "Requests in progress")["targets"][0]["datasource"]["uid"] = "${prom}"
    problems = lint(broken)
    assert any("uid 'P1809F7CD0C75ACF3' is hard-coded" in p for p in problems)
    assert any("$prom is not a datasource variable" in p for p in problems)


def test_undefined_template_variable_in_a_query_is_reported() -> None:
    broken = _broken()
    _panel(broken, "Requests in progress")["targets"][0]["expr"] += " * $missing"
    assert any("uses undefined variable $missing" in p for p in lint(broken))


def test_uid_longer_than_40_characters_is_reported() -> None:
    broken = _broken()
    broken["uid"] = "x" * 41
    assert any("expected 1 to 40 characters" in p for p in lint(broken))


def test_expressions_cover_targets_annotations_and_variable_selectors() -> None:
    found = expressions(GOOD)
    wheres = [e.where for e in found]
    assert any(w.startswith("annotation 'Deploys'") for w in wheres)
    route = next(e for e in found if e.where == "variable route")
    assert route.expr == 'http_requests_total{service="user-service"}'
    assert sum(1 for e in found if e.panel_id is not None) > 30


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("rate(x[$__rate_interval])", "rate(x[1m])"),
        ('x{path=~"${route}"}', 'x{path=~".*"}'),
        ('x{path=~"[[route]]"}', 'x{path=~".*"}'),
        ('x{path=~"${route:regex}"}', 'x{path=~".*"}'),
        ("x * $unknown", "x * $unknown"),
    ],
)
def test_substitute_fills_every_variable_syntax(expr: str, expected: str) -> None:
    assert substitute(expr, {"__rate_interval": "1m", "route": ".*"}) == expected
