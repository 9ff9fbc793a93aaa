"""OpenSLO v1: booleans, references across files, absent good series, ignored kinds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.catalog.shapes import OPENSLO_CASES
from tests.catalog.specs import OPENSLO
from tests.render.rule_files import promtool_test, write_alerts
from zwobs.catalog import CatalogError, catalog_warnings, load_catalog

_FILES = {c.name: c.files for c in OPENSLO_CASES}


def _write(tmp_path: Path, files: dict[str, str]) -> list[Path]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return [tmp_path / name for name in files]


def _issues(tmp_path: Path, files: dict[str, str]) -> str:
    with pytest.raises(CatalogError) as info:
        load_catalog(_write(tmp_path, files))
    return str(info.value)


@pytest.mark.parametrize(
    "case", ["counter: false (rate expressions as given)", "counter: False", 'counter: "false"']
)
def test_counter_false_in_any_spelling_keeps_the_query_unwrapped(tmp_path: Path, case: str) -> None:
    (service,) = load_catalog(_write(tmp_path, _FILES[case])).services
    (slo,) = service.slos
    assert slo.total_query == "sum(sum(rate(api_requests_total[{{.window}}])))"


def test_absent_good_series_with_traffic_counts_every_event_as_bad(tmp_path: Path) -> None:
    # the good series never existed (or vanished after a restart): 100% bad, so it pages
    write_alerts(load_catalog(_write(tmp_path, {"slo.yaml": OPENSLO})), tmp_path)
    firing = 'ALERTS{alertstate="firing",service="checkout",severity="page"}'
    test = {
        "rule_files": ["_fleet.rules.yaml", "checkout.rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": 'checkout_requests_total{code="500"}', "values": "0+600x60"}
                ],
                "promql_expr_test": [
                    {
                        "expr": 'slo:sli_errors:ratio_rate5m{service="checkout"}',
                        "eval_time": "30m",
                        "exp_samples": [
                            {
                                "labels": 'slo:sli_errors:ratio_rate5m{service="checkout",'
                                'sli="custom",slo="checkout-availability",slo_period="28d"}',
                                "value": 1,
                            }
                        ],
                    },
                    {
                        "expr": f"count({firing})",
                        "eval_time": "30m",
                        "exp_samples": [{"labels": "{}", "value": 1}],
                    },
                ],
            }
        ],
    }
    (tmp_path / "alerts" / "checkout.test.yaml").write_text(yaml.safe_dump(test))
    tested = promtool_test(tmp_path / "alerts")
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_references_that_resolve_nowhere_are_refused(tmp_path: Path) -> None:
    files = dict(_FILES["indicatorRef and metricSourceRef across three files"])
    files["datasource.yaml"] = files["datasource.yaml"].replace("prometheus-main", "other")
    assert "metricSourceRef: no DataSource document named 'prometheus-main'" in _issues(
        tmp_path, files
    )
    files["datasource.yaml"] = (
        files["datasource.yaml"]
        .replace("other", "prometheus-main")
        .replace("type: Prometheus", "type: Datadog")
    )
    assert "metricSource: expected type: Prometheus, got 'Datadog'" in _issues(tmp_path, files)


def test_unreferenced_sli_and_datasource_are_reported(tmp_path: Path) -> None:
    files = _FILES["indicatorRef and metricSourceRef across three files"]
    extra = files["sli.yaml"].replace("name: search-errors", "name: spare")
    catalog = load_catalog(_write(tmp_path, {**files, "spare.yaml": extra}))
    assert any("SLI 'spare' ignored (no SLO refers to it)" in w for w in catalog_warnings(catalog))


def test_bad_raw_types_windows_versions_and_list_items_are_refused(tmp_path: Path) -> None:
    raw = _FILES["raw failure ratio"]["raw.yaml"].replace("rawType: failure", "rawType: bad")
    assert "ratioMetric.rawType: expected success or failure, got 'bad'" in _issues(
        tmp_path, {"raw.yaml": raw}
    )
    two = OPENSLO.replace("      isRolling: true\n", "      isRolling: true\n    - duration: 7d\n")
    assert "spec.timeWindow: expected a list of one time window" in _issues(
        tmp_path, {"two.yaml": two}
    )
    old = OPENSLO.replace("apiVersion: openslo/v1", "apiVersion: openslo/v1alpha")
    assert "apiVersion: expected openslo/v1, got 'openslo/v1alpha'" in _issues(
        tmp_path, {"old.yaml": old}
    )
    listed = "- services: []\n"
    assert "[0]: expected a Sloth or OpenSLO document" in _issues(tmp_path, {"l.yaml": listed})


def test_a_broken_sli_two_slos_refer_to_is_reported_once(tmp_path: Path) -> None:
    files = dict(_FILES["indicatorRef and metricSourceRef across three files"])
    files["sli.yaml"] = files["sli.yaml"].replace("query: search_requests_total}", "query: 'x{'}")
    second = files["slo.yaml"].replace("search-availability", "search-availability-2")
    message = _issues(tmp_path, {**files, "slo2.yaml": second})
    assert (
        message.count("sli.yaml:14:23: spec.ratioMetric.total.metricSource.spec.query: PromQL") == 1
    )
    assert message.count("expected a plain series selector") == 1


def test_composite_objectives_and_unknown_spec_keys_are_refused(tmp_path: Path) -> None:
    composite = OPENSLO.replace("target: 0.995", "target: 0.995\n      indicatorRef: other")
    assert "objectives[0].indicatorRef: per-objective indicators (composite SLOs)" in _issues(
        tmp_path, {"c.yaml": composite}
    )
    typo = OPENSLO.replace("budgetingMethod:", "budgetMethod:")
    assert "spec.budgetMethod: unknown key; expected one of: alertPolicies" in _issues(
        tmp_path, {"t.yaml": typo}
    )
