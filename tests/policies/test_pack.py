"""The pack: each policy defined once, with everything a reader and both compilers need."""

from __future__ import annotations

import re

from zwobs.policies import PACK, PolicyParams, Scope, Severity, Target, policy_by_id
from zwobs.policies.model import LONG_RUNNING_KINDS, WORKLOAD_KINDS

REQUIRED_KUBERNETES = {
    "run_as_non_root",
    "no_privileged",
    "no_privilege_escalation",
    "drop_all_capabilities",
    "read_only_root_filesystem",
    "resources",
    "probes",
    "image_tag_pinned",
    "allowed_registries",
    "required_labels",
    "no_host_namespaces",
    "no_host_path",
    "no_host_ports",
    "seccomp_runtime_default",
    "allowed_capabilities",
}
REQUIRED_DOCKERFILE = {
    "base_image_pinned",
    "base_image_registry",
    "non_root_user",
    "multi_stage_build",
}


def test_the_pack_covers_every_required_rule() -> None:
    slugs = {(p.target, p.slug) for p in PACK}
    assert {(Target.KUBERNETES, s) for s in REQUIRED_KUBERNETES} <= slugs
    assert {(Target.DOCKERFILE, s) for s in REQUIRED_DOCKERFILE} <= slugs


def test_ids_slugs_and_packages_are_unique_and_valid_rego_names() -> None:
    assert len({p.id for p in PACK}) == len(PACK)
    assert len({p.package for p in PACK}) == len(PACK)
    for policy in PACK:
        assert re.fullmatch(r"ZW-(K8S|DF)-\d{3}", policy.id)
        assert re.fullmatch(r"zwobs\.(kubernetes|dockerfile)\.[a-z_]+", policy.package)


def test_every_policy_explains_itself() -> None:
    for policy in PACK:
        assert policy.title and policy.rationale and policy.remediation and policy.message
        assert policy.severity is not Severity.UNKNOWN
        assert policy.rego


def test_every_kubernetes_policy_has_a_cel_spelling_and_dockerfile_ones_do_not() -> None:
    for policy in PACK:
        assert bool(policy.cel) == (policy.target is Target.KUBERNETES), policy.id


def test_controllers_are_checked_through_pod_templates_and_probes_skip_batch() -> None:
    for policy in PACK:
        if policy.target is Target.KUBERNETES and policy.slug != "probes":
            assert policy.kinds == WORKLOAD_KINDS
    probes = next(p for p in PACK if p.slug == "probes")
    assert probes.kinds == LONG_RUNNING_KINDS
    assert probes.scope is Scope.APP_CONTAINER


def test_policy_lookup_is_case_insensitive() -> None:
    assert policy_by_id("zw-k8s-002") is not None
    assert policy_by_id("ZW-K8S-999") is None


def test_every_built_in_kind_with_a_pod_spec_is_covered() -> None:
    assert set(WORKLOAD_KINDS) == {
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController",
        "Job",
        "CronJob",
        "PodTemplate",
    }


def test_allowed_capabilities_default_to_net_bind_service_and_are_normalised() -> None:
    assert PolicyParams().allowed_capabilities == ("NET_BIND_SERVICE",)
    params = PolicyParams(allowed_capabilities=("cap_sys_time", " NET_BIND_SERVICE", ""))
    assert params.allowed_capabilities == ("NET_BIND_SERVICE", "SYS_TIME")
    assert params.as_data()["allowed_capabilities"] == ["NET_BIND_SERVICE", "SYS_TIME"]
