"""The alert generator: promtool accepts every file, the generated tests pass (and catch a
broken rule), output is byte-stable, and the non-constant rules do not grow with services."""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path
from typing import Any

import yaml

from tests.catalog.specs import OPENSLO, SLOTH
from tests.render.rule_files import promtool_check, promtool_test, write_alerts
from zwobs import names
from zwobs.catalog import load_catalog
from zwobs.catalog.model import AlertThresholds, Catalog, Service, Slo, SloKind
from zwobs.render import RenderOptions, render_all
from zwobs.render.alerts import render_alerts
from zwobs.render.files import check_tree

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "catalog.yaml"

VARIED = """\
alerting:
  for: {HighErrorRate: 1m, ErrorBudgetBurnTicket: 5m}
defaults:
  slo_period: 30d
  alerts: {error_rate: 0.02, latency_p95_seconds: 0.25, min_rps: 2, slo_min_requests: 500}
  runbook_base: https://runbooks.example.com
teams:
  payments: {labels: {pagerduty_service: payments, slack_channel: pay}}
  search: {labels: {slack_channel: search}}
services:
  - name: payments-api
    team: payments
    tier: 0
    slo_period: 28d
    alerts: {error_rate: 0.01, min_rps: 0}
    slos:
      - {name: availability, objective: 99.95}
      - {name: fast, objective: 99, latency_threshold_seconds: 0.1}
      - {name: slow, objective: 99.9, latency_threshold_seconds: 2.5}
  - name: search-api
    team: search
    tier: 3
    slo_period: 7d
    labels: {region: eu}
    alerts: {latency_p95_seconds: 10, slo_min_requests: 0}
    slos:
      - {name: availability, objective: 93.5}
      - {name: edge, objective: 95, latency_threshold_seconds: 10}
  - name: batch
    team: search
    tier: 4
"""


def _groups(content: bytes) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = yaml.safe_load(content)["groups"]
    return groups


def _rules(content: bytes) -> list[dict[str, Any]]:
    return [rule for group in _groups(content) for rule in group["rules"]]


def _fleet(n: int) -> Catalog:
    slos = (
        Slo("availability", SloKind.AVAILABILITY, 99.9),
        Slo("latency", SloKind.LATENCY, 99.0, latency_threshold_seconds=0.5),
    )
    return Catalog(
        tuple(
            Service(
                f"svc-{i:05d}",
                team=f"team-{i % 7}",
                tier=i % 4,
                alerts=AlertThresholds(min_rps=1.0 + (i % 3)),
                slos=slos,
                labels=(("slack_channel", f"c{i % 5}"),),
            )
            for i in range(n)
        ),
        defaults=AlertThresholds(min_rps=1.0),
    )


def test_committed_alerts_are_up_to_date_with_the_example_catalog() -> None:
    rendered = render_all(load_catalog([EXAMPLE]), only=["alerts"])
    assert check_tree(ROOT, rendered.files, rendered.directories) == []


def test_committed_alerts_pass_promtool_check_and_their_unit_tests() -> None:
    checked = promtool_check(ROOT / "alerts")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = promtool_test(ROOT / "alerts")
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_example_output_passes_promtool_check_and_its_unit_tests(tmp_path: Path) -> None:
    write_alerts(load_catalog([EXAMPLE]), tmp_path)
    checked = promtool_check(tmp_path / "alerts")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = promtool_test(tmp_path / "alerts")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert tested.stdout.count("SUCCESS") == 2


def test_varied_catalog_with_imports_passes_promtool(tmp_path: Path) -> None:
    paths = []
    for name, text in (("catalog", VARIED), ("sloth", SLOTH), ("openslo", OPENSLO)):
        paths.append(tmp_path / f"{name}.yaml")
        paths[-1].write_text(text)
    files = write_alerts(load_catalog(paths), tmp_path)
    assert "alerts/myservice.test.yaml" in files  # imported: synthetic series for its selectors
    checked = promtool_check(tmp_path / "alerts")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = promtool_test(tmp_path / "alerts")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert tested.stdout.count("SUCCESS") == 5


