"""A Helm chart (not rendered beforehand): Trivy renders it and runs the pack on the output;
the YAML templates cannot be parsed, so the resource comes from the finding's message."""

from __future__ import annotations

import tarfile
from pathlib import Path

from tests.policies.conftest import PARAMS
from tests.scan.conftest import DATA, TODAY
from zwobs.policies import PACK, Target
from zwobs.scan import ScanOptions, run_scan
from zwobs.scan.model import Resource
from zwobs.scan.report import _resource_from_message


def test_the_pack_runs_on_a_helm_chart_and_findings_name_their_resource(trivy: str) -> None:
    outcome = run_scan(
        ScanOptions(
            paths=(DATA / "helm-chart",),
            params=PARAMS,
            trivy=trivy,
            vulnerabilities=False,
            today=TODAY,
        )
    )
    kubernetes_checks = sum(1 for p in PACK if p.target is Target.KUBERNETES)
    assert outcome.evaluations_proven == kubernetes_checks  # all of them, on the rendered chart
    pinned = next(a.finding for a in outcome.gate.assessed if a.finding.check_id == "ZW-K8S-008")
    assert pinned.path.endswith("shop/templates/deployment.yaml")
    assert pinned.resource == Resource(kind="Deployment", name="shop-web", container="web")


def test_resources_are_read_from_pack_and_trivy_messages() -> None:
    assert _resource_from_message(
        'CronJob identity/report: container "fetch" must not ...', custom=True
    ) == Resource(kind="CronJob", name="report", namespace="identity", container="fetch")
    assert _resource_from_message(
        "Deployment web must carry the required labels", custom=True
    ) == Resource(kind="Deployment", name="web")
    assert _resource_from_message(
        "Container 'app' of StatefulSet 'db' should set 'resources.limits.memory'", custom=False
    ) == Resource(kind="StatefulSet", name="db", container="app")
    assert _resource_from_message("Add HEALTHCHECK instruction", custom=False) is None


def test_a_packaged_chart_is_evaluated_and_accounted_for(trivy: str, tmp_path: Path) -> None:
    with tarfile.open(tmp_path / "shop-0.1.0.tgz", "w:gz") as archive:
        archive.add(DATA / "helm-chart" / "shop", arcname="shop")
    outcome = run_scan(
        ScanOptions(
            paths=(tmp_path,), params=PARAMS, trivy=trivy, vulnerabilities=False, today=TODAY
        )
    )
    assert outcome.unevaluated == ()
    assert outcome.evaluations_proven == sum(1 for p in PACK if p.target is Target.KUBERNETES)


def test_a_chart_that_renders_nothing_is_named_not_passed(trivy: str, tmp_path: Path) -> None:
    chart = tmp_path / "empty"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: empty\nversion: 0.1.0\n")
    (chart / "templates" / "deployment.yaml").write_text("{{- if false }}\nkind: Pod\n{{- end }}\n")
    outcome = run_scan(
        ScanOptions(
            paths=(tmp_path,), params=PARAMS, trivy=trivy, vulnerabilities=False, today=TODAY
        )
    )
    assert [(u.path, u.reason) for u in outcome.unevaluated] == [
        (chart.as_posix(), "Trivy did not evaluate it")
    ]
    assert not outcome.passed
