"""The SLO panels that need hours of history, proven with ``promtool test rules``.

The live test (tests/live/) cannot give them data: their recording rules read
30m..30d windows through subqueries aligned to 5m/1h steps. Here promtool
replays 3 hours of synthetic traffic through the rendered recording rules and
evaluates the dashboards' own queries: each returns data, and the error budget
panels show the value the traffic implies (half of each budget spent).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.render.catalogs import USER
from tests.servers.prometheus import promtool
from zwobs import names
from zwobs.catalog.model import Catalog
from zwobs.render import render_all
from zwobs.render.dashboard_lint import expressions, substitute

VALUES = {"__rate_interval": "5m", "route": ".*"}
HISTORY = (
    names.SLO_BUDGET_REMAINING,
    names.SLO_ERROR_RATIO_PERIOD,
    *(names.slo_error_ratio(w) for w in names.SLO_WINDOWS if w != "5m"),
)
_LABELS = 'method="GET",path="/v1/users/me",service="user-service"'
# Per minute: 1000 requests, 0.5 of them 5xx (0.05% = half the 99.9% budget) and 5 slower
# than 0.5 s (0.5% = half the 99%-under-0.5s budget).
SERIES = [
    {"series": f'{names.REQUESTS_TOTAL}{{{_LABELS},status="200"}}', "values": "0+999.5x200"},
    {"series": f'{names.REQUESTS_TOTAL}{{{_LABELS},status="503"}}', "values": "0+0.5x200"},
    {"series": f'{names.REQUEST_DURATION}_bucket{{{_LABELS},le="0.5"}}', "values": "0+995x200"},
    {"series": f'{names.REQUEST_DURATION}_bucket{{{_LABELS},le="+Inf"}}', "values": "0+1000x200"},
    {"series": f"{names.REQUEST_DURATION}_count{{{_LABELS}}}", "values": "0+1000x200"},
]


def _history_queries(rendered: dict[str, bytes]) -> list[tuple[str, str]]:
    found = []
    for path, body in rendered.items():
        if not path.startswith("dashboards/"):
            continue
        for e in expressions(json.loads(body)):
            if any(name in e.expr for name in HISTORY):
                found.append((f"{path} {e.where}", substitute(e.expr, VALUES)))
    return found


def _run(tmp_path: Path, tests: list[dict[str, Any]], rendered: dict[str, bytes]) -> str:
    rule_files = []
    for path, body in rendered.items():
        if path.endswith(".rules.yaml"):
            (tmp_path / Path(path).name).write_bytes(body)
            rule_files.append(Path(path).name)
    spec = {"rule_files": rule_files, "evaluation_interval": "1m", "tests": tests}
    (tmp_path / "history.test.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    done = subprocess.run(
        [promtool(), "test", "rules", "history.test.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if done.returncode == 0 else done.stdout + done.stderr


def test_every_long_window_panel_query_has_data_after_three_hours(tmp_path: Path) -> None:
    rendered = render_all(Catalog((USER,)), only=["alerts", "dashboards"]).files
    queries = _history_queries(rendered)
    assert len(queries) >= 10
    # count(Q) > bool 0 is 1 whenever Q returns anything, and no sample when Q is empty.
    checks = [
        {
            "expr": f"count({query}) > bool 0",
            "eval_time": "3h",
            "exp_samples": [{"labels": "{}", "value": 1}],
        }
        for _, query in queries
    ]
    tests = [{"interval": "1m", "input_series": SERIES, "promql_expr_test": checks}]
    assert _run(tmp_path, tests, rendered) == ""


def test_budget_panels_show_half_of_each_budget_left(tmp_path: Path) -> None:
    rendered = render_all(Catalog((USER,)), only=["alerts", "dashboards"]).files
    budget = [
        (where, query)
        for where, query in _history_queries(rendered)
        if "Error budget remaining" in where
    ]
    assert len(budget) == 2  # availability and latency
    tests = [
        {
            "interval": "1m",
            "input_series": SERIES,
            "promql_expr_test": [
                {
                    "expr": f"count(abs(({query}) - 0.5) < 0.01)",
                    "eval_time": "3h",
                    "exp_samples": [{"labels": "{}", "value": 1}],
                }
                for _, query in budget
            ],
        }
    ]
    assert _run(tmp_path, tests, rendered) == ""
