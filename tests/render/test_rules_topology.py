"""Fleet topology in the rules: alerts per (service, location), budgets per (service, SLO),
and the edge/global split, checked with the real promtool."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.render.rule_files import promtool_check, promtool_test, write_alerts
from tests.render.test_alerts import EXAMPLE, VARIED
from zwobs import names
from zwobs.catalog import load_catalog
from zwobs.catalog.model import Catalog, Topology
from zwobs.render import RenderError, RenderOptions, render_all
from zwobs.render.rules import crossing_series, fleet_groups

_RAW = {
    names.REQUESTS_TOTAL,
    f"{names.REQUEST_DURATION}_bucket",
    f"{names.REQUEST_DURATION}_count",
}
_CONSTANTS = {
    names.SERVICE_INFO,
    names.SLO_OBJECTIVE,
    names.SLO_LATENCY_THRESHOLD,
    names.SLO_MIN_REQUESTS,
    names.ALERT_THRESHOLD_ERROR_RATIO,
    names.ALERT_THRESHOLD_LATENCY_P95,
    names.ALERT_THRESHOLD_MIN_RPS,
}
_KEYWORDS = {"sum", "max", "by", "on", "or", "and", "group_left", "group_right", "vector",
             "histogram_quantile", "sum_over_time", "rate", "unless", "count"}  # fmt: skip


def _located(catalog: Catalog, **kwargs: Any) -> Catalog:
    return dataclasses.replace(catalog, topology=Topology(("region",), **kwargs))


def _metrics(expr: str) -> set[str]:
    """Every series name an expression reads (identifiers before a selector or operator)."""
    found = set(re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{|\[|\)|$|\s)", expr))
    return {
        m for m in found if m not in _KEYWORDS and (":" in m or m.startswith(("http_", "zwobs_")))
    }


def _fleet_text(files: dict[str, bytes]) -> str:
    return files["alerts/_fleet.rules.yaml"].decode()


def test_example_with_a_region_label_passes_promtool_and_its_location_cases(
    tmp_path: Path,
) -> None:
    write_alerts(_located(load_catalog([EXAMPLE])), tmp_path)
    checked = promtool_check(tmp_path / "alerts")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = promtool_test(tmp_path / "alerts")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    cases = yaml.safe_load((tmp_path / "alerts" / "chat-service.test.yaml").read_text())["tests"]
    down = next(c for c in cases if "one location of three down" in c["name"])
    (page,) = [
        a
        for test in down["alert_rule_test"]
        for a in test["exp_alerts"]
        if a["exp_labels"][names.LABEL_SEVERITY] == "page"
    ]
    assert page["exp_labels"]["region"] == "region-a"
    assert page["exp_annotations"]["summary"].startswith("chat-service in region=region-a:")
    tiny = next(c for c in cases if "3 requests/hour does not page" in c["name"])
    assert all(t.get("exp_alerts", []) == [] for t in tiny["alert_rule_test"])


def test_several_slos_per_service_and_two_location_labels_pass_promtool(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(VARIED.replace("    labels: {region: eu}\n", ""))
    catalog = load_catalog([path])
    catalog = dataclasses.replace(catalog, topology=Topology(("region", "cluster")))
    write_alerts(catalog, tmp_path)
    tested = promtool_test(tmp_path / "alerts")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert tested.stdout.count("SUCCESS") == 3


def _page_per_service(text: str) -> str:
    """The page evaluated over all locations (the windows of the whole service)."""
    document = yaml.safe_load(text)
    for group in document["groups"]:
        for rule in group["rules"]:
            if rule.get("labels", {}).get(names.LABEL_SEVERITY) == "page":
                rule["expr"] = (
                    rule["expr"]
                    .replace("slo_location:", "slo:")
                    .replace("on(service, slo, region)", "on(service, slo)")
                )
    return str(yaml.safe_dump(document, sort_keys=False))


@pytest.mark.parametrize(
    ("mutation", "failing_case"),
    [
        # no per-location guard: the tiny region pages
        (lambda t: re.sub(r">=\s+100\)", ">= 0)", t), "3 requests/hour"),
        # the page aggregated per service: the failing region is no longer named
        (_page_per_service, "naming it"),
    ],
)
def test_generated_location_cases_catch_a_broken_rule(
    tmp_path: Path, mutation: Callable[[str], str], failing_case: str
) -> None:
    write_alerts(_located(load_catalog([EXAMPLE])), tmp_path)
    fleet = tmp_path / "alerts" / "_fleet.rules.yaml"
    text = fleet.read_text()
    broken = mutation(text)
    assert broken != text
    fleet.write_text(broken)
    tested = promtool_test(tmp_path / "alerts")
    assert tested.returncode != 0
    assert failing_case in tested.stdout + tested.stderr


def test_absent_topology_renders_what_it_rendered_before() -> None:
    catalog = load_catalog([EXAMPLE])
    plain = render_all(catalog, only=["alerts"]).files
    assert plain == render_all(catalog, RenderOptions(layer="all"), only=["alerts"]).files
    assert "location" not in _fleet_text(plain) and names.LABEL_SLO_SLOT not in str(plain)


def test_only_pages_and_red_alerts_carry_the_location() -> None:
    groups = fleet_groups(_located(load_catalog([EXAMPLE])))
    alerts = {
        (r["alert"], r["labels"][names.LABEL_SEVERITY]): r
        for g in groups
        for r in g["rules"]
        if "alert" in r
    }
    for key in (
        ("HighErrorRate", "critical"),
        ("HighLatency", "warning"),
        ("ErrorBudgetBurn", "page"),
    ):
        assert "region" in alerts[key]["annotations"]["summary"], key
        assert "service_location:" in alerts[key]["expr"] or "slo_location:" in alerts[key]["expr"]
    for key in (("LowThroughput", "warning"), ("ErrorBudgetBurn", "ticket")):
        assert "region" not in alerts[key]["annotations"]["summary"], key
        assert "_location" not in alerts[key]["expr"], key
    budget = next(
        r for g in groups for r in g["rules"] if r.get("record") == names.SLO_BUDGET_REMAINING
    )
    assert "location" not in budget["expr"]


def test_min_rps_per_location_moves_low_throughput_to_the_locations() -> None:
    groups = fleet_groups(_located(load_catalog([EXAMPLE]), min_rps_per_location=True))
    (low,) = [r for g in groups for r in g["rules"] if r.get("alert") == "LowThroughput"]
    assert names.location_level(names.SERVICE_REQUESTS_RATE5M) in low["expr"]
    assert "region" in low["annotations"]["summary"]


def test_edge_reads_raw_series_and_global_reads_only_recorded_ones() -> None:
    catalog = _located(load_catalog([EXAMPLE]))
    edge = fleet_groups(catalog, "edge")
    global_ = fleet_groups(catalog, "global")
    assert [g["name"] for g in edge] + [g["name"] for g in global_] == [
        g["name"] for g in fleet_groups(catalog)
    ]
    edge_records = {r["record"] for g in edge for r in g["rules"]}
    read_at_edge = {m for g in edge for r in g["rules"] for m in _metrics(r["expr"])}
    assert _RAW <= read_at_edge <= _RAW | _CONSTANTS | edge_records
    crossing = set(crossing_series(catalog))
    assert crossing <= edge_records
    global_records = {r["record"] for g in global_ for r in g["rules"] if "record" in r}
    read_at_global = {m for g in global_ for r in g["rules"] for m in _metrics(r["expr"])}
    assert not read_at_global & _RAW
    assert read_at_global <= crossing | global_records | _CONSTANTS
    assert crossing <= read_at_global  # every series sent is used


def test_layer_option_renders_the_layer_groups_without_tests() -> None:
    catalog = _located(load_catalog([EXAMPLE]))
    for layer in ("edge", "global"):
        files = render_all(catalog, RenderOptions(layer=layer), only=["alerts"]).files
        names_ = [g["name"] for g in yaml.safe_load(files["alerts/_fleet.rules.yaml"])["groups"]]
        assert names_ == [g["name"] for g in fleet_groups(catalog, layer)]
        assert not any(p.endswith(".test.yaml") for p in files)
        assert "alerts/chat-service.rules.yaml" in files  # constants go to both layers
    with pytest.raises(
        RenderError, match="unknown layer 'middle': expected one of all, edge, global"
    ):
        render_all(catalog, RenderOptions(layer="middle"), only=["alerts"])


def test_the_readme_remote_write_filter_keeps_exactly_the_crossing_series() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    (regex,) = re.findall(r"regex: (service_location:\S+)", readme)
    catalog = _located(load_catalog([EXAMPLE]))
    recorded = {r["record"] for g in fleet_groups(catalog) for r in g["rules"] if "record" in r}
    kept = {name for name in recorded if re.fullmatch(regex, name)}
    assert kept == set(crossing_series(catalog))
