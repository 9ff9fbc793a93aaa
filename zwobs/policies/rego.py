"""Compile a policy into a Trivy custom check (Rego with the ``# METADATA`` block).

Each check is self-contained (its helpers are inlined) so a single file can be
copied into another pack. Parameters come from ``data.zwobs_config``, which
`zwobs render` writes next to the checks.
"""

from __future__ import annotations

import json

from .model import TEMPLATED_KINDS, Policy, Scope, Target
from .pack import BUILD_TOOL_RE, IMAGE_DIGEST_RE, IMAGE_TAG_RE
from .params import DEFAULT_ALLOWED_CAPABILITIES

__all__ = ["CHECK_NAMESPACE", "DATA_KEY", "compile_rego"]

CHECK_NAMESPACE = "zwobs"
"""The namespace `trivy --check-namespaces` must name for the pack to run."""

DATA_KEY = "zwobs_config"

_TEMPLATED = ", ".join(json.dumps(k) for k in TEMPLATED_KINDS)
"""Kinds whose pod spec sits at ``spec.template.spec``."""

_PARAMS = f"""\
default registries := []

registries := data.{DATA_KEY}.registries

default required_labels := []

required_labels := data.{DATA_KEY}.required_labels

default teams := []

teams := data.{DATA_KEY}.teams

default allowed_capabilities := {json.dumps(list(DEFAULT_ALLOWED_CAPABILITIES))}

allowed_capabilities := data.{DATA_KEY}.allowed_capabilities

image_pinned(image) if regex.match({json.dumps(IMAGE_DIGEST_RE)}, image)

image_pinned(image) if {{
  regex.match({json.dumps(IMAGE_TAG_RE)}, image)
  not endswith(image, ":latest")
}}

image_allowed(image) if {{
  some r in registries
  startswith(image, concat("", [r, "/"]))
}}
"""

_K8S_LIB = f"""\
pod_spec := input.spec if input.kind == "Pod"

pod_spec := input.spec.jobTemplate.spec.template.spec if input.kind == "CronJob"

pod_spec := input.template.spec if input.kind == "PodTemplate"

pod_spec := input.spec.template.spec if input.kind in {{
  {_TEMPLATED},
}}

job_owned if {{
  some o in object.get(input.metadata, "ownerReferences", [])
  o.kind == "Job"
}}

app_containers contains c if {{
  some c in object.get(pod_spec, "containers", [])
}}

pod_containers contains c if {{
  some c in app_containers
}}

pod_containers contains c if {{
  some c in object.get(pod_spec, "initContainers", [])
}}

containers contains c if {{
  some c in pod_containers
}}

containers contains c if {{
  some c in object.get(pod_spec, "ephemeralContainers", [])
}}

label_sets := [object.get(input.metadata, "labels", {{}})] if input.kind == "Pod"

label_sets := [
  object.get(input.metadata, "labels", {{}}),
  object.get(input.spec.jobTemplate, ["metadata", "labels"], {{}}),
  object.get(input.spec.jobTemplate.spec.template, ["metadata", "labels"], {{}}),
] if input.kind == "CronJob"

label_sets := [
  object.get(input.metadata, "labels", {{}}),
  object.get(input.template, ["metadata", "labels"], {{}}),
] if input.kind == "PodTemplate"

label_sets := [
  object.get(input.metadata, "labels", {{}}),
  object.get(input.spec.template, ["metadata", "labels"], {{}}),
] if input.kind in {{{_TEMPLATED}}}

sc_get(c, path, default_value) := v if {{
  v := object.get(c, array.concat(["securityContext"], path), null)
  v != null
}} else := v if {{
  v := object.get(pod_spec, array.concat(["securityContext"], path), null)
  v != null
}} else := default_value

capability_name(cap) := trim_prefix(upper(cap), "CAP_")

resource_name := name if {{
  ns := object.get(input.metadata, "namespace", "")
  ns != ""
  name := sprintf("%s/%s", [ns, object.get(input.metadata, "name", "")])
}} else := object.get(input.metadata, "name", "")
"""

_DOCKERFILE_LIB = f"""\
stages := input.Stages

final := stages[count(stages) - 1]

final_from := cmd if {{
  some cmd in final.Commands
  cmd.Cmd == "from"
}}

final_users := [cmd | some cmd in final.Commands; cmd.Cmd == "user"]

earlier_alias(image, i) if {{
  some j, s in stages
  j < i
  some cmd in s.Commands
  cmd.Cmd == "from"
  count(cmd.Value) >= 3
  lower(cmd.Value[2]) == lower(image)
}}

external_from contains cmd if {{
  some i, s in stages
  some cmd in s.Commands
  cmd.Cmd == "from"
  lower(cmd.Value[0]) != "scratch"
  not earlier_alias(cmd.Value[0], i)
}}

build_tool_re := {json.dumps(BUILD_TOOL_RE)}
"""


def _metadata(policy: Policy) -> str:
    lines = [
        "# METADATA",
        f"# title: {json.dumps(policy.title)}",
        f"# description: {json.dumps(policy.rationale)}",
        "# scope: package",
        "# custom:",
        f"#   id: {policy.id}",
        f"#   avd_id: {policy.id}",
        f"#   severity: {policy.severity.value}",
        f"#   short_code: {policy.slug.replace('_', '-')}",
        f"#   recommended_action: {json.dumps(policy.remediation)}",
        "#   input:",
        "#     selector:",
        f"#     - type: {policy.target.value}",
    ]
    return "\n".join(lines) + "\n"


def _deny(policy: Policy, body: str) -> str:
    msg = json.dumps(policy.message)
    kinds = ", ".join(json.dumps(k) for k in policy.kinds)
    if policy.target is Target.DOCKERFILE:
        head = ""
        result = f'res := result.new(sprintf("%s: %s", [cmd.Original, {msg}]), cmd)'
    elif policy.scope is Scope.RESOURCE:
        head = f"input.kind in {{{kinds}}}\n  "
        result = (
            'res := result.new(sprintf("%s %s %s", '
            f"[input.kind, resource_name, {msg}]), input.metadata)"
        )
    else:
        source = {
            Scope.APP_CONTAINER: "app_containers",
            Scope.POD_CONTAINER: "pod_containers",
        }.get(policy.scope, "containers")
        head = f"input.kind in {{{kinds}}}\n  "
        if policy.scope is Scope.APP_CONTAINER:
            head += "not job_owned\n  "
        head += f"some c in {source}\n  "
        result = (
            'res := result.new(sprintf("%s %s: container %q %s", '
            f"[input.kind, resource_name, c.name, {msg}]), c)"
        )
    return f"deny contains res if {{\n  {head}{body}\n  {result}\n}}\n"


def compile_rego(policy: Policy) -> str:
    """The Trivy check for ``policy``: metadata, package, helpers and one deny rule per
    alternative violation condition."""
    lib = _K8S_LIB if policy.target is Target.KUBERNETES else _DOCKERFILE_LIB
    parts = [
        _metadata(policy),
        f"package {policy.package}\n",
        "import rego.v1\n",
        f"# Generated by `zwobs render` from the zwobs policy pack ({policy.id}): do not edit.\n",
        _PARAMS,
        lib,
        *(_deny(policy, body) for body in policy.rego),
    ]
    return "\n".join(parts)
