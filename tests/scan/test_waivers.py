"""Waivers hide findings until they expire; expired and unused waivers are reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.scan.findings import misconfig
from zwobs.scan import GatePolicy, ScanError, Status, evaluate, load_waivers

TODAY = dt.date(2026, 6, 1)


def _write(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "waivers.yaml"
    file.write_text(text)
    return file


def test_an_active_waiver_hides_its_finding_from_the_gate(tmp_path: Path) -> None:
    waivers = load_waivers(
        _write(
            tmp_path,
            "waivers:\n"
            "  - id: ZW-K8S-001\n    resource: Deployment/prod/*\n    container: app\n"
            "    reason: legacy image, fixed in #42\n    owner: team-identity\n"
            "    expires: 2026-06-01\n",
        )
    )
    result = evaluate([misconfig()], GatePolicy(), waivers=waivers, today=TODAY)
    assert result.passed
    assert result.assessed[0].status is Status.WAIVED
    assert result.assessed[0].waiver is not None
    assert result.assessed[0].waiver.owner == "team-identity"
    assert not result.unused_waivers and not result.expired_waivers


def test_an_expired_waiver_stops_hiding_and_is_reported(tmp_path: Path) -> None:
    waivers = load_waivers(
        _write(
            tmp_path,
            "waivers:\n  - id: ZW-K8S-001\n    path: deploy/*.yaml\n    reason: r\n"
            "    owner: o\n    expires: 2026-05-31\n",
        )
    )
    result = evaluate([misconfig()], GatePolicy(), waivers=waivers, today=TODAY)
    assert not result.passed
    assert result.assessed[0].status is Status.FAIL
    assert result.assessed[0].expired_waiver == waivers[0]
    assert result.expired_waivers == (waivers[0],)
    assert waivers[0].source.endswith("waivers.yaml:2")


def test_a_waiver_that_matched_nothing_is_reported_as_unused(tmp_path: Path) -> None:
    waivers = load_waivers(
        _write(
            tmp_path,
            "waivers:\n  - id: KSV018\n    path: other/*.yaml\n    reason: r\n"
            "    owner: o\n    expires: 2027-01-01\n",
        )
    )
    result = evaluate([misconfig()], GatePolicy(), waivers=waivers, today=TODAY)
    assert result.unused_waivers == (waivers[0],)


def test_a_waiver_in_an_old_id_spelling_matches_the_normalised_finding(tmp_path: Path) -> None:
    waivers = load_waivers(
        _write(
            tmp_path,
            "waivers:\n  - id: AVD-KSV-0018\n    path: deploy/app.yaml\n    reason: r\n"
            "    owner: o\n    expires: 2027-01-01\n",
        )
    )
    result = evaluate([misconfig("KSV-0018")], GatePolicy(), waivers=waivers, today=TODAY)
    assert result.assessed[0].status is Status.WAIVED


def test_a_waiver_only_matches_the_named_resource(tmp_path: Path) -> None:
    waivers = load_waivers(
        _write(
            tmp_path,
            "waivers:\n  - id: ZW-K8S-001\n    resource: Deployment/prod/web\n    reason: r\n"
            "    owner: o\n    expires: 2027-01-01\n",
        )
    )
    findings = [misconfig(), misconfig(name="api", line=30)]
    statuses = [a.status for a in evaluate(findings, GatePolicy(), waivers=waivers).assessed]
    assert statuses == [Status.WAIVED, Status.FAIL]


def test_every_problem_of_a_waiver_file_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    file = _write(
        tmp_path,
        "waivers:\n"
        "  - id: ZW-K8S-001\n    reason: r\n    owner: o\n    expires: 2027-01-01\n"
        "  - id: KSV018\n    path: a.yaml\n    expires: soon\n    reason: r\n    owner: o\n"
        "  - id: KSV018\n    path: a.yaml\n    colour: red\n",
    )
    with pytest.raises(ScanError) as raised:
        load_waivers(file)
    message = str(raised.value)
    assert f"{file}:2: needs path and/or resource" in message
    assert f"{file}:6: expires: expected a date YYYY-MM-DD, got 'soon'" in message
    assert f"{file}:11: unknown field(s) colour" in message
    assert f"{file}:11: missing reason, owner, expires" in message


def test_a_waiver_file_without_a_waivers_list_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ScanError, match="expected a top-level `waivers:` list"):
        load_waivers(_write(tmp_path, "- id: x\n"))
