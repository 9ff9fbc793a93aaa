"""What a policy is: one definition that both the Trivy and the admission compiler read.

A policy carries its metadata once (id, title, severity, rationale, remediation) and
the condition it matches twice, side by side: as a Rego violation condition for Trivy
and as a CEL compliance predicate for a ValidatingAdmissionPolicy. The parity test runs
both on the same manifests, so the two spellings cannot drift apart silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "LONG_RUNNING_KINDS",
    "TEMPLATED_KINDS",
    "WORKLOAD_KINDS",
    "Policy",
    "Scope",
    "Severity",
    "Target",
]


class Severity(StrEnum):
    """Trivy's severities, lowest first (the order the gate compares in)."""

    UNKNOWN = "UNKNOWN"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {s: i for i, s in enumerate(Severity)}


class Target(StrEnum):
    """What kind of file a policy reads (Trivy's input selector type)."""

    KUBERNETES = "kubernetes"
    DOCKERFILE = "dockerfile"


class Scope(StrEnum):
    """What a violation names: a container (init and ephemeral containers included), a pod
    container (init and regular, not ephemeral: those cannot set resources, ports or
    probes), an app container (regular containers only), the resource itself, or a
    Dockerfile instruction."""

    CONTAINER = "container"
    POD_CONTAINER = "pod-container"
    APP_CONTAINER = "app-container"
    RESOURCE = "resource"
    INSTRUCTION = "instruction"


WORKLOAD_KINDS: tuple[str, ...] = (
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PodTemplate",
)
"""Every built-in kind that carries a pod spec; controllers (and PodTemplate, which
holds one for others to use) through their pod templates."""

TEMPLATED_KINDS: tuple[str, ...] = (
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
)
"""Kinds whose pod spec sits at ``spec.template.spec``."""

LONG_RUNNING_KINDS: tuple[str, ...] = (
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
)
"""Kinds that serve traffic (probes make sense); Pods owned by a Job are excluded."""


@dataclass(frozen=True, slots=True)
class Policy:
    """One compliance rule, compiled into a Trivy check and (for Kubernetes) an admission policy.

    ``rego`` holds violation conditions (any one true means a violation) over ``c`` (the
    container), ``pod_spec``, ``input`` and the parameters ``registries``,
    ``required_labels``, ``teams`` and ``allowed_capabilities``. ``cel`` is the compliance
    predicate over ``c``, ``variables.podSpec``, ``variables.labelSets`` and ``object``,
    with ``$registries``, ``$required_labels``, ``$teams`` and ``$allowed_capabilities``
    replaced by literals at render time.
    """

    id: str
    slug: str
    title: str
    severity: Severity
    target: Target
    scope: Scope
    rationale: str
    remediation: str
    message: str
    rego: tuple[str, ...]
    cel: str = ""
    kinds: tuple[str, ...] = WORKLOAD_KINDS
    rego_helpers: str = ""
    tags: tuple[str, ...] = field(default=())

    @property
    def package(self) -> str:
        """The Rego package, under the ``zwobs`` namespace Trivy is told to load."""
        return f"zwobs.{self.target.value}.{self.slug}"
