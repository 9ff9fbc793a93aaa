"""The repository's own example service (examples/Dockerfile, examples/k8s/) passes the gate
with the committed policies/ rendered from examples/catalog.yaml: even LOW findings, and
built-in Trivy checks included."""

from __future__ import annotations

import pytest

from tests.servers.trivy import REPO
from zwobs.cli import main
from zwobs.policies import PACK, Target


def test_examples_pass_the_gate_at_every_severity(
    trivy: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    code = main(["scan", "examples", "--trivy", trivy, "--no-vulns", "--fail-on", "LOW"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "findings: 0" in out
    # both manifests and the Dockerfile were checked by the whole pack
    kubernetes = sum(1 for p in PACK if p.target is Target.KUBERNETES)
    evaluations = 2 * kubernetes + len(PACK) - kubernetes
    assert f"zwobs pack: {len(PACK)} checks, {evaluations} evaluations verified (policies)" in out
