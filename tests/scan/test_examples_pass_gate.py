"""The repository's own example service (examples/Dockerfile, examples/k8s/) passes the gate
with the committed policies/ rendered from examples/catalog.yaml: even LOW findings, and
built-in Trivy checks included."""

from __future__ import annotations

import pytest

from tests.servers.trivy import REPO
from zwobs.cli import main


def test_examples_pass_the_gate_at_every_severity(
    trivy: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    code = main(["scan", "examples", "--trivy", trivy, "--no-vulns", "--fail-on", "LOW"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "findings: 0" in out
    # both manifests and the Dockerfile were checked by the whole pack (14 + 14 + 4)
    assert "zwobs pack: 18 checks, 32 evaluations verified (policies)" in out
