"""Sloth's rules and zwobs's for the same spec, in one promtool run: no recording-rule name
collides, and both page and ticket in the same scenarios (20x burn pages, 2x tickets only,
no traffic and traffic gaps fire nothing). Where zwobs differs on purpose: it leaves no NaN
in a traffic gap, and its traffic guard keeps 12 requests/hour at 100% errors from paging
unless the SLO lowers the guard (``zwobs_min_requests``)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.catalog.shapes import SLOTH_CASES
from tests.catalog.sloth_rules import sloth_rules
from tests.catalog.specs import SLOTH
from tests.render.rule_files import write_alerts
from tests.servers.prometheus import promtool
from zwobs.catalog import load_catalog

_ERRORS = 'http_request_duration_seconds_count{code="500",job="myservice"}'
_GOOD = 'http_request_duration_seconds_count{code="200",job="myservice"}'
_ZWOBS = 'slo_period!=""'
_SLOTH = 'sloth_id!=""'


def _render(tmp_path: Path, spec: str) -> tuple[Path, list[str]]:
    """zwobs's rules and Sloth-shaped rules of ``spec`` side by side; the rule file names."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "sloth.yaml").write_text(spec)
    write_alerts(load_catalog([tmp_path / "sloth.yaml"]), tmp_path)
    alerts = tmp_path / "alerts"
    doc = yaml.safe_load(spec)
    rules = sloth_rules(doc["service"], doc["slos"][0], doc["labels"])
    (alerts / "sloth-generated.rules.yaml").write_text(yaml.safe_dump(rules))
    return alerts, ["sloth-generated.rules.yaml", "_fleet.rules.yaml", "myservice.rules.yaml"]


def _firing(tool: str, minute: int, severities: list[str]) -> dict[str, Any]:
    return {
        "expr": f'count by (severity) (ALERTS{{alertstate="firing", {tool}}})',
        "eval_time": f"{minute}m",
        "exp_samples": [{"labels": f'{{severity="{s}"}}', "value": 1} for s in severities],
    }


def _case(name: str, errors: str, good: str, checks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": name,
        "interval": "1m",
        "input_series": [
            {"series": _ERRORS, "values": errors},
            {"series": _GOOD, "values": good},
        ],
        "promql_expr_test": checks,
    }


