"""Sloth prometheus/v1 and OpenSLO v1 documents become catalog services with CUSTOM SLOs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalog.specs import OPENSLO, OPENSLO_REF, SLOTH
from zwobs.catalog import CatalogError, load_catalog
from zwobs.catalog.model import Catalog, SloKind


def _load(tmp_path: Path, *texts: str) -> Catalog:
    paths = []
    for index, text in enumerate(texts):
        path = tmp_path / f"spec{index}.yaml"
        path.write_text(text)
        paths.append(path)
    return load_catalog(paths)


def _issues(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    with pytest.raises(CatalogError) as info:
        load_catalog([path])
    return [str(i) for i in info.value.issues]


def test_sloth_spec_is_detected_by_its_version_header(tmp_path: Path) -> None:
    path = tmp_path / "sloth.yaml"
    path.write_text(SLOTH)
    (service,) = load_catalog([path]).services
    assert (service.name, service.team, service.tier, service.origin) == (
        "myservice",
        "myteam",
        2,
        "sloth",
    )
    (slo,) = service.slos
    assert slo.kind is SloKind.CUSTOM and slo.objective == 99.9
    assert slo.errors_query.startswith("sum(sum(rate(http_request_duration_seconds_count{")
    assert "[{{.window}}]" in slo.total_query
    assert slo.source is not None and slo.source.line == 8


def test_openslo_inline_indicator_with_good_query_and_28d_window(tmp_path: Path) -> None:
    path = tmp_path / "openslo.yaml"
    path.write_text(OPENSLO)
    (service,) = load_catalog([path]).services
    assert (service.name, service.origin, service.slo_period_days) == ("checkout", "openslo", 28)
    (slo,) = service.slos
    assert slo.name == "checkout-availability" and slo.objective == pytest.approx(99.5)
    assert slo.total_query == "sum(rate(checkout_requests_total[{{.window}}]))"
    total = "sum(rate(checkout_requests_total[{{.window}}]))"
    good = 'sum(rate(checkout_requests_total{code!~"5.."}[{{.window}}]))'
    assert slo.errors_query == f"({total} - ({good} or 0 * {total}))"


def test_openslo_indicator_ref_resolves_to_an_sli_document(tmp_path: Path) -> None:
    path = tmp_path / "openslo.yaml"
    path.write_text(OPENSLO_REF)
    (service,) = load_catalog([path]).services
    assert service.slo_period_days == 28
    (slo,) = service.slos
    assert slo.objective == 99
    assert slo.errors_query == 'sum(rate(search_requests_total{code=~"5.."}[{{.window}}]))'


def test_imports_merge_with_a_zwobs_catalog(tmp_path: Path) -> None:
    catalog_text = "services: [{name: web, team: t, tier: 1}]\n"
    catalog = _load(tmp_path, catalog_text, SLOTH, OPENSLO)
    assert [s.name for s in catalog.services] == ["checkout", "myservice", "web"]


def test_openslo_problems_are_positioned(tmp_path: Path) -> None:
    text = OPENSLO.replace("budgetingMethod: Occurrences", "budgetingMethod: Timeslices")
    text = text.replace("target: 0.995", "target: 99.5")
    text = text.replace("type: Prometheus", "type: Datadog", 1)
    issues = _issues(tmp_path, text)
    assert any(":9:20: spec.budgetingMethod: expected Occurrences" in i for i in issues)
    assert any(
        "spec.indicator.spec.ratioMetric.good.metricSource: expected type: Prometheus, got"
        " 'Datadog'" in i
        for i in issues
    )
    assert any("spec.objectives[0].target: expected a ratio in (0, 1)" in i for i in issues)


def test_openslo_counter_query_must_be_a_selector(tmp_path: Path) -> None:
    text = OPENSLO.replace(
        "query: checkout_requests_total\n", "query: sum(rate(checkout_requests_total[5m]))\n"
    )
    issues = _issues(tmp_path, text)
    assert any("expected a plain series selector for a counter" in i for i in issues)


def test_sloth_plugin_sli_and_impossible_objective_are_rejected(tmp_path: Path) -> None:
    text = SLOTH.replace("objective: 99.9", "objective: 90").replace(
        "      events:", "      plugin:\n        id: x\n      events_:"
    )
    issues = _issues(tmp_path, text)
    assert any("slos[0].sli.plugin: Sloth plugins are not supported" in i for i in issues)
    text = SLOTH.replace("objective: 99.9", "objective: 90")
    issues = _issues(tmp_path, text)
    assert any("the page alert could never fire" in i for i in issues)


def test_imported_service_clashing_with_a_catalog_service_is_an_error(tmp_path: Path) -> None:
    catalog_text = "services: [{name: myservice, team: t, tier: 1}]\n"
    with pytest.raises(CatalogError) as info:
        _load(tmp_path, catalog_text, SLOTH)
    assert "service myservice is defined twice" in str(info.value)


def test_imported_service_name_must_be_a_dns_label(tmp_path: Path) -> None:
    issues = _issues(tmp_path, SLOTH.replace('service: "myservice"', 'service: "../etc"'))
    assert any("service: expected a lowercase DNS label" in i for i in issues)


def test_duplicate_slo_names_in_imports_are_rejected(tmp_path: Path) -> None:
    head, slo = SLOTH.split("slos:\n")
    issues = _issues(tmp_path, f"{head}slos:\n{slo}{slo}")
    assert any("slos[1].name: duplicate SLO name" in i for i in issues)
    path = tmp_path / "two.yaml"
    path.write_text(f"{OPENSLO}---\n{OPENSLO}")
    with pytest.raises(CatalogError) as info:
        load_catalog([path])
    assert "duplicate SLO name" in str(info.value)