def test_generated_tests_fail_when_a_burn_rule_is_broken(tmp_path: Path) -> None:
    write_alerts(load_catalog([EXAMPLE]), tmp_path)
    fleet = tmp_path / "alerts" / "_fleet.rules.yaml"
    text = fleet.read_text()
    assert "(14.4 * (1 - zwobs_slo_objective_ratio))" in text
    for factor in ("14.4", "6", "3", "1"):
        text = text.replace(f"({factor} * (1 - ", "(0.1 * (1 - ")
    fleet.write_text(text)
    tested = promtool_test(tmp_path / "alerts")
    assert tested.returncode != 0
    assert "stays silent at a slow burn" in tested.stdout + tested.stderr


def test_generated_tests_fail_without_the_traffic_guard(tmp_path: Path) -> None:
    write_alerts(load_catalog([EXAMPLE]), tmp_path)
    fleet = tmp_path / "alerts" / "_fleet.rules.yaml"
    fleet.write_text(fleet.read_text().replace("+ 100))", "+ 0))"))
    tested = promtool_test(tmp_path / "alerts")
    assert tested.returncode != 0
    assert "a handful of requests, all bad, does not page" in tested.stdout + tested.stderr


def test_non_constant_rules_do_not_grow_with_the_number_of_services() -> None:
    def non_constant(catalog: Catalog) -> int:
        files = render_alerts(catalog, RenderOptions())
        return sum(
            1
            for content in (v for k, v in files.items() if k.endswith(".rules.yaml"))
            for rule in _rules(content)
            if not rule["expr"].startswith("vector(")
        )

    small, large = non_constant(_fleet(10)), non_constant(_fleet(300))
    assert small == large
    # Sloth emits 17 rules per SLO: 2 SLOs x 300 services would be 10,200 rules.
    assert large < 40


def test_only_overrides_get_threshold_series() -> None:
    files = render_alerts(_fleet(3), RenderOptions())
    metrics = [r["record"] for r in _rules(files["alerts/svc-00001.rules.yaml"])]
    assert metrics.count(names.ALERT_THRESHOLD_MIN_RPS) == 1  # min_rps 2 != default 1
    assert names.ALERT_THRESHOLD_ERROR_RATIO not in metrics
    metrics = [r["record"] for r in _rules(files["alerts/svc-00000.rules.yaml"])]
    assert names.ALERT_THRESHOLD_MIN_RPS not in metrics


def test_output_is_byte_stable_and_independent_of_service_order() -> None:
    catalog = _fleet(50)
    first = render_alerts(catalog, RenderOptions())
    shuffled = list(catalog.services)
    random.Random(7).shuffle(shuffled)
    again = render_alerts(
        dataclasses.replace(catalog, services=tuple(sorted(shuffled, key=lambda s: s.name))),
        RenderOptions(),
    )
    assert first == again
    assert render_alerts(catalog, RenderOptions()) == first


def test_every_alert_has_severity_and_the_three_annotations() -> None:
    files = render_alerts(load_catalog([EXAMPLE]), RenderOptions())
    alerts = [r for r in _rules(files["alerts/_fleet.rules.yaml"]) if "alert" in r]
    assert sorted({a["alert"] for a in alerts}) == [
        "ErrorBudgetBurn",
        "HighErrorRate",
        "HighLatency",
        "LowThroughput",
    ]
    for alert in alerts:
        assert alert["labels"]["severity"] in {"critical", "warning", "page", "ticket"}
        assert set(alert["annotations"]) == {"summary", "description", "runbook_url"}
        assert "group_left(pagerduty_service, slack_channel, team)" in alert["expr"]
    severities = sorted(a["labels"]["severity"] for a in alerts if a["alert"] == "ErrorBudgetBurn")
    assert severities == ["page", "ticket"]