def _promtool_test(directory: Path, rule_files: list[str], cases: list[dict[str, Any]]) -> str:
    test = {"rule_files": rule_files, "evaluation_interval": "1m", "tests": cases}
    (directory / "parity.test.yaml").write_text(yaml.safe_dump(test))
    done = subprocess.run(
        [promtool(), "test", "rules", "parity.test.yaml"],
        capture_output=True,
        text=True,
        check=False,
        cwd=directory,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _records(path: Path) -> set[str]:
    groups = yaml.safe_load(path.read_text())["groups"]
    return {rule["record"] for group in groups for rule in group["rules"] if "record" in rule}


def test_sloth_and_zwobs_rules_load_together_without_a_name_collision(tmp_path: Path) -> None:
    alerts, files = _render(tmp_path, SLOTH)
    sloth = _records(alerts / files[0])
    ours = _records(alerts / files[1]) | _records(alerts / files[2])
    assert "slo:sli_error:ratio_rate5m" in sloth and "slo:sli_errors:ratio_rate5m" in ours
    assert sloth & ours == set()
    both_record = {
        "expr": 'count(slo:sli_error:ratio_rate1h) + count(slo:sli_errors:ratio_rate1h{slo="'
        'requests-availability"})',
        "eval_time": "30m",
        "exp_samples": [{"labels": "{}", "value": 2}],
    }
    _promtool_test(alerts, files, [_case("both record", "0+1x60", "0+99x60", [both_record])])


def test_zwobs_pages_and_tickets_in_the_same_scenarios_as_sloth(tmp_path: Path) -> None:
    alerts, files = _render(tmp_path, SLOTH)
    # 10 requests/s; budget 0.1%: 20x burn = 2% errors, 2x burn = 0.2%, half = 0.05%
    per_minute = 600

    def scenario(name: str, ratio: float, severities: list[str]) -> dict[str, Any]:
        bad = round(per_minute * ratio, 6)
        checks = [_firing(tool, 55, severities) for tool in (_ZWOBS, _SLOTH)]
        return _case(name, f"0+{bad:g}x60", f"0+{per_minute - bad:g}x60", checks)

    nothing = [_firing(tool, 55, []) for tool in (_ZWOBS, _SLOTH)]
    gap_checks = [
        *(_firing(tool, minute, []) for tool in (_ZWOBS, _SLOTH) for minute in (55, 120)),
        {  # zwobs: the idle window's ratio is absent, never NaN
            "expr": "count(slo:sli_errors:ratio_rate5m != slo:sli_errors:ratio_rate5m)",
            "eval_time": "55m",
            "exp_samples": [],
        },
        {  # Sloth: 0/0 in the idle 5m window
            "expr": "count(slo:sli_error:ratio_rate5m != slo:sli_error:ratio_rate5m)",
            "eval_time": "55m",
            "exp_samples": [{"labels": "{}", "value": 1}],
        },
    ]
    cases = [
        scenario("20x burn pages (and tickets)", 0.02, ["pageteam", "slack"]),
        scenario("2x burn tickets only", 0.002, ["slack"]),
        scenario("half the budget fires nothing", 0.0005, []),
        _case("no traffic fires nothing", "_x60", "_x60", nothing),
        _case(
            "a traffic gap fires nothing",
            "0+0.3x30 9+0x30 9+0.3x90",
            "0+599.7x30 17991+0x30 17991+599.7x90",
            gap_checks,
        ),
    ]
    out = _promtool_test(alerts, files, cases)
    assert "SUCCESS" in out


def test_traffic_guard_is_where_zwobs_differs_and_an_slo_label_lowers_it(tmp_path: Path) -> None:
    # 12 requests/hour, every one failing: Sloth pages; zwobs waits for 100 requests in
    # the long window, unless the SLO sets zwobs_min_requests.
    handful = [_firing(_SLOTH, 100, ["pageteam", "slack"]), _firing(_ZWOBS, 100, [])]
    alerts, files = _render(tmp_path / "default", SLOTH)
    _promtool_test(alerts, files, [_case("12 requests/hour", "0+0.2x120", "_x120", handful)])
    lowered = SLOTH.replace(
        "    objective: 99.9\n", '    objective: 99.9\n    labels: {zwobs_min_requests: "0"}\n'
    )
    alerts, files = _render(tmp_path / "lowered", lowered)
    both = [_firing(tool, 100, ["pageteam", "slack"]) for tool in (_SLOTH, _ZWOBS)]
    _promtool_test(alerts, files, [_case("12 requests/hour, guard 0", "0+0.2x120", "_x120", both)])


def test_a_raw_ratio_pages_like_sloth_and_a_nan_ratio_leaves_no_nan(tmp_path: Path) -> None:
    # raw SLI: satisfaction 0.5 is an error ratio of 0.5, 10x a 95% SLO's budget: both page
    # (6x over 30m/6h) and ticket; NaN samples (no data) fire nothing and record no NaN.
    raw = next(c for c in SLOTH_CASES if c.name == "raw-home-wifi").files["raw.yaml"]
    (tmp_path / "raw.yaml").write_text(raw)
    write_alerts(load_catalog([tmp_path / "raw.yaml"]), tmp_path)
    series = 'wifi_client_satisfaction_ratio{client="a"}'
    firing = 'count by (severity) (ALERTS{alertstate="firing", service="home-wifi"})'
    nan = [
        {"expr": f"count({m} != {m})", "eval_time": "55m", "exp_samples": []}
        for m in ("slo:sli_errors:ratio_rate5m", "slo:sli_errors:ratio_rate1h")
    ]
    cases = [
        {
            "interval": "1m",
            "input_series": [{"series": series, "values": "0.5x60"}],
            "promql_expr_test": [
                {
                    "expr": firing,
                    "eval_time": "55m",
                    "exp_samples": [
                        {"labels": f'{{severity="{s}"}}', "value": 1} for s in ("home", "warning")
                    ],
                }
            ],
        },
        {
            "interval": "1m",
            "input_series": [{"series": series, "values": " ".join(["NaN"] * 61)}],
            "promql_expr_test": [{"expr": firing, "eval_time": "55m", "exp_samples": []}, *nan],
        },
    ]
    _promtool_test(tmp_path / "alerts", ["_fleet.rules.yaml", "home-wifi.rules.yaml"], cases)
