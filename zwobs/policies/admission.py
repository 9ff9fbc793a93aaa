"""Compile a Kubernetes policy into a ValidatingAdmissionPolicy and its binding (CEL).

Admission has no controller autogen (unlike Kyverno), so the pod spec is derived per
kind in a variable, and the policy matches the controllers and the Pods and
ReplicaSets they create. HIGH and CRITICAL policies deny; lower ones warn and audit.
The CEL uses only the optional and string libraries (``?.``, ``orValue``, ``join``),
nothing Kubernetes-specific, so it can be evaluated outside a cluster.
"""

from __future__ import annotations

import json
from typing import Any

from .model import Policy, Scope, Severity, Target
from .params import PolicyParams

__all__ = [
    "API_VERSION",
    "RESOURCES",
    "SUBRESOURCES",
    "VARIABLES",
    "admission_documents",
    "violators_expression",
]

API_VERSION = "admissionregistration.k8s.io/v1"

RESOURCES: dict[str, tuple[str, str]] = {
    "Pod": ("", "pods"),
    "Deployment": ("apps", "deployments"),
    "StatefulSet": ("apps", "statefulsets"),
    "DaemonSet": ("apps", "daemonsets"),
    "ReplicaSet": ("apps", "replicasets"),
    "ReplicationController": ("", "replicationcontrollers"),
    "Job": ("batch", "jobs"),
    "CronJob": ("batch", "cronjobs"),
    "PodTemplate": ("", "podtemplates"),
}
"""Kind -> (API group, resource) for matchConstraints."""

SUBRESOURCES: dict[str, tuple[str, ...]] = {"Pod": ("pods/ephemeralcontainers",)}
"""Subresources that change a kind's pod spec: `kubectl debug` adds an ephemeral container
through ``pods/ephemeralcontainers``, which a rule on ``pods`` alone never sees."""

VARIABLES: tuple[tuple[str, str], ...] = (
    (
        "podSpec",
        "object.kind == 'Pod' ? object.spec"
        " : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec"
        " : object.kind == 'PodTemplate' ? object.template.spec"
        " : object.spec.template.spec",
    ),
    ("appContainers", "variables.podSpec.?containers.orValue([])"),
    (
        "podContainers",
        "variables.podSpec.?containers.orValue([]) + variables.podSpec.?initContainers.orValue([])",
    ),
    (
        "containers",
        "variables.podContainers + variables.podSpec.?ephemeralContainers.orValue([])",
    ),
    (
        "labelSets",
        "object.kind == 'Pod' ? [object.metadata.?labels.orValue({})]"
        " : object.kind == 'CronJob' ? [object.metadata.?labels.orValue({}),"
        " object.spec.jobTemplate.?metadata.?labels.orValue({}),"
        " object.spec.jobTemplate.spec.template.?metadata.?labels.orValue({})]"
        " : object.kind == 'PodTemplate' ? [object.metadata.?labels.orValue({}),"
        " object.template.?metadata.?labels.orValue({})]"
        " : [object.metadata.?labels.orValue({}),"
        " object.spec.template.?metadata.?labels.orValue({})]",
    ),
    (
        "resourceName",
        "(object.metadata.?namespace.orValue('') == '' ? ''"
        " : object.metadata.namespace + '/')"
        " + object.metadata.?name.orValue(object.metadata.?generateName.orValue(''))",
    ),
)
"""Variables every admission policy of the pack declares, in evaluation order."""

_JOB_OWNED = "object.metadata.?ownerReferences.orValue([]).exists(o, o.kind == 'Job')"


def _literal(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def predicate(policy: Policy, params: PolicyParams) -> str:
    """The policy's CEL compliance predicate with parameters filled in as literals."""
    return (
        policy.cel.replace("$registries", _literal(params.registries))
        .replace("$required_labels", _literal(params.required_labels))
        .replace("$teams", _literal(params.teams))
        .replace("$allowed_capabilities", _literal(params.allowed_capabilities))
    )


def _container_list(policy: Policy) -> str:
    return {
        Scope.APP_CONTAINER: "variables.appContainers",
        Scope.POD_CONTAINER: "variables.podContainers",
    }.get(policy.scope, "variables.containers")


def violators_expression(policy: Policy, params: PolicyParams) -> str:
    """CEL: the names of the containers that violate ``policy`` (container scopes only)."""
    pred = predicate(policy, params)
    return f"{_container_list(policy)}.filter(c, !({pred})).map(c, c.name)"


def _validation(policy: Policy, params: PolicyParams) -> dict[str, Any]:
    pred = predicate(policy, params)
    prefix = f"'{policy.id} ' + object.kind + ' ' + variables.resourceName"
    text = policy.message.replace("\\", "\\\\").replace("'", "\\'")
    if policy.scope is Scope.RESOURCE:
        expression = pred
        message = f"{prefix} + ': {text}'"
    else:
        expression = f"{_container_list(policy)}.all(c, {pred})"
        violators = violators_expression(policy, params)
        message = f"{prefix} + ': containers ' + {violators}.join(',') + ' {text}'"
    return {
        "expression": expression,
        "messageExpression": message,
        "reason": "Forbidden" if policy.severity.rank >= Severity.HIGH.rank else "Invalid",
    }


def _name(policy: Policy) -> str:
    return "zwobs-" + policy.slug.replace("_", "-")


def admission_documents(policy: Policy, params: PolicyParams) -> list[dict[str, Any]]:
    """[ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding] for a Kubernetes policy."""
    if policy.target is not Target.KUBERNETES:
        raise ValueError(f"{policy.id} is not a Kubernetes policy")
    groups: dict[str, list[str]] = {}
    for kind in policy.kinds:
        group, resource = RESOURCES[kind]
        groups.setdefault(group, []).append(resource)
        if policy.scope is Scope.CONTAINER:
            groups[group].extend(SUBRESOURCES.get(kind, ()))
    rules = [
        {
            "apiGroups": [group],
            "apiVersions": ["v1"],
            "operations": ["CREATE", "UPDATE"],
            "resources": sorted(resources),
        }
        for group, resources in sorted(groups.items())
    ]
    spec: dict[str, Any] = {
        "failurePolicy": "Fail",
        "matchConstraints": {"resourceRules": rules},
    }
    if policy.scope is Scope.APP_CONTAINER:
        spec["matchConditions"] = [
            {"name": "not-owned-by-a-job", "expression": f"!({_JOB_OWNED})"},
        ]
    spec["variables"] = [{"name": n, "expression": e} for n, e in VARIABLES]
    spec["validations"] = [_validation(policy, params)]
    name = _name(policy)
    annotations = {
        "zwobs.io/policy-id": policy.id,
        "zwobs.io/title": policy.title,
        "zwobs.io/severity": policy.severity.value,
        "zwobs.io/rationale": policy.rationale,
        "zwobs.io/remediation": policy.remediation,
    }
    vap = {
        "apiVersion": API_VERSION,
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name, "annotations": annotations},
        "spec": spec,
    }
    deny = policy.severity.rank >= Severity.HIGH.rank
    binding = {
        "apiVersion": API_VERSION,
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": name, "annotations": {"zwobs.io/policy-id": policy.id}},
        "spec": {
            "policyName": name,
            "validationActions": ["Deny"] if deny else ["Warn", "Audit"],
            "matchResources": {
                "namespaceSelector": {
                    "matchExpressions": [
                        {
                            "key": "kubernetes.io/metadata.name",
                            "operator": "NotIn",
                            "values": ["kube-system", "kube-public", "kube-node-lease"],
                        }
                    ]
                }
            },
        },
    }
    return [vap, binding]
