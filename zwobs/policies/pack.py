"""The zwobs compliance pack: every policy, defined once.

Kubernetes policies read the pod spec of every workload kind (controllers through
their pod templates, init containers included); Dockerfile policies read Trivy's
parsed Dockerfile (``input.Stages``). Severity decides the admission action too:
HIGH and CRITICAL deny, lower ones warn and audit, the same line `zwobs scan`
gates on by default.
"""

from __future__ import annotations

from .model import LONG_RUNNING_KINDS, Policy, Scope, Severity, Target

__all__ = ["BUILD_TOOL_RE", "IMAGE_DIGEST_RE", "IMAGE_TAG_RE", "PACK", "policy_by_id"]

IMAGE_DIGEST_RE = r"^[^@]+@sha256:[a-f0-9]{64}$"
"""An image pinned by digest (a tag may precede the digest)."""

IMAGE_TAG_RE = r"^([^/@]+/)*[^/:@]+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"
"""An image with an explicit tag in its last path segment (a registry port is not a tag)."""

BUILD_TOOL_RE = (
    r"(^|[\s;&|(])(go (build|install)|cargo (build|install)|mvn|gradle|\./gradlew|gcc|g\+\+|"
    r"clang|javac|rustc|dotnet (build|publish)|npm run build|yarn build|tsc)(\s|$)"
)
"""A compiler or build tool invoked by a RUN instruction."""

_K8S = Target.KUBERNETES
_DF = Target.DOCKERFILE


def _sc(field: str, default: str) -> str:
    """CEL: the effective securityContext field, container first, then the pod."""
    return (
        f"c.?securityContext.?{field}.orValue("
        f"variables.podSpec.?securityContext.?{field}.orValue({default}))"
    )