def test_burn_factors_come_from_the_period_table_and_never_drop_below_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(VARIED)
    fleet = render_alerts(load_catalog([path]), RenderOptions())["alerts/_fleet.rules.yaml"]
    burns = {
        r["labels"]["slo_period"] + "/" + r["labels"]["severity"]: r["expr"]
        for r in _rules(fleet)
        if r.get("alert") == "ErrorBudgetBurn"
    }
    assert sorted(burns) == ["28d/page", "28d/ticket", "7d/page", "7d/ticket"]
    factors = {
        key: [float(f) for f in re.findall(r"group_left\(\) \(([0-9.]+) \* \(1 -", expr)]
        for key, expr in burns.items()
    }
    # each factor appears twice per condition (short and long window)
    assert factors["28d/page"] == [14, 14, 7, 7] and factors["28d/ticket"] == [2, 2, 1, 1]
    assert factors["7d/page"] == [14, 14, 7, 7] and factors["7d/ticket"] == [2, 2, 1, 1]
    assert "ratio_rate4d" in burns["28d/ticket"] and "ratio_rate15m" in burns["7d/page"]


def test_prometheus_operator_format_wraps_the_same_groups(tmp_path: Path) -> None:
    catalog = load_catalog([EXAMPLE])
    plain = render_alerts(catalog, RenderOptions())
    operator = render_alerts(catalog, RenderOptions(format="prometheus-operator", namespace="obs"))
    assert sorted(operator) == sorted(p for p in plain if p.endswith(".rules.yaml"))
    for path, content in operator.items():
        doc = yaml.safe_load(content)
        assert doc["apiVersion"] == "monitoring.coreos.com/v1" and doc["kind"] == "PrometheusRule"
        assert doc["metadata"]["namespace"] == "obs"
        assert doc["spec"]["groups"] == _groups(plain[path])
        unwrapped = tmp_path / "alerts" / Path(path).name
        unwrapped.parent.mkdir(exist_ok=True)
        unwrapped.write_text(yaml.safe_dump({"groups": doc["spec"]["groups"]}))
    checked = promtool_check(tmp_path / "alerts")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_imported_sloth_slo_fires_with_its_own_alert_name_labels_and_annotations(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "sloth.yaml"
    spec.write_text(SLOTH)
    write_alerts(load_catalog([spec]), tmp_path)
    series = 'http_request_duration_seconds_count{{job="myservice",code="{code}"}}'
    test = {
        "rule_files": ["_fleet.rules.yaml", "myservice.rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": series.format(code="200"), "values": "0+540x60"},
                    {"series": series.format(code="500"), "values": "0+60x60"},
                ],
                "alert_rule_test": [
                    {
                        "eval_time": "30m",
                        "alertname": "MyServiceHighErrorRate",
                        "exp_alerts": [
                            {
                                "exp_labels": {
                                    "service": "myservice",
                                    "slo": "requests-availability",
                                    "sli": "custom",
                                    "slo_period": "30d",
                                    "team": "myteam",
                                    "owner": "myteam",
                                    "repo": "myorg/myservice",
                                    "tier": "2",
                                    "category": "availability",
                                    **labels,
                                },
                                "exp_annotations": {
                                    "summary": "High error rate on 'myservice' requests responses",
                                    "description": "myservice fails SLO requests-availability on"
                                    " 10% of requests: the budget of the 30d period burns above"
                                    f" {factors} in both windows.",
                                    "runbook_url": "#errorbudgetburn",
                                },
                            }
                            for labels, factors in (
                                ({"severity": "pageteam", "routing_key": "myteam"}, "14.4x / 6x"),
                                (
                                    {"severity": "slack", "slack_channel": "#alerts-myteam"},
                                    "3x / 1x",
                                ),
                            )
                        ],
                    },
                    {"eval_time": "30m", "alertname": "ErrorBudgetBurn"},
                ],
            }
        ],
    }
    (tmp_path / "alerts" / "myservice.test.yaml").write_text(yaml.safe_dump(test))
    tested = promtool_test(tmp_path / "alerts")
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_shared_renderings_equal_rendering_each_service_directly() -> None:
    from zwobs.render.alerts import FLEET
    from zwobs.render.rules import service_group
    from zwobs.render.ruletests import service_tests
    from zwobs.render.yamlout import dump_yaml

    base = _fleet(1).services[0]
    services = [
        dataclasses.replace(base, name="yes"),  # would be a boolean if written plain
        dataclasses.replace(base, name="123"),
        dataclasses.replace(base, name="svc", team="svc-team", runbook_url="https://svc.ex/svc"),
        dataclasses.replace(base, name="other", runbook_url="https://other.ex/other"),
    ]
    catalog = dataclasses.replace(_fleet(1), services=tuple(sorted(services, key=lambda s: s.name)))
    files = render_alerts(catalog, RenderOptions())
    header = "# Generated by `zwobs render` from the service catalog. Do not edit.\n"
    for service in services:
        rules = dump_yaml({"groups": [service_group(catalog, service)]}, header)
        assert files[f"alerts/{service.name}.rules.yaml"] == rules
        document = service_tests(
            catalog, service, [f"{FLEET}.rules.yaml", f"{service.name}.rules.yaml"]
        )
        assert document is not None
        assert files[f"alerts/{service.name}.test.yaml"] == dump_yaml(document, header)


