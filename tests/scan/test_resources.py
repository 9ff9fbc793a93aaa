"""A file line maps to the resource (kind, namespace, name, container, document) behind it."""

from __future__ import annotations

from pathlib import Path

from tests.policies.conftest import DATA
from zwobs.scan.model import Resource
from zwobs.scan.resources import ResourceIndex

MANIFESTS = DATA / "manifests"


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_line_in_helm_output_names_document_kind_namespace_name_and_container() -> None:
    path = MANIFESTS / "bad" / "helm-output.yaml"
    line = _line_of(path, "image: nginx:latest")
    resource = ResourceIndex(MANIFESTS).kubernetes("bad/helm-output.yaml", line)
    assert resource == Resource(
        kind="Deployment", name="shop-api", namespace="shop", container="root-latest", document=2
    )


def test_a_line_in_a_cronjob_init_container_names_the_init_container() -> None:
    path = MANIFESTS / "bad" / "batch.yaml"
    line = _line_of(path, "name: unpack")
    resource = ResourceIndex(MANIFESTS).kubernetes("bad/batch.yaml", line)
    assert resource is not None
    assert (resource.kind, resource.name, resource.container, resource.document) == (
        "CronJob",
        "report",
        "unpack",
        1,
    )


def test_a_pod_level_line_names_the_resource_without_a_container() -> None:
    path = MANIFESTS / "bad" / "helm-output.yaml"
    line = _line_of(path, "hostPID: true")
    resource = ResourceIndex(MANIFESTS).kubernetes("bad/helm-output.yaml", line)
    assert resource is not None
    assert (resource.key, resource.container, resource.document) == (
        "DaemonSet/kube-logging/shop-logs",
        "",
        3,
    )


def test_a_separator_or_source_comment_line_belongs_to_the_following_document() -> None:
    path = MANIFESTS / "bad" / "helm-output.yaml"
    line = _line_of(path, "# Source: shop/templates/daemonset.yaml")
    resource = ResourceIndex(MANIFESTS).kubernetes("bad/helm-output.yaml", line)
    assert resource is not None
    assert resource.name == "shop-logs"


def test_a_dockerfile_line_names_its_stage(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM golang:1.22 AS builder\nRUN go build\n\nFROM scratch\nCOPY --from=builder /a /a\n"
    )
    index = ResourceIndex(tmp_path)
    assert index.dockerfile("Dockerfile", 2) == Resource(kind="Stage", name="builder", document=1)
    assert index.dockerfile("Dockerfile", 5) == Resource(kind="Stage", name="scratch", document=2)


def test_a_file_that_is_not_yaml_yields_no_resource_instead_of_an_error(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("{{ .Values.broken }\n: : :\n")
    assert ResourceIndex(tmp_path).kubernetes("t.yaml", 1) is None