PACK: tuple[Policy, ...] = (
    Policy(
        id="ZW-K8S-001",
        slug="run_as_non_root",
        title="Containers run as a non-root user",
        severity=Severity.HIGH,
        target=_K8S,
        scope=Scope.CONTAINER,
        rationale="A process running as root inside a container is root on the node "
        "after any container escape.",
        remediation="Set securityContext.runAsNonRoot: true (pod or container) and a non-zero "
        "runAsUser; build the image with a non-root USER.",
        message="must set securityContext.runAsNonRoot to true and must not run as UID 0",
        rego=(
            'sc_get(c, ["runAsNonRoot"], false) != true',
            'sc_get(c, ["runAsUser"], 1) == 0',
        ),
        cel=f"{_sc('runAsNonRoot', 'false')} == true && {_sc('runAsUser', '1')} != 0",
    ),
    Policy(
        id="ZW-K8S-002",
        slug="no_privileged",
        title="No privileged containers",
        severity=Severity.CRITICAL,
        target=_K8S,
        scope=Scope.CONTAINER,
        rationale="A privileged container has every capability and all host devices: "
        "it is the node.",
        remediation="Remove securityContext.privileged or set it to false.",
        message="must not set securityContext.privileged to true",
        rego=('object.get(c, ["securityContext", "privileged"], false) == true',),
        cel="c.?securityContext.?privileged.orValue(false) != true",
    ),
    Policy(
        id="ZW-K8S-003",
        slug="no_privilege_escalation",
        title="Privilege escalation is disabled",
        severity=Severity.HIGH,
        target=_K8S,
        scope=Scope.CONTAINER,
        rationale="Without allowPrivilegeEscalation: false a setuid binary can gain more "
        "privileges than the process started with.",
        remediation="Set securityContext.allowPrivilegeEscalation: false on every container.",
        message="must set securityContext.allowPrivilegeEscalation to false",
        rego=('object.get(c, ["securityContext", "allowPrivilegeEscalation"], true) != false',),
        cel="c.?securityContext.?allowPrivilegeEscalation.orValue(true) == false",
    ),
    Policy(
        id="ZW-K8S-004",
        slug="drop_all_capabilities",
        title="All capabilities are dropped",
        severity=Severity.MEDIUM,
        target=_K8S,
        scope=Scope.CONTAINER,
        rationale="The default capability set (NET_RAW, CHOWN, ...) is more than a web "
        "service needs; drop all and add back only what is required.",
        remediation="Set securityContext.capabilities.drop: [ALL].",
        message="must drop ALL capabilities",
        rego=('not "ALL" in object.get(c, ["securityContext", "capabilities", "drop"], [])',),
        cel="'ALL' in c.?securityContext.?capabilities.?drop.orValue([])",
    ),
    Policy(
        id="ZW-K8S-005",
        slug="read_only_root_filesystem",
        title="Root filesystem is read-only",
        severity=Severity.MEDIUM,
        target=_K8S,
        scope=Scope.CONTAINER,
        rationale="A writable root filesystem lets an attacker drop tools and persist "
        "changes inside the container.",
        remediation="Set securityContext.readOnlyRootFilesystem: true; mount an emptyDir for "
        "paths that must be writable (/tmp).",
        message="must set securityContext.readOnlyRootFilesystem to true",
        rego=('object.get(c, ["securityContext", "readOnlyRootFilesystem"], false) != true',),
        cel="c.?securityContext.?readOnlyRootFilesystem.orValue(false) == true",
    ),
    Policy(
        id="ZW-K8S-006",
        slug="resources",
        title="CPU/memory requests and a memory limit are set",
        severity=Severity.MEDIUM,
        target=_K8S,
        scope=Scope.POD_CONTAINER,
        rationale="Without requests the scheduler overcommits nodes; without a memory limit "
        "one leaking pod evicts its neighbours.",
        remediation="Set resources.requests.cpu, resources.requests.memory and "
        "resources.limits.memory.",
        message="must set resources.requests.cpu, resources.requests.memory and "
        "resources.limits.memory",
        rego=(
            'object.get(c, ["resources", "requests", "cpu"], null) == null',
            'object.get(c, ["resources", "requests", "memory"], null) == null',
            'object.get(c, ["resources", "limits", "memory"], null) == null',
        ),
        cel="c.?resources.?requests.?cpu.hasValue()"
        " && c.?resources.?requests.?memory.hasValue()"
        " && c.?resources.?limits.?memory.hasValue()",
    ),
    Policy(
        id="ZW-K8S-007",
        slug="probes",
        title="Liveness and readiness probes are set",
        severity=Severity.MEDIUM,
        target=_K8S,
        scope=Scope.APP_CONTAINER,
        rationale="Without a readiness probe traffic reaches pods that cannot serve; without "
        "a liveness probe a hung process is never restarted.",
        remediation="Add livenessProbe and readinessProbe (e.g. httpGet /healthz) to every "
        "container of a long-running workload.",
        message="must define livenessProbe and readinessProbe",
        rego=(
            'object.get(c, "livenessProbe", null) == null',
            'object.get(c, "readinessProbe", null) == null',
        ),
        cel="c.?livenessProbe.hasValue() && c.?readinessProbe.hasValue()",
        kinds=LONG_RUNNING_KINDS,
    ),
    Policy(
        id="ZW-K8S-008",
        slug="image_tag_pinned",
        title="Images are pinned (no latest, no missing tag)",
        severity=Severity.HIGH,
        target=_K8S,
        scope=Scope.CONTAINER,
        rationale="`latest` or an untagged image changes under a running deployment: "
        "rollbacks and audits cannot tell what ran.",
        remediation="Reference images by an immutable version tag or by digest (@sha256:...).",
        message="must reference its image by a version tag other than latest or by digest",
        rego=("not image_pinned(c.image)",),
        cel=f"c.image.matches('{IMAGE_DIGEST_RE}')"
        f" || (c.image.matches('{IMAGE_TAG_RE}') && !c.image.endsWith(':latest'))",
    ),
    Policy(
        id="ZW-K8S-009",
        slug="allowed_registries",
        title="Images come from the catalog's registries",
        severity=Severity.HIGH,
        target=_K8S,
        scope=Scope.CONTAINER,
        rationale="Only registries the platform scans and signs are trusted; anything else "
        "bypasses the supply-chain controls.",
        remediation="Push the image to one of the catalog's registries and reference it there.",
        message="must use an image from an allowed registry",
        rego=("count(registries) > 0\n  not image_allowed(c.image)",),
        cel="$registries.size() == 0 || $registries.exists(r, c.image.startsWith(r + '/'))",
    ),
    Policy(
        id="ZW-K8S-010",
        slug="required_labels",
        title="Workloads carry the catalog's required labels",
        severity=Severity.MEDIUM,
        target=_K8S,
        scope=Scope.RESOURCE,
        rationale="Alerts route and costs are attributed by the team/owner labels; a workload "
        "without them pages nobody.",
        remediation="Add the required labels to metadata.labels and to the pod template's "
        "labels; `team` must name a team of the catalog.",
        message="must carry the required labels, not empty (on the pod template too), with a "
        "catalog team",
        rego=(
            "some ls in label_sets\n  some l in required_labels\n"
            '  object.get(ls, l, null) in {"", null}',
            "some ls in label_sets\n  count(teams) > 0\n  t := ls.team\n  not t in teams",
        ),
        cel="variables.labelSets.all(ls, $required_labels.all(l, l in ls"
        " && ls[l] != null && ls[l] != '')"
        " && (!('team' in ls) || $teams.size() == 0 || ls['team'] in $teams))",
    ),
    Policy(
        id="ZW-K8S-011",
        slug="no_host_namespaces",
        title="No host network, PID or IPC namespace",
        severity=Severity.HIGH,
        target=_K8S,
        scope=Scope.RESOURCE,
        rationale="Sharing the host's network, PID or IPC namespace exposes node traffic and "
        "processes to the pod.",
        remediation="Remove hostNetwork, hostPID and hostIPC (or set them to false).",
        message="must not use hostNetwork, hostPID or hostIPC",
        rego=(
            'object.get(pod_spec, "hostNetwork", false) == true',
            'object.get(pod_spec, "hostPID", false) == true',
            'object.get(pod_spec, "hostIPC", false) == true',
        ),
        cel="variables.podSpec.?hostNetwork.orValue(false) != true"
        " && variables.podSpec.?hostPID.orValue(false) != true"
        " && variables.podSpec.?hostIPC.orValue(false) != true",
    ),
    Policy(
        id="ZW-K8S-012",
        slug="no_host_path",
        title="No hostPath volumes",
        severity=Severity.HIGH,
        target=_K8S,
        scope=Scope.RESOURCE,
        rationale="A hostPath volume gives the pod the node's filesystem (kubelet "
        "credentials, container runtime socket).",
        remediation="Use emptyDir, a ConfigMap/Secret or a PersistentVolumeClaim instead.",
        message="must not mount hostPath volumes",
        rego=(
            'some v in object.get(pod_spec, "volumes", [])\n'
            '  object.get(v, "hostPath", null) != null',
        ),
        cel="!variables.podSpec.?volumes.orValue([]).exists(v, v.?hostPath.hasValue())",
    ),
    Policy(
        id="ZW-K8S-013",
        slug="no_host_ports",
        title="No host ports",
        severity=Severity.HIGH,
        target=_K8S,
        scope=Scope.CONTAINER,
        rationale="A hostPort binds the node's interface, bypasses network policies and "
        "limits scheduling to one pod per node.",
        remediation="Remove ports[].hostPort; expose the pod through a Service.",
        message="must not set ports[].hostPort",
        rego=('some p in object.get(c, "ports", [])\n  object.get(p, "hostPort", 0) != 0',),
        cel="c.?ports.orValue([]).all(p, p.?hostPort.orValue(0) == 0)",
    ),
    Policy(
        id="ZW-K8S-014",
        slug="seccomp_runtime_default",
        title="Seccomp profile is RuntimeDefault",
        severity=Severity.MEDIUM,
        target=_K8S,
        scope=Scope.CONTAINER,
        rationale="Without a seccomp profile every syscall reaches the kernel; RuntimeDefault "
        "blocks the ones containers never need.",
        remediation="Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or "
        "Localhost with a reviewed profile).",
        message="must run with seccompProfile RuntimeDefault or Localhost",
        rego=('not sc_get(c, ["seccompProfile", "type"], "") in {"RuntimeDefault", "Localhost"}',),
        cel=f"{_sc('seccompProfile.?type', chr(39) * 2)} in ['RuntimeDefault', 'Localhost']",
    ),
    Policy(
        id="ZW-K8S-015",
        slug="allowed_capabilities",
        title="Only allowed capabilities are added",
        severity=Severity.HIGH,
        target=_K8S,
        scope=Scope.CONTAINER,
        rationale="Dropping ALL means nothing if NET_ADMIN or SYS_PTRACE is added back: "
        "those reconfigure the node's network or read other processes' memory.",
        remediation="Remove securityContext.capabilities.add entries outside the allowed list "
        "(default NET_BIND_SERVICE); bind ports above 1024 instead where possible.",
        message="must add only allowed capabilities in securityContext.capabilities.add",
        rego=(
            'some cap in object.get(c, ["securityContext", "capabilities", "add"], [])\n'
            "  not capability_name(cap) in allowed_capabilities",
        ),
        cel="c.?securityContext.?capabilities.?add.orValue([]).all(cap,"
        " (cap.upperAscii().startsWith('CAP_') ? cap.upperAscii().substring(4)"
        " : cap.upperAscii()) in $allowed_capabilities)",
    ),
    Policy(
        id="ZW-DF-001",
        slug="base_image_pinned",
        title="Base images are pinned",
        severity=Severity.HIGH,
        target=_DF,
        scope=Scope.INSTRUCTION,
        rationale="An unpinned base image makes builds unreproducible and pulls whatever "
        "`latest` is today.",
        remediation="Use FROM registry/image:version (or @sha256:digest).",
        message="base image must be pinned to a version tag other than latest or a digest",
        rego=("some cmd in external_from\n  not image_pinned(cmd.Value[0])",),
    ),
    Policy(
        id="ZW-DF-002",
        slug="base_image_registry",
        title="Base images come from the catalog's registries",
        severity=Severity.HIGH,
        target=_DF,
        scope=Scope.INSTRUCTION,
        rationale="Base images from arbitrary registries bypass the platform's scanning and "
        "mirroring.",
        remediation="Pull base images through one of the catalog's registries.",
        message="base image must come from an allowed registry",
        rego=(
            "some cmd in external_from\n  count(registries) > 0\n  not image_allowed(cmd.Value[0])",
        ),
    ),
    Policy(
        id="ZW-DF-003",
        slug="non_root_user",
        title="The image runs as a non-root USER",
        severity=Severity.HIGH,
        target=_DF,
        scope=Scope.INSTRUCTION,
        rationale="Without a USER instruction the container runs as root unless every "
        "deployment overrides it.",
        remediation="End the final stage with USER <uid>:<gid> (non-zero, e.g. 65532:65532).",
        message="the final stage must switch to a non-root USER",
        rego=(
            "count(final_users) == 0\n  cmd := final_from",
            "count(final_users) > 0\n  cmd := final_users[count(final_users) - 1]\n"
            '  split(cmd.Value[0], ":")[0] in {"root", "0"}',
        ),
    ),
    Policy(
        id="ZW-DF-004",
        slug="multi_stage_build",
        title="Compiled services use a multi-stage build",
        severity=Severity.MEDIUM,
        target=_DF,
        scope=Scope.INSTRUCTION,
        rationale="Compilers and build caches in the runtime image add size and attack surface; "
        "build in one stage and copy the artefact into a minimal one.",
        remediation="Move the build into a `FROM ... AS builder` stage and COPY --from=builder "
        "only the artefact into the final stage.",
        message="compiles in the final stage; build in an earlier stage instead",
        rego=(
            'some cmd in final.Commands\n  cmd.Cmd == "run"\n'
            '  regex.match(build_tool_re, concat(" ", cmd.Value))',
        ),
    ),
)


def policy_by_id(policy_id: str) -> Policy | None:
    """The pack's policy with this id (case-insensitive), or None."""
    wanted = policy_id.upper()
    return next((p for p in PACK if p.id == wanted), None)