def test_long_window_rates_sum_exactly_their_tiles_at_any_evaluation_time(
    tmp_path: Path,
) -> None:
    # A constant 5m rate of 2/s must read 2/s over every long window, also when the rule is
    # evaluated on a 5m boundary, where [1h:5m] would hold 13 tiles instead of 12.
    write_alerts(_fleet(1), tmp_path)
    series = '{service="svc-00000",slo="availability"}'
    expected = [
        {
            "eval_time": eval_time,
            "expr": f"{names.slo_requests_rate(window)}{series}",
            "exp_samples": [{"labels": f"{names.slo_requests_rate(window)}{series}", "value": 2}],
        }
        for window in ("30m", "1h", "2h", "6h")
        for eval_time in ("7h", "7h1m", "7h3m")
    ]
    test = {
        "rule_files": ["_fleet.rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": f"{names.slo_requests_rate('5m')}{series}", "values": "2x480"}
                ],
                "promql_expr_test": expected,
            }
        ],
    }
    (tmp_path / "alerts" / "tiles.test.yaml").write_text(yaml.safe_dump(test))
    for other in (tmp_path / "alerts").glob("svc-*.test.yaml"):
        other.unlink()
    tested = promtool_test(tmp_path / "alerts")
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_services_of_one_shape_share_one_test_file_that_names_them(tmp_path: Path) -> None:
    from zwobs.render.alerts import FLEET
    from zwobs.render.ruletests import service_tests
    from zwobs.render.yamlout import dump_yaml

    base = _fleet(1).services[0]
    services = (
        dataclasses.replace(base, name="svc-a"),
        dataclasses.replace(base, name="svc-b"),
        dataclasses.replace(base, name="svc-c", tier=base.tier + 1),
        dataclasses.replace(base, name="svc-d"),
    )
    catalog = dataclasses.replace(_fleet(1), services=services)
    files = write_alerts(catalog, tmp_path)
    assert sorted(p for p in files if p.endswith(".test.yaml")) == [
        "alerts/svc-a.test.yaml",
        "alerts/svc-c.test.yaml",
    ]
    header = files["alerts/svc-a.test.yaml"].decode().split("rule_files:")[0]
    assert "#   svc-b\n#   svc-d\n" in header and "svc-c" not in header
    assert "Also proves" not in files["alerts/svc-c.test.yaml"].decode()
    # What "proves" means: each covered service's rule file and its own test are the
    # shape's, with the name put back.
    for name in ("svc-b", "svc-d"):
        assert files[f"alerts/{name}.rules.yaml"] == files["alerts/svc-a.rules.yaml"].replace(
            b"svc-a", name.encode()
        )
        service = next(s for s in services if s.name == name)
        own = service_tests(catalog, service, [f"{FLEET}.rules.yaml", f"{name}.rules.yaml"])
        assert own is not None
        assert dump_yaml(own, "").replace(name.encode(), b"svc-a") == dump_yaml(
            service_tests(catalog, services[0], [f"{FLEET}.rules.yaml", "svc-a.rules.yaml"]) or {},
            "",
        )
    tested = promtool_test(tmp_path / "alerts")
    assert tested.returncode == 0, tested.stdout + tested.stderr
