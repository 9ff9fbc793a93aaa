"""`zwobs scan` never passes an input it did not evaluate (issue 13, point 4).

Each case is a tree the real Trivy passed over silently (exit 0, PASSED) before the
inventory existed: the input must now be named with its line, and the scan must exit 2
(or 1 when findings fail the gate too). The "clean" manifest is the example service,
which passes the gate at every severity.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.scan.conftest import TODAY
from tests.servers.trivy import REPO
from zwobs.cli import main
from zwobs.scan import ScanOptions, run_scan

CLEAN = (REPO / "examples" / "k8s" / "user-service.yaml").read_text()
PRIVILEGED = """\
apiVersion: v1
kind: Pod
metadata:
  name: debug
  labels: {team: identity}
spec:
  containers:
    - name: shell
      image: registry.example.com/identity/debug:1.0.0
      securityContext:
        privileged: true
"""


def _scan(trivy: str, *argv: str) -> list[str]:
    return [
        "scan",
        *argv,
        "--policies",
        str(REPO / "policies"),
        "--trivy",
        trivy,
        "--no-vulns",
    ]


def _syntax_error(root: Path) -> str:
    (root / "pod.yaml").write_text(PRIVILEGED + "    bad: [unclosed\n")
    return "pod.yaml:12: invalid YAML"


def _broken_clean_neighbour(root: Path) -> str:
    (root / "clean.yaml").write_text(CLEAN)
    (root / "broken.yaml").write_text("kind: Pod\nmetadata: {name: [\n")
    return "broken.yaml:3: invalid YAML"


def _empty_file(root: Path) -> str:
    (root / "clean.yaml").write_text(CLEAN)
    (root / "empty.yaml").write_text("# nothing here yet\n")
    return "empty.yaml: empty: no YAML document to evaluate"


def _dangling_link(root: Path) -> str:
    (root / "clean.yaml").write_text(CLEAN)
    (root / "gone.yaml").symlink_to(root / "deleted.yaml")
    return "gone.yaml: cannot read: broken symbolic link"


def _fifo(root: Path) -> str:
    (root / "clean.yaml").write_text(CLEAN)
    os.mkfifo(root / "pipe.yaml")
    return "pipe.yaml: not a regular file"


def _not_utf8(root: Path) -> str:
    (root / "clean.yaml").write_text(CLEAN)
    (root / "latin1.yaml").write_bytes("metadata: {name: caf\xe9}\n".encode("latin-1"))
    return "latin1.yaml:1: not UTF-8 text"


def _nothing_found(root: Path) -> str:
    (root / "README.md").write_text("manifests go here\n")
    return "no Kubernetes manifest, Helm chart or Dockerfile found: nothing evaluated"


def _incomplete_workload(root: Path) -> str:
    (root / "clean.yaml").write_text(CLEAN)
    (root / "deploy.yaml").write_text(PRIVILEGED.replace("apiVersion: v1\n", ""))
    return "deploy.yaml:1: not a complete Kubernetes object (no apiVersion)"


@pytest.mark.parametrize(
    "make",
    [
        _syntax_error,
        _broken_clean_neighbour,
        _empty_file,
        _dangling_link,
        _fifo,
        _not_utf8,
        _nothing_found,
        _incomplete_workload,
    ],
)
def test_an_input_that_was_not_evaluated_is_named_and_exits_2(
    make: Callable[[Path], str],
    trivy: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = make(tmp_path)
    code = main(_scan(trivy, str(tmp_path), "--fail-on", "LOW"))
    out = capsys.readouterr().out
    assert code == 2, out
    assert "not evaluated: " in out and expected in out, out
    assert "input(s) not evaluated" in out.splitlines()[-1]
    assert "PASSED" not in out


def test_a_broken_second_document_does_not_hide_the_privileged_first_one(
    trivy: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Trivy drops the whole file when one document fails to parse, and exits 0.
    (tmp_path / "pod.yaml").write_text(PRIVILEGED + "---\nkind: Pod\nmetadata: {name: [\n")
    code = main(_scan(trivy, str(tmp_path / "pod.yaml"), "--format", "json"))
    report = json.loads(capsys.readouterr().out)
    assert code == 1  # findings fail the gate too
    privileged = [f for f in report["findings"] if f["id"] == "ZW-K8S-002"]
    assert [(f["start_line"], f["resource"]["name"]) for f in privileged] == [(8, "debug")]
    assert report["not_evaluated"] == [
        {
            "path": f"{tmp_path}/pod.yaml",
            "line": 15,  # where PyYAML met the end of the stream
            "reason": "invalid YAML: did not find expected node content",
        }
    ]
    assert report["gate"]["passed"] is False


def test_a_document_after_a_commented_separator_is_evaluated(
    trivy: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Trivy only splits on a bare `---`: the Pod after `--- # debug` was never evaluated.
    (tmp_path / "all.yaml").write_text(CLEAN + "--- # debug pod\n" + PRIVILEGED)
    code = main(_scan(trivy, str(tmp_path), "--format", "json"))
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    privileged = {(f["id"], f["start_line"]) for f in report["findings"] if f["custom"]}
    assert ("ZW-K8S-002", CLEAN.count("\n") + 9) in privileged
    assert report["not_evaluated"] == []


def test_a_symlinked_manifest_is_evaluated_not_skipped(
    trivy: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Trivy follows no symbolic link: a linked privileged Pod passed.
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "pod.yaml").write_text(PRIVILEGED)
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "pod.yaml").symlink_to(tmp_path / "real" / "pod.yaml")
    code = main(_scan(trivy, str(tmp_path / "deploy"), "--format", "json"))
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert "ZW-K8S-002" in {f["id"] for f in report["findings"]}


def test_sarif_and_junit_name_the_input_that_was_not_evaluated(
    trivy: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _broken_clean_neighbour(tmp_path)
    sarif, junit = tmp_path / "out.sarif", tmp_path / "out.xml"
    code = main(
        _scan(trivy, str(tmp_path), "--output", f"sarif={sarif}", "--output", f"junit={junit}")
    )
    capsys.readouterr()
    assert code == 2
    (invocation,) = json.loads(sarif.read_text())["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    location = note["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == f"{tmp_path}/broken.yaml"
    assert location["region"] == {"startLine": 3}
    root = ET.fromstring(junit.read_text())
    assert root.get("errors") == "1"
    (error,) = root.iter("error")
    assert error.get("type") == "not-evaluated"
    assert f"{tmp_path}/broken.yaml:3" in (error.text or "")


def test_yaml_that_is_not_kubernetes_is_listed_but_does_not_fail_the_gate(
    trivy: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "clean.yaml").write_text(CLEAN)
    (tmp_path / "values.yaml").write_text("replicas: 3\n")
    (tmp_path / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources: [clean.yaml]\n"
    )
    code = main(_scan(trivy, str(tmp_path)))
    out = capsys.readouterr().out
    assert code == 0, out
    assert "2 YAML/JSON file(s) hold no Kubernetes object" in out


_GARBAGE = st.lists(
    st.sampled_from([*"ab:-{}[]&*!|>'\"%@#,? \t\n", "k: v", "\n  x", "kind: Pod"]),
    min_size=1,
    max_size=12,
).map("".join)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    documents=st.lists(st.one_of(st.none(), _GARBAGE), min_size=1, max_size=5),
    separator=st.sampled_from(["---", "--- # next", "---  "]),
)
def test_no_privileged_pod_is_lost_whatever_surrounds_it(
    documents: list[str | None],
    separator: str,
    trivy: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # None stands for a privileged Pod, named after its position; the rest is noise that
    # may or may not parse. Every Pod must be reported by the real Trivy; the gate fails.
    root = tmp_path_factory.mktemp("property")
    texts = [
        PRIVILEGED.replace("name: debug", f"name: pod-{i}") if doc is None else doc
        for i, doc in enumerate(documents)
    ]
    (root / "all.yaml").write_text(f"\n{separator}\n".join(texts) + "\n")
    outcome = run_scan(
        ScanOptions(
            paths=(root,),
            policies=REPO / "policies",
            trivy=trivy,
            vulnerabilities=False,
            today=TODAY,
        )
    )
    reported = {
        a.finding.resource.name
        for a in outcome.gate.assessed
        if a.finding.check_id == "ZW-K8S-002" and a.finding.resource is not None
    }
    assert reported == {f"pod-{i}" for i, doc in enumerate(documents) if doc is None}
    assert not outcome.passed
