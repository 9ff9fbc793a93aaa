"""The gate reports everything and fails only on what the policy says, in one run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.scan.conftest import DATA
from tests.scan.findings import misconfig, vulnerability
from zwobs.scan import GatePolicy, ScanOptions, Severity, Status, evaluate, run_scan

TODAY = dt.date(2026, 6, 1)


def test_findings_at_or_above_the_threshold_fail_and_lower_ones_are_reported() -> None:
    result = evaluate(
        [misconfig("A-1", Severity.HIGH), misconfig("B-1", Severity.MEDIUM, line=20)],
        GatePolicy(fail_on=Severity.HIGH),
        today=TODAY,
    )
    assert not result.passed
    assert [(a.finding.check_id, a.status) for a in result.assessed] == [
        ("A-1", Status.FAIL),
        ("B-1", Status.WARN),
    ]
    assert result.reasons() == ["1 HIGH finding(s), 0 allowed"]


def test_per_severity_allowances_apply_in_the_same_run_as_the_threshold() -> None:
    findings = [misconfig(f"M-{i}", Severity.MEDIUM, line=i) for i in range(3)]
    findings.append(misconfig("C-1", Severity.CRITICAL))
    policy = GatePolicy(
        fail_on=Severity.MEDIUM, max_counts={Severity.MEDIUM: 3, Severity.CRITICAL: 0}
    )
    result = evaluate(findings, policy, today=TODAY)
    assert result.failing == (Severity.CRITICAL,)
    assert {a.status for a in result.assessed if a.finding.severity is Severity.MEDIUM} == {
        Status.WARN
    }
    over = evaluate([*findings, misconfig("M-9", Severity.MEDIUM)], policy, today=TODAY)
    assert over.failing == (Severity.CRITICAL, Severity.MEDIUM)
    assert over.reasons() == [
        "1 CRITICAL finding(s), 0 allowed",
        "4 MEDIUM finding(s), 3 allowed",
    ]


def test_an_allowance_can_let_findings_above_the_threshold_pass() -> None:
    policy = GatePolicy(fail_on=Severity.HIGH, max_counts={Severity.HIGH: 1})
    assert evaluate([misconfig()], policy, today=TODAY).passed


def test_counts_per_severity_include_suppressed_findings_in_totals_only() -> None:
    result = evaluate(
        [vulnerability("CVE-1", Severity.CRITICAL), vulnerability("CVE-2", Severity.CRITICAL, "2")],
        GatePolicy(ignore_unfixed=True),
        today=TODAY,
    )
    assert result.totals[Severity.CRITICAL] == 2
    assert result.counted[Severity.CRITICAL] == 1


def test_ignore_unfixed_on_a_recorded_trivy_vulnerability_report() -> None:
    # Recorded report: Trivy's vulnerability database cannot be downloaded here, so the
    # vulnerability handling is tested on a report recorded in Trivy's JSON format.
    report = DATA / "recorded" / "image-vulns.json"
    options = ScanOptions(reports=(report,), gate=GatePolicy(ignore_unfixed=True), today=TODAY)
    outcome = run_scan(options)
    statuses = {a.finding.check_id: a.status for a in outcome.gate.assessed}
    assert statuses["CVE-2024-0001"] is Status.FAIL  # CRITICAL with a fix
    assert statuses["CVE-2024-0002"] is Status.UNFIXED  # CRITICAL, no fix: reported, not gated
    assert statuses["CVE-2024-0003"] is Status.WARN  # MEDIUM
    assert statuses["KSV-0018"] is Status.WARN  # AVD-KSV-0018 in the report
    without = run_scan(ScanOptions(reports=(report,), today=TODAY))
    assert {a.finding.check_id for a in without.gate.assessed if a.status is Status.FAIL} == {
        "CVE-2024-0001",
        "CVE-2024-0002",
    }


def test_a_recorded_report_is_marked_as_not_verified_for_the_pack() -> None:
    report = DATA / "recorded" / "image-vulns.json"
    outcome = run_scan(ScanOptions(reports=(report,), today=TODAY))
    assert any("custom checks not verified" in note for note in outcome.notes)


def test_text_from_a_recorded_report_has_no_ansi_codes() -> None:
    outcome = run_scan(ScanOptions(reports=(DATA / "recorded" / "image-vulns.json",), today=TODAY))
    texts = [a.finding.title + a.finding.message for a in outcome.gate.assessed]
    assert texts and not any("\x1b" in t for t in texts)
    assert any("openssl: excessive time" in t for t in texts)


def test_vulnerability_findings_carry_package_and_fix(tmp_path: Path) -> None:
    outcome = run_scan(ScanOptions(reports=(DATA / "recorded" / "image-vulns.json",), today=TODAY))
    cve = next(a.finding for a in outcome.gate.assessed if a.finding.check_id == "CVE-2024-0001")
    assert (cve.package, cve.installed_version, cve.fixed_version) == (
        "openssl",
        "3.0.11-1~deb12u2",
        "3.0.13-1~deb12u1",
    )
    assert cve.resolution == "Upgrade openssl to 3.0.13-1~deb12u1."
