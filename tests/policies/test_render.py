"""`zwobs render` output for policies: Trivy checks with metadata, parameters, admission
policies with bindings; byte-stable; the committed policies/ is up to date."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from cel_expr_python import cel
from cel_expr_python.ext.ext_optional import ExtOptional
from cel_expr_python.ext.ext_strings import ExtStrings

from tests.policies.conftest import PARAMS
from tests.servers.trivy import REPO
from zwobs.catalog import load_catalog
from zwobs.catalog.model import AlertThresholds, Catalog, Service
from zwobs.policies import PACK, PolicyParams, Scope, Severity, Target
from zwobs.render import RenderOptions
from zwobs.render.ownership import MANIFEST
from zwobs.render.policies import render_pack, render_policies


def test_render_is_byte_stable() -> None:
    assert render_pack(PARAMS) == render_pack(PARAMS)


def test_every_check_has_the_metadata_trivy_needs() -> None:
    files = render_pack(PARAMS)
    for policy in PACK:
        (rego,) = [v.decode() for k, v in files.items() if k.endswith(f"_{policy.slug}.rego")]
        assert rego.startswith("# METADATA\n")
        for line in (
            f"#   id: {policy.id}",
            f"#   avd_id: {policy.id}",
            f"#   severity: {policy.severity.value}",
            f"#     - type: {policy.target.value}",
            f"package {policy.package}",
        ):
            assert line in rego, (policy.id, line)


def test_parameters_come_from_the_catalog_and_its_services() -> None:
    service = Service(
        name="user-service",
        team="identity",
        tier=1,
        alerts=AlertThresholds(),
        registries=("registry.example.com/identity/",),
    )
    catalog = Catalog(
        services=(service,),
        registries=("registry.example.com/platform",),
        required_labels=("team", "owner"),
    )
    params = PolicyParams.from_catalog(catalog)
    assert params == PolicyParams(
        registries=("registry.example.com/identity", "registry.example.com/platform"),
        required_labels=("owner", "team"),
        teams=("identity",),
    )
    data = yaml.safe_load(
        render_policies(catalog, RenderOptions())["policies/trivy/data/zwobs_config.yaml"]
    )
    assert data == {"zwobs_config": params.as_data()}


def _admission(files: dict[str, bytes]) -> list[dict[str, Any]]:
    return [
        doc
        for path, content in sorted(files.items())
        if path.startswith("policies/admission/")
        for doc in yaml.safe_load_all(content)
    ]


def test_each_kubernetes_policy_has_an_admission_policy_and_binding() -> None:
    documents = _admission(render_pack(PARAMS))
    kinds = [d["kind"] for d in documents]
    count = sum(1 for p in PACK if p.target is Target.KUBERNETES)
    assert kinds.count("ValidatingAdmissionPolicy") == count
    assert kinds.count("ValidatingAdmissionPolicyBinding") == count
    for doc in documents:
        assert doc["apiVersion"] == "admissionregistration.k8s.io/v1"


def test_high_and_critical_policies_deny_and_the_others_warn_and_audit() -> None:
    by_id = {p.id: p for p in PACK}
    for doc in _admission(render_pack(PARAMS)):
        if doc["kind"] != "ValidatingAdmissionPolicyBinding":
            continue
        policy = by_id[doc["metadata"]["annotations"]["zwobs.io/policy-id"]]
        expected = ["Deny"] if policy.severity.rank >= Severity.HIGH.rank else ["Warn", "Audit"]
        assert doc["spec"]["validationActions"] == expected, policy.id


@pytest.mark.parametrize("field", ["expression", "messageExpression"])
def test_every_cel_expression_compiles(field: str) -> None:
    env = cel.NewEnv(
        variables={"object": cel.Type.DYN, "variables": cel.Type.DYN},
        extensions=[ExtOptional(), ExtStrings()],
    )
    for doc in _admission(render_pack(PARAMS)):
        if doc["kind"] != "ValidatingAdmissionPolicy":
            continue
        spec = doc["spec"]
        expressions = [v[field] for v in spec["validations"]]
        if field == "expression":
            expressions += [v["expression"] for v in spec["variables"]]
            expressions += [m["expression"] for m in spec.get("matchConditions", [])]
        for expression in expressions:
            env.compile(expression)


def test_the_committed_policies_match_the_example_catalog() -> None:
    files = render_policies(load_catalog([REPO / "examples" / "catalog.yaml"]), RenderOptions())
    committed = {
        p.relative_to(REPO).as_posix(): p.read_bytes()
        for p in (REPO / "policies").rglob("*")
        if p.is_file() and p.name != MANIFEST  # render's record of what it wrote
    }
    assert committed == files, "run `zwobs render examples/catalog.yaml --out .` and commit"


def test_committed_checks_live_where_zwobs_scan_finds_them() -> None:
    assert any(Path(REPO / "policies" / "trivy" / "checks").glob("*.rego"))


def test_container_policies_also_match_the_ephemeral_containers_subresource() -> None:
    # `kubectl debug` adds an ephemeral container through pods/ephemeralcontainers, which a
    # rule on `pods` alone never sees.
    by_id = {p.id: p for p in PACK}
    for doc in _admission(render_pack(PARAMS)):
        if doc["kind"] != "ValidatingAdmissionPolicy":
            continue
        policy = by_id[doc["metadata"]["annotations"]["zwobs.io/policy-id"]]
        resources = {
            r
            for rule in doc["spec"]["matchConstraints"]["resourceRules"]
            for r in rule["resources"]
        }
        assert ("pods/ephemeralcontainers" in resources) == (policy.scope is Scope.CONTAINER), (
            policy.id
        )


def test_the_catalogs_allowed_capabilities_reach_the_rendered_policy_data(tmp_path: Path) -> None:
    catalog_file = tmp_path / "catalog.yaml"
    catalog_file.write_text(
        "allowed_capabilities: [NET_BIND_SERVICE, cap_net_raw]\n"
        "services:\n  - {name: a, team: t, tier: 1}\n"
    )
    files = render_policies(load_catalog([catalog_file]), RenderOptions())
    data = yaml.safe_load(files["policies/trivy/data/zwobs_config.yaml"])
    assert data["zwobs_config"]["allowed_capabilities"] == ["NET_BIND_SERVICE", "NET_RAW"]
