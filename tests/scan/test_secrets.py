"""Secrets found by the real Trivy are reported with file:line, and their value never is."""

from __future__ import annotations

import pytest

from tests.scan.conftest import TODAY
from zwobs.scan import Category, ScanOptions, ScanOutcome, Status, render, run_scan

# Built from pieces so no secret-looking string sits in the repository.
ACCESS_KEY = "AKIA" + "Z7Q3XW2P" + "LM4N8RT5"


@pytest.fixture(scope="module")
def secret_outcome(tmp_path_factory: pytest.TempPathFactory, trivy: str) -> ScanOutcome:
    root = tmp_path_factory.mktemp("secrets")
    (root / "app.env").write_text(f"# config\nREGION=eu-west-1\nAWS_ACCESS_KEY_ID={ACCESS_KEY}\n")
    return run_scan(ScanOptions(paths=(root,), trivy=trivy, vulnerabilities=False, today=TODAY))


def test_a_secret_finding_names_rule_file_and_line_and_fails_the_gate(
    secret_outcome: ScanOutcome,
) -> None:
    (secret,) = [a for a in secret_outcome.gate.assessed if a.finding.category is Category.SECRET]
    assert secret.finding.check_id == "aws-access-key-id"
    assert secret.finding.location.endswith("/app.env:3")
    assert secret.status is Status.FAIL


@pytest.mark.parametrize("fmt", ["table", "json", "sarif", "junit"])
def test_the_secret_value_appears_in_no_output_format(
    secret_outcome: ScanOutcome, fmt: str
) -> None:
    assert ACCESS_KEY not in render(secret_outcome, fmt)
