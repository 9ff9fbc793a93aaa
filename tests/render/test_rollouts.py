"""Argo Rollouts AnalysisTemplates: thresholds from the catalog, no-traffic handling, parsing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.render.catalogs import CHAT, EXAMPLE, USER, service
from tests.render.promql_check import parse_errors
from zwobs.catalog import load_catalog
from zwobs.catalog.model import Catalog, Rollout, Slo, SloKind
from zwobs.render import RenderOptions, render_all
from zwobs.render.files import check_tree
from zwobs.render.rollouts import analysis_template, render_rollouts, thresholds


def _metric(template: dict[str, Any], name: str) -> dict[str, Any]:
    return next(m for m in template["spec"]["metrics"] if m["name"] == name)


def _seconds(duration: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600}
    return int(duration[:-1]) * units[duration[-1]]


def test_one_analysis_file_per_service() -> None:
    assert sorted(render_rollouts(EXAMPLE)) == [
        "rollouts/chat-service.analysis.yaml",
        "rollouts/user-service.analysis.yaml",
    ]


def test_rendered_file_is_an_analysis_template_and_byte_stable() -> None:
    body = render_rollouts(EXAMPLE)["rollouts/user-service.analysis.yaml"]
    assert body == render_rollouts(EXAMPLE)["rollouts/user-service.analysis.yaml"]
    loaded = yaml.safe_load(body)
    assert loaded["apiVersion"] == "argoproj.io/v1alpha1"
    assert loaded["kind"] == "AnalysisTemplate"
    assert loaded["metadata"]["name"] == "user-service-canary"


def test_seed_defaults_without_slos_success_rate_095_every_minute_failure_limit_3() -> None:
    template = analysis_template(service("plain"))
    success = _metric(template, "success-rate")
    assert success["interval"] == "1m"
    assert success["failureLimit"] == 3
    assert success["successCondition"].endswith("result[0] >= 0.95")
    assert success["failureCondition"].endswith("result[0] < 0.95")


def test_availability_slo_tightens_the_success_rate_to_the_paging_burn() -> None:
    # 99.9% over 30 days: a canary burning budget at 14.4x has success 1 - 14.4 * 0.001.
    assert thresholds(USER)[0] == 0.9856
    # 99.5%: 1 - 14.4 * 0.005 = 0.928 is looser than the 0.95 floor, which wins.
    assert thresholds(CHAT)[0] == 0.95


def test_latency_threshold_from_rollout_settings_else_from_the_alert() -> None:
    assert thresholds(CHAT)[1] == 0.25
    assert thresholds(USER)[1] == USER.alerts.latency_p95_seconds


def test_latency_slo_gets_its_own_metric_on_the_threshold_bucket() -> None:
    slo = _metric(analysis_template(USER), "slo-latency")
    assert 'le="0.5"' in slo["provider"]["prometheus"]["query"]
    assert slo["successCondition"].endswith(">= 0.856")


def test_no_traffic_matches_neither_condition_so_it_is_inconclusive() -> None:
    for metric in analysis_template(USER)["spec"]["metrics"]:
        for key in ("successCondition", "failureCondition"):
            assert metric[key].startswith("len(result) > 0 && !isNaN(result[0]) && ")
        assert metric["inconclusiveLimit"] >= 1


def test_empty_not_nan_when_idle_the_denominator_filters_zero_traffic() -> None:
    query = _metric(analysis_template(USER), "success-rate")["provider"]["prometheus"]["query"]
    assert "or vector(0)" in query and "> 0)" in query


def test_initial_delay_and_interval_are_at_least_the_rate_window() -> None:
    template = analysis_template(service("x", rollout=Rollout(interval="2m")))
    for metric in template["spec"]["metrics"]:
        window = metric["provider"]["prometheus"]["query"].split("[", 1)[1].split("]", 1)[0]
        assert _seconds(metric["interval"]) >= _seconds(window)
        assert _seconds(metric["initialDelay"]) >= _seconds(window)


def test_canary_is_selected_by_arguments_defaulting_to_the_pod_template_hash() -> None:
    template = analysis_template(USER)
    args = {a["name"]: a.get("value") for a in template["spec"]["args"]}
    assert args == {
        "canary-value": None,
        "canary-label": "pod_template_hash",
        "prometheus-address": args["prometheus-address"],
    }
    for metric in template["spec"]["metrics"]:
        query = metric["provider"]["prometheus"]["query"]
        assert '{{args.canary-label}}="{{args.canary-value}}"' in query
        assert metric["provider"]["prometheus"]["address"] == "{{args.prometheus-address}}"


def test_custom_failure_limit_flows_into_every_metric() -> None:
    template = analysis_template(service("x", rollout=Rollout(failure_limit=5)))
    assert {m["failureLimit"] for m in template["spec"]["metrics"]} == {5}


def test_every_query_parses_in_promtool_with_arguments_filled_in(tmp_path: Path) -> None:
    many = service(
        "many",
        Slo("availability", SloKind.AVAILABILITY, 99.0),
        Slo("fast", SloKind.LATENCY, 95.0, latency_threshold_seconds=0.1),
    )
    exprs = [
        m["provider"]["prometheus"]["query"]
        .replace("{{args.canary-label}}", "version")
        .replace("{{args.canary-value}}", "v2")
        for s in (USER, CHAT, many)
        for m in analysis_template(s)["spec"]["metrics"]
    ]
    assert parse_errors(exprs, tmp_path) == ""


def test_imported_services_get_no_analysis_template() -> None:
    imported = service("from-sloth", origin="sloth")
    files = render_rollouts(Catalog((USER, imported)))
    assert list(files) == ["rollouts/user-service.analysis.yaml"]


def test_default_prometheus_address_follows_the_render_namespace() -> None:
    files = render_rollouts(Catalog((USER,)), RenderOptions(namespace="observability"))
    loaded = yaml.safe_load(files["rollouts/user-service.analysis.yaml"])
    args = {a["name"]: a.get("value") for a in loaded["spec"]["args"]}
    assert args["prometheus-address"] == "http://prometheus-operated.observability.svc:9090"


def test_committed_analysis_templates_are_up_to_date_with_the_example_catalog() -> None:
    root = Path(__file__).resolve().parents[2]
    rendered = render_all(load_catalog([root / "examples" / "catalog.yaml"]), only=["rollouts"])
    assert check_tree(root, rendered.files, rendered.directories) == []
