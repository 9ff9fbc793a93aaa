"""Trivy is found, version-checked and run fail-closed; a mis-wired pack fails loudly.

The too-old, crashing and hanging binaries are FAKE shell stubs (data/stubs/): the real
Trivy cannot be made to do that on demand. The mis-wiring tests run the real Trivy.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.policies.conftest import DATA as POLICY_DATA
from zwobs.policies import CHECK_NAMESPACE
from zwobs.scan import ScanError, Trivy, find_trivy
from zwobs.scan.checks import load_checks, verify_evaluated
from zwobs.scan.report import parse_report
from zwobs.scan.resources import ResourceIndex

STUBS = Path(__file__).parent / "data" / "stubs"
MANIFESTS = POLICY_DATA / "manifests"


def test_missing_trivy_is_a_clear_error_naming_how_to_provide_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ZWOBS_TRIVY", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ScanError, match=r"Trivy not found.*--trivy PATH.*ZWOBS_TRIVY"):
        find_trivy()


def test_an_explicit_binary_that_does_not_exist_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(ScanError, match=r"--trivy.*not found"):
        find_trivy(str(tmp_path / "nope"))


def test_binary_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch, trivy: str) -> None:
    monkeypatch.setenv("ZWOBS_TRIVY", trivy)
    assert find_trivy() == str(Path(trivy).resolve())


def test_a_trivy_older_than_the_minimum_is_refused() -> None:
    with pytest.raises(ScanError, match=r"0\.40\.0 .* too old: zwobs needs >= 0\.50\.0"):
        Trivy.locate(str(STUBS / "trivy-too-old"))


def test_the_real_trivy_is_located_with_its_version(trivy: str) -> None:
    assert Trivy.locate(trivy).version >= (0, 50, 0)


def test_a_crashing_trivy_fails_closed_with_its_stderr_without_colour_codes() -> None:
    fake = Trivy.locate(str(STUBS / "trivy-crash"))
    with pytest.raises(ScanError) as raised:
        fake.scan("fs", str(MANIFESTS), scanners=("misconfig",))
    message = str(raised.value)
    assert "exit code 3 (failing closed)" in message
    assert "FATAL\tpanic: runtime error" in message
    assert "\x1b" not in message


def test_a_hanging_trivy_times_out_and_fails_closed() -> None:
    fake = Trivy.locate(str(STUBS / "trivy-hang"), timeout=0.5)
    with pytest.raises(ScanError, match=r"timed out after .* \(failing closed\)"):
        fake.scan("fs", str(MANIFESTS), scanners=("misconfig",))


def test_a_check_outside_the_namespace_is_refused_before_trivy_runs(tmp_path: Path) -> None:
    (tmp_path / "mine.rego").write_text(
        "# METADATA\n# custom:\n#   id: MY-001\n#   input:\n#     selector:\n"
        "#     - type: kubernetes\npackage user.mine\n"
    )
    with pytest.raises(ScanError, match=r"outside the check namespace 'zwobs'.*silently"):
        load_checks(tmp_path, CHECK_NAMESPACE)


def test_a_wrong_check_namespace_runs_nothing_in_trivy_and_zwobs_fails_loudly(
    trivy: str, pack_dir: Path
) -> None:
    # Reproduces the Trivy trap: the checks load, the namespace matches none of them,
    # Trivy evaluates nothing of the pack and still exits 0.
    checks = load_checks(pack_dir / "trivy" / "checks", CHECK_NAMESPACE)
    report = Trivy.locate(trivy).scan(
        "fs",
        str(MANIFESTS / "good"),
        scanners=("misconfig",),
        checks_dir=pack_dir / "trivy" / "checks",
        data_dir=pack_dir / "trivy" / "data",
        namespace="user",
    )
    parsed = parse_report(
        report, display_path=lambda t: t, index=ResourceIndex(MANIFESTS), custom_ids=set()
    )
    assert parsed.evaluated, "Trivy scanned the manifests with its built-in checks"
    with pytest.raises(
        ScanError,
        match=r"(?s)did not evaluate them.*ZW-K8S-001 \(zwobs.kubernetes.run_as_non_root\)",
    ):
        verify_evaluated(checks, parsed.evaluated)


def test_stubs_are_executable() -> None:
    assert all(os.access(stub, os.X_OK) for stub in STUBS.glob("trivy-*"))
