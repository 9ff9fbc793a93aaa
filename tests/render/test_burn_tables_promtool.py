"""The burn-rate tables under promtool, for a whole SLO period at a coarse interval.

For 7d, 28d and 30d: a steady 0.9x burn (the SLO is met) fires nothing for the whole
period; a steady 1.1x burn tickets and never pages; a burn above the period's fastest page
factor pages. Before slo.py the factors scaled with the period, and a 7d SLO ticketed at
0.233x.

The input is the recorded 5m tiles (``slo:sli_*:rate5m``) at one sample per hour, so a
30-day period is 720 evaluations: every window ratio is a ratio of the same undersampled
tiles, hence exact. The service groups are evaluated first so their objectives exist at each
evaluation time (promtool evaluates groups in an arbitrary order unless the test file
gives ``group_eval_order``), and the period group (30-day subqueries every step, covered
by the per-service tests) is left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.render.rule_files import promtool_test, write_alerts
from zwobs import names, slo
from zwobs.catalog import load_catalog

PERIODS = {"p7": 7, "p28": 28, "p30": 30}
CATALOG = """\
defaults:
  alerts: {slo_min_requests: 0}
  runbook_base: https://runbooks.example.com
services:
""" + "".join(
    f"  - {{name: {name}, team: t, tier: 1, slo_period: {days}d,"
    " slos: [{name: availability, objective: 99.9}]}\n"
    for name, days in PERIODS.items()
)
BUDGET = 0.001
RPS = 10.0


def _tiles(burns: dict[str, float], hours: int) -> list[dict[str, str]]:
    series = []
    for name, days in PERIODS.items():
        labels = f'service="{name}",slo="availability",sli="availability",slo_period="{days}d"'
        errors = RPS * burns[name] * BUDGET
        series += [
            {"series": f"{names.slo_requests_rate('5m')}{{{labels}}}", "values": f"{RPS}x{hours}"},
            {"series": f"{names.slo_errors_rate('5m')}{{{labels}}}", "values": f"{errors}x{hours}"},
        ]
    return series


def _firing(at: str, expected: list[tuple[str, str]]) -> dict[str, Any]:
    firing = f'ALERTS{{alertname="{names.ALERT_ERROR_BUDGET_BURN}", alertstate="firing"}}'
    return {
        "expr": f"count by (service, severity) ({firing})",
        "eval_time": at,
        "exp_samples": [
            {"labels": f'{{service="{s}",severity="{sev}"}}', "value": 1} for s, sev in expected
        ],
    }


def _tests() -> list[dict[str, Any]]:
    silent = []
    for name, days in PERIODS.items():
        ever = f'ALERTS{{alertname="{names.ALERT_ERROR_BUDGET_BURN}",service="{name}"}}'
        silent += [
            {
                "expr": f"count_over_time({ever}[{days}d])",
                "eval_time": f"{days}d",
                "exp_samples": [],
            },
            {  # the windows did see the errors: silence is the factors, not missing data
                "expr": f'count({names.slo_error_ratio("1d")}{{service="{name}"}} > 0)',
                "eval_time": f"{days}d",
                "exp_samples": [{"labels": "{}", "value": 1}],
            },
        ]
    page = {n: 1.1 * slo.page_factor(d) for n, d in PERIODS.items()}
    return [
        {
            "name": "a steady 0.9x burn fires nothing for a whole period",
            "interval": "1h",
            "input_series": _tiles(dict.fromkeys(PERIODS, 0.9), 30 * 24),
            "promql_expr_test": silent,
        },
        {
            "name": "a steady 1.1x burn tickets and never pages",
            "interval": "1h",
            "input_series": _tiles(dict.fromkeys(PERIODS, 1.1), 5 * 24),
            "promql_expr_test": [
                _firing(at, [(n, "ticket") for n in sorted(PERIODS)]) for at in ("5h", "5d")
            ],
        },
        {
            "name": "a burn above the fastest page factor pages",
            "interval": "1h",
            "input_series": _tiles(page, 5),
            "promql_expr_test": [
                _firing("3h", [(n, sev) for n in sorted(PERIODS) for sev in ("page", "ticket")])
            ],
        },
    ]


def test_burn_tables_never_alert_below_burn_one_and_page_above_the_page_factor(
    tmp_path: Path,
) -> None:
    catalog_file = tmp_path / "catalog.yaml"
    catalog_file.write_text(CATALOG)
    write_alerts(load_catalog([catalog_file]), tmp_path)
    alerts = tmp_path / "alerts"
    for test_file in alerts.glob("*.test.yaml"):
        test_file.unlink()
    fleet = alerts / "_fleet.rules.yaml"
    groups = yaml.safe_load(fleet.read_text())["groups"]
    kept = [g for g in groups if g["name"] != "zwobs-slo-period"]
    assert len(kept) == len(groups) - 1
    fleet.write_text(yaml.safe_dump({"groups": kept}, sort_keys=False))
    rule_files = [f"{name}.rules.yaml" for name in PERIODS] + ["_fleet.rules.yaml"]
    order = [f"zwobs-service-{name}" for name in PERIODS] + [g["name"] for g in kept]
    document = {
        "rule_files": rule_files,
        "evaluation_interval": "1h",
        "group_eval_order": order,
        "tests": _tests(),
    }
    (alerts / "periods.test.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    result = promtool_test(alerts)
    assert result.returncode == 0, result.stdout + result.stderr
