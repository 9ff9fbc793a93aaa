"""The proof: every query of every rendered dashboard runs against a live Prometheus.

None errors, and every panel has data (the served app, tests/live/app.py,
evaluates feature flags and reads a secret, so those rows are drawn too) except
the panels that read only long-window SLO rules: 30m to 30d windows are
recorded from subqueries aligned to 5m/1h steps, so a Prometheus that is one
minute old has no samples for them yet. Their queries still run and must not
error, the test names exactly which panels those are, and
tests/render/test_dashboards_history.py proves them with 3 hours of replayed traffic.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from typing import Any

import pytest

from tests.live.conftest import CANARY, STABLE, Live
from zwobs import names
from zwobs.render.dashboard_lint import expressions, substitute

pytestmark = pytest.mark.integration

VALUES = {"__rate_interval": "1m", "route": ".*"}
NEEDS_HISTORY = (
    names.SLO_BUDGET_REMAINING,
    names.SLO_ERROR_RATIO_PERIOD,
    *(names.slo_error_ratio(w) for w in names.SLO_WINDOWS if w != "5m"),
)


def _dashboards(live: Live) -> dict[str, dict[str, Any]]:
    return {
        path: json.loads(body)
        for path, body in live.rendered.items()
        if path.startswith("dashboards/")
    }


def _needs_history(expr: str) -> bool:
    return any(name in expr for name in NEEDS_HISTORY)


def _units(live: Live) -> tuple[dict[str, list[str]], set[str], set[str]]:
    """Queries grouped by panel (or variable/annotation); the groups that must have data;
    the panels exempt only because they read long-window rules."""
    groups: dict[str, list[str]] = defaultdict(list)
    required: set[str] = set()
    for path, dashboard in _dashboards(live).items():
        for e in expressions(dashboard):
            unit = f"{path} {e.where.rsplit(' ', 1)[0] if e.panel_id else e.where}"
            groups[unit].append(substitute(e.expr, VALUES))
            if e.where.startswith(("panel", "variable")):
                required.add(unit)
    history = {u for u in required if all(_needs_history(q) for q in groups[u])}
    return groups, required - history, history


def test_rendered_output_has_service_and_fleet_dashboards(live: Live) -> None:
    assert sorted(_dashboards(live)) == [
        "dashboards/fleet-overview.json",
        "dashboards/user-service.json",
    ]


def test_only_budget_and_period_panels_are_exempt_for_lack_of_history(live: Live) -> None:
    _, _, history = _units(live)
    titles = sorted({unit.split("'")[1] for unit in history})
    assert titles == [
        "Error budget remaining",
        "SLI over 30d",
        "SLOs burning fast",
        "SLOs by budget burn (1h)",
        "SLOs with budget exhausted",
    ]


def test_every_panel_query_runs_and_every_required_panel_has_data(live: Live) -> None:
    groups, required, _ = _units(live)
    assert sum(len(q) for q in groups.values()) > 50
    assert len(required) > 20
    errors: dict[str, str] = {}
    empty: set[str] = set()
    deadline = time.monotonic() + 30  # the 5m recording rules need an evaluation or two
    while True:
        empty.clear()
        for unit, queries in groups.items():
            has_data = False
            for query in queries:
                try:
                    has_data = bool(live.prometheus.query(query)) or has_data
                except Exception as error:
                    errors[f"{unit}: {query}"] = str(error)
            if unit in required and not has_data:
                empty.add(unit)
        if errors or not empty or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert errors == {}
    assert not empty, "panels without data:\n" + "\n".join(sorted(empty))


def test_version_panels_split_stable_from_canary(live: Live) -> None:
    dashboard = _dashboards(live)["dashboards/user-service.json"]
    panel = next(p for p in dashboard["panels"] if p["title"] == "Error ratio by version")
    query = substitute(panel["targets"][0]["expr"], VALUES)
    samples = live.prometheus.query(query)
    by_version = {s["metric"]["version"]: float(s["value"][1]) for s in samples}
    assert set(by_version) == {STABLE, CANARY}
    assert by_version[CANARY] > 0.1  # half of the canary's requests fail
    assert by_version[STABLE] < 0.05  # 1% of the stable version's do
