"""The proof: every query of every rendered dashboard runs against a live Prometheus.

None errors, and every panel that should have data has it (the feature-flag and
secret rows stay empty until the demo uses those parts: they only must not error).
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.live.conftest import Live
from zwobs.render.dashboard_lint import Expression, expressions, panel_rows, substitute
from zwobs.render.dashboards import OPTIONAL_ROWS

pytestmark = pytest.mark.integration

VALUES = {"__rate_interval": "1m", "route": ".*"}


def _dashboards(live: Live) -> dict[str, dict[str, Any]]:
    return {
        path: json.loads(body)
        for path, body in live.rendered.items()
        if path.startswith("dashboards/")
    }


def _required(dashboard: dict[str, Any], expression: Expression) -> bool:
    if expression.panel_id is None:
        return expression.where.startswith("variable")
    return panel_rows(dashboard)[expression.panel_id] not in OPTIONAL_ROWS


def test_rendered_output_has_service_and_fleet_dashboards(live: Live) -> None:
    assert sorted(_dashboards(live)) == [
        "dashboards/fleet-overview.json",
        "dashboards/user-service.json",
    ]


def test_every_panel_query_runs_and_every_required_panel_has_data(live: Live) -> None:
    pending: dict[str, str] = {}
    for path, dashboard in _dashboards(live).items():
        for expression in expressions(dashboard):
            pending[f"{path} {expression.where}"] = substitute(expression.expr, VALUES)
    required = {
        f"{path} {e.where}"
        for path, dashboard in _dashboards(live).items()
        for e in expressions(dashboard)
        if _required(dashboard, e)
    }
    assert len(pending) > 50
    errors: dict[str, str] = {}
    empty: set[str] = set()
    # Recording rules over long windows need a few evaluations: poll with a deadline.
    deadline = time.monotonic() + 60
    while True:
        empty.clear()
        for where, promql in pending.items():
            try:
                result = live.prometheus.query(promql)
            except Exception as error:
                errors[where] = f"{promql}\n    {error}"
                continue
            if not result and where in required:
                empty.add(where)
        if errors or not empty or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert errors == {}
    assert sorted(empty) == []
