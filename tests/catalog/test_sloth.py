"""Sloth specs: every field honoured, refused with its position, or reported as ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalog.shapes import SLOTH_CASES
from tests.catalog.specs import SLOTH
from zwobs.catalog import CatalogError, catalog_warnings, load_catalog
from zwobs.catalog.model import SloAlert


def _issues(tmp_path: Path, *texts: str) -> str:
    paths = []
    for index, text in enumerate(texts):
        paths.append(tmp_path / f"spec{index}.yaml")
        paths[-1].write_text(text)
    with pytest.raises(CatalogError) as info:
        load_catalog(paths)
    return str(info.value)


def test_alert_labels_annotations_and_name_are_kept_per_severity(tmp_path: Path) -> None:
    path = tmp_path / "sloth.yaml"
    path.write_text(SLOTH)
    (slo,) = load_catalog([path]).services[0].slos
    shared = {
        "owner": "myteam",
        "repo": "myorg/myservice",
        "tier": "2",
        "category": "availability",
    }
    summary = (("summary", "High error rate on 'myservice' requests responses"),)
    assert slo.alert_name == "MyServiceHighErrorRate"
    assert slo.page == SloAlert(
        labels=tuple(sorted({**shared, "severity": "pageteam", "routing_key": "myteam"}.items())),
        annotations=summary,
    )
    assert slo.ticket is not None and ("slack_channel", "#alerts-myteam") in slo.ticket.labels


def test_labels_the_rules_join_on_are_refused(tmp_path: Path) -> None:
    text = SLOTH.replace('category: "availability"', 'service: "other"')
    assert "slos[0].alerting.labels.service: label is set by zwobs itself" in _issues(
        tmp_path, text
    )


def test_disable_must_be_a_boolean(tmp_path: Path) -> None:
    text = SLOTH.replace(
        "      page_alert:\n", '      page_alert:\n        disable: "yes please"\n'
    )
    assert "slos[0].alerting.page_alert.disable: expected true or false" in _issues(tmp_path, text)


def test_an_unknown_key_is_refused_not_dropped(tmp_path: Path) -> None:
    text = SLOTH.replace("    alerting:", "    alertting:")
    message = _issues(tmp_path, text)
    assert "slos[0].alertting: unknown key; expected one of: alerting, description" in message


def test_min_requests_label_must_be_a_count(tmp_path: Path) -> None:
    text = SLOTH.replace(
        "    objective: 99.9\n", '    objective: 99.9\n    labels: {zwobs_min_requests: "many"}\n'
    )
    assert "slos[0].labels.zwobs_min_requests: expected a request count >= 0" in _issues(
        tmp_path, text
    )


def test_min_requests_label_sets_the_guard_and_leaves_the_alert_labels(tmp_path: Path) -> None:
    path = tmp_path / "sloth.yaml"
    path.write_text(
        SLOTH.replace(
            "    objective: 99.9\n", '    objective: 99.9\n    labels: {zwobs_min_requests: "5"}\n'
        )
    )
    (slo,) = load_catalog([path]).services[0].slos
    assert slo.min_requests == 5
    assert slo.page is not None and "zwobs_min_requests" not in dict(slo.page.labels)


def test_split_service_with_another_owner_or_a_repeated_slo_is_refused(tmp_path: Path) -> None:
    other_owner = SLOTH.replace('owner: "myteam"', 'owner: "otherteam"').replace(
        '"requests-availability"', '"requests-latency"'
    )
    assert "service myservice is split across specs with another owner/tier" in _issues(
        tmp_path, SLOTH, other_owner
    )
    assert "duplicate SLO name requests-availability" in _issues(tmp_path, SLOTH, SLOTH)


def test_crd_of_another_kind_and_events_with_raw_are_refused(tmp_path: Path) -> None:
    crd = "apiVersion: sloth.slok.dev/v1\nkind: AlertWindows\nspec: {}\n"
    assert "kind: expected PrometheusServiceLevel" in _issues(tmp_path, crd)
    both = SLOTH.replace(
        "      events:\n", "      raw: {errorRatioQuery: vector(0)}\n      events:\n"
    )
    assert "slos[0].sli: expected exactly one of sli.events" in _issues(tmp_path, both)


def test_interval_is_reported_as_ignored(tmp_path: Path) -> None:
    path = tmp_path / "sloth.yaml"
    path.write_text(
        SLOTH.replace("    objective: 99.9\n", "    objective: 99.9\n    interval: {all: 5m}\n")
    )
    warnings = catalog_warnings(load_catalog([path]))
    assert f"{path}:10: slos[0].interval: ignored" in warnings[0]


def test_an_alert_name_prometheus_would_reject_is_refused(tmp_path: Path) -> None:
    text = SLOTH.replace("name: MyServiceHighErrorRate", "name: my-service-high")
    assert "slos[0].alerting.name: expected an alert name" in _issues(tmp_path, text)


def test_nesting_deeper_than_any_field_is_an_issue_not_a_recursion_error(tmp_path: Path) -> None:
    deep = "version: prometheus/v1\nservice: a\nslos: " + "[" * 950 + "]" * 950 + "\n"
    assert "nests deeper than 32 levels" in _issues(tmp_path, deep)


def test_window_template_in_any_go_spacing_is_one_template(tmp_path: Path) -> None:
    path = tmp_path / "sloth.yaml"
    path.write_text(SLOTH.replace("[{{.window}}]", "[{{ .window }}]"))
    (slo,) = load_catalog([path]).services[0].slos
    assert "[{{.window}}]" in slo.errors_query and "{{ .window }}" not in slo.total_query


def test_crd_exported_from_a_cluster_with_its_status_is_read(tmp_path: Path) -> None:
    crd = next(c for c in SLOTH_CASES if c.name.startswith("k8s-getting-started")).files["crd.yaml"]
    path = tmp_path / "crd.yaml"
    path.write_text(crd + "status: {processedSLOs: 1, promOpRulesGenerated: true}\n")
    (service,) = load_catalog([path]).services
    assert service.name == "myservice" and len(service.slos) == 1
