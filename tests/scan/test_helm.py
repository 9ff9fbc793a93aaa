"""A Helm chart (not rendered beforehand): Trivy renders it and runs the pack on the output;
the YAML templates cannot be parsed, so the resource comes from the finding's message."""

from __future__ import annotations

from tests.policies.conftest import PARAMS
from tests.scan.conftest import DATA, TODAY
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
    assert outcome.evaluations_proven == 14  # every Kubernetes check on the rendered chart
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
