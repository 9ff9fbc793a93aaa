"""Parity: the Trivy checks (CI) and the admission policies (cluster) find the same violations.

One real Trivy run over good and bad manifests (multi-document, Helm-style output,
CronJobs with init containers, every workload kind) against an evaluation of the
rendered ValidatingAdmissionPolicies' CEL on the same documents.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.policies.admission_eval import AdmissionPolicy
from tests.policies.conftest import DATA, PARAMS
from tests.servers.trivy import trivy_binary
from zwobs.policies import CHECK_NAMESPACE, PACK, Target, admission_documents
from zwobs.render.policies import render_pack
from zwobs.scan.ids import normalise_id
from zwobs.scan.report import parse_report
from zwobs.scan.resources import ResourceIndex
from zwobs.scan.trivy import Trivy

MANIFESTS = DATA / "manifests"
Key = tuple[str, str, int, str]
"""(policy id, file, document index, container or '')"""


@pytest.fixture(scope="module")
def trivy_violations(pack_dir: Path) -> set[Key]:
    trivy = Trivy.locate(trivy_binary(), timeout=120)
    report = trivy.scan(
        "fs",
        str(MANIFESTS),
        scanners=("misconfig",),
        checks_dir=pack_dir / "trivy" / "checks",
        data_dir=pack_dir / "trivy" / "data",
        namespace=CHECK_NAMESPACE,
    )
    parsed = parse_report(
        report,
        display_path=lambda target: target,
        index=ResourceIndex(MANIFESTS),
        custom_ids={p.id for p in PACK},
    )
    keys: set[Key] = set()
    for finding in parsed.findings:
        if not finding.custom:
            continue
        assert finding.resource is not None, finding
        resource = finding.resource
        keys.add((finding.check_id, finding.path, resource.document, resource.container))
    return keys


def _evaluate_admission(documents: list[dict[str, Any]]) -> set[Key]:
    policies = [AdmissionPolicy(d) for d in documents if d["kind"] == "ValidatingAdmissionPolicy"]
    keys: set[Key] = set()
    for file in sorted(MANIFESTS.rglob("*.yaml")):
        rel = file.relative_to(MANIFESTS).as_posix()
        for index, obj in enumerate(yaml.safe_load_all(file.read_text()), start=1):
            if not obj:
                continue
            for policy in policies:
                for violation in policy.violations(obj):
                    keys.add((violation.policy_id, rel, index, violation.container))
    return keys


@pytest.fixture(scope="module")
def admission_violations(pack_dir: Path) -> set[Key]:
    documents = [
        doc
        for file in sorted((pack_dir / "admission").glob("*.yaml"))
        for doc in yaml.safe_load_all(file.read_text())
    ]
    kinds = [d["kind"] for d in documents]
    assert kinds.count("ValidatingAdmissionPolicy") == sum(
        1 for p in PACK if p.target is Target.KUBERNETES
    )
    return _evaluate_admission(documents)


def test_trivy_and_admission_report_the_same_violations(
    trivy_violations: set[Key], admission_violations: set[Key]
) -> None:
    assert trivy_violations == admission_violations


def test_every_kubernetes_policy_is_violated_by_the_bad_manifests(
    trivy_violations: set[Key],
) -> None:
    violated = {key[0] for key in trivy_violations}
    assert violated == {p.id for p in PACK if p.target is Target.KUBERNETES}


def test_good_manifests_of_every_workload_kind_pass_both(
    trivy_violations: set[Key], admission_violations: set[Key]
) -> None:
    assert not [k for k in trivy_violations | admission_violations if k[1].startswith("good/")]


def test_violations_name_the_container_including_init_containers(
    trivy_violations: set[Key],
) -> None:
    # CronJob "report" (doc 1 of batch.yaml): privileged and untagged image in init container
    # "fetch", no ALL drop and no cpu request in init container "unpack", runAsNonRoot false
    # in "run"; the compliant container of the Helm Deployment is never named.
    assert ("ZW-K8S-002", "bad/batch.yaml", 1, "fetch") in trivy_violations
    assert ("ZW-K8S-008", "bad/batch.yaml", 1, "fetch") in trivy_violations
    assert ("ZW-K8S-004", "bad/batch.yaml", 1, "unpack") in trivy_violations
    assert ("ZW-K8S-006", "bad/batch.yaml", 1, "unpack") in trivy_violations
    assert ("ZW-K8S-001", "bad/batch.yaml", 1, "run") in trivy_violations
    assert not [k for k in trivy_violations if k[3] == "compliant"]


def test_resource_level_violations_point_at_the_document(trivy_violations: set[Key]) -> None:
    # Helm output: doc 1 is a ServiceAccount, doc 2 the Deployment, doc 3 the DaemonSet.
    assert ("ZW-K8S-011", "bad/helm-output.yaml", 2, "") in trivy_violations  # hostNetwork
    assert ("ZW-K8S-010", "bad/helm-output.yaml", 2, "") in trivy_violations  # template label
    assert ("ZW-K8S-011", "bad/helm-output.yaml", 3, "") in trivy_violations  # hostPID/IPC
    assert ("ZW-K8S-012", "bad/helm-output.yaml", 3, "") in trivy_violations  # hostPath
    assert ("ZW-K8S-010", "bad/helm-output.yaml", 3, "") in trivy_violations  # unknown team
    assert not [k for k in trivy_violations if k[1] == "bad/helm-output.yaml" and k[2] == 1]


def test_probes_are_required_of_long_running_pods_only(trivy_violations: set[Key]) -> None:
    probes = {k for k in trivy_violations if k[0] == "ZW-K8S-007" and k[1] == "bad/batch.yaml"}
    # The CronJob (doc 1) and Job (doc 2) need none; the bare Pod "debug" (doc 3) does.
    assert probes == {("ZW-K8S-007", "bad/batch.yaml", 3, "shell")}


def test_the_parity_check_catches_a_cel_spelling_that_drifted(
    trivy_violations: set[Key],
) -> None:
    # Loosen one CEL predicate (privileged only when set to the string "yes"): the Rego
    # spelling still flags privileged containers, so the two sides must disagree.
    drifted = tuple(
        replace(p, cel="c.?securityContext.?privileged.orValue(false) != 'yes'")
        if p.slug == "no_privileged"
        else p
        for p in PACK
    )
    documents = [
        doc
        for p in drifted
        if p.target is Target.KUBERNETES
        for doc in admission_documents(p, PARAMS)
    ]
    difference = trivy_violations ^ _evaluate_admission(documents)
    assert difference and {k[0] for k in difference} == {"ZW-K8S-002"}


# (policy, file, document, container) the pack missed before issue 13: both sides must see them.
MISSED_BEFORE = {
    ("ZW-K8S-015", "bad/kinds.yaml", 1, "web"),  # drops ALL, adds NET_ADMIN and SYS_PTRACE
    ("ZW-K8S-002", "bad/kinds.yaml", 2, "debugger"),  # a privileged ephemeral container
    ("ZW-K8S-008", "bad/kinds.yaml", 2, "debugger"),  # ... with an untagged image
    ("ZW-K8S-010", "bad/kinds.yaml", 3, ""),  # a ReplicationController, team: ""
    ("ZW-K8S-011", "bad/kinds.yaml", 3, ""),  # ... on the host network
    ("ZW-K8S-010", "bad/kinds.yaml", 4, ""),  # a PodTemplate, team: null
    ("ZW-K8S-002", "bad/kinds.yaml", 4, "worker"),  # ... privileged
}


def test_added_capabilities_ephemeral_containers_and_every_pod_kind_are_checked_on_both_sides(
    trivy_violations: set[Key], admission_violations: set[Key]
) -> None:
    assert trivy_violations >= MISSED_BEFORE
    assert admission_violations >= MISSED_BEFORE


def test_ephemeral_containers_are_not_asked_for_what_the_api_forbids_them(
    trivy_violations: set[Key], admission_violations: set[Key]
) -> None:
    # Ephemeral containers cannot set resources, ports or probes.
    named = {k[0] for k in trivy_violations | admission_violations if k[3] == "debugger"}
    assert named and not named & {"ZW-K8S-006", "ZW-K8S-007"}


def test_the_allowed_capabilities_are_a_parameter_on_both_sides(
    tmp_path: Path, trivy_violations: set[Key]
) -> None:
    params = replace(
        PARAMS, allowed_capabilities=("net_admin", "CAP_SYS_PTRACE", "NET_BIND_SERVICE")
    )
    root = tmp_path / "pack"
    for rel, content in render_pack(params).items():
        file = root / rel
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(content)
    report = Trivy.locate(trivy_binary(), timeout=120).scan(
        "fs",
        str(MANIFESTS / "bad"),
        scanners=("misconfig",),
        checks_dir=root / "policies" / "trivy" / "checks",
        data_dir=root / "policies" / "trivy" / "data",
        namespace=CHECK_NAMESPACE,
    )
    ids = {
        normalise_id(str(m["ID"]))
        for r in report["Results"]
        for m in r.get("Misconfigurations") or []
        if m["Status"] == "FAIL"
    }
    assert "ZW-K8S-015" not in ids and "ZW-K8S-002" in ids
    documents = [
        doc for p in PACK if p.target is Target.KUBERNETES for doc in admission_documents(p, params)
    ]
    admitted = _evaluate_admission(documents)
    assert not [k for k in admitted if k[0] == "ZW-K8S-015"]
    assert ("ZW-K8S-015", "bad/kinds.yaml", 1, "web") in trivy_violations
