"""Table, JSON, SARIF 2.1.0 and JUnit output of a real scan of the fixtures."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from tests.scan.conftest import DATA, TODAY
from tests.scan.findings import misconfig
from zwobs.policies import PACK
from zwobs.scan import GatePolicy, ScanOutcome, Status, evaluate, render
from zwobs.scan.sarif import FINGERPRINT_KEY
from zwobs.scan.waivers import Waiver

SCHEMA = json.loads((DATA / "sarif-2.1.0-subset.schema.json").read_text())


def test_the_fixture_scan_fails_the_default_gate_and_runs_the_pack(
    fixture_outcome: ScanOutcome,
) -> None:
    assert not fixture_outcome.gate.passed
    assert fixture_outcome.custom_checks == len(PACK)
    assert fixture_outcome.evaluations_proven > 0


@pytest.mark.parametrize("fmt", ["table", "json", "sarif", "junit"])
def test_no_output_format_contains_ansi_escape_codes(
    fixture_outcome: ScanOutcome, fmt: str
) -> None:
    assert "\x1b" not in render(fixture_outcome, fmt)


def test_table_rows_name_file_line_resource_and_container(fixture_outcome: ScanOutcome) -> None:
    table = render(fixture_outcome, "table")
    row = next(line for line in table.splitlines() if "ZW-K8S-002" in line and "fetch" in line)
    assert "bad/batch.yaml:" in row
    assert "CronJob/identity/report container=fetch (doc 1)" in row
    assert table.rstrip().splitlines()[-1].startswith("gate (fail on HIGH and above): FAILED")


def test_dockerfile_findings_name_their_stage(fixture_outcome: ScanOutcome) -> None:
    stage = next(
        a.finding
        for a in fixture_outcome.gate.assessed
        if a.finding.check_id == "ZW-DF-001" and a.finding.path.endswith("app.Dockerfile")
    )
    assert stage.resource is not None
    assert (stage.resource.kind, stage.resource.name, stage.start_line) == ("Stage", "base", 1)


def test_the_dockerfile_pack_flags_each_rule_on_the_bad_dockerfiles(
    fixture_outcome: ScanOutcome,
) -> None:
    found = {
        (a.finding.check_id, a.finding.path.rsplit("/", 1)[-1])
        for a in fixture_outcome.gate.assessed
        if a.finding.check_id.startswith("ZW-DF")
    }
    assert found == {
        ("ZW-DF-001", "Dockerfile"),  # FROM golang (untagged)
        ("ZW-DF-002", "Dockerfile"),  # not an allowed registry
        ("ZW-DF-003", "Dockerfile"),  # USER root
        ("ZW-DF-004", "Dockerfile"),  # go build in the only stage
        ("ZW-DF-001", "app.Dockerfile"),  # :latest base
        ("ZW-DF-003", "app.Dockerfile"),  # no USER in the final stage
    }
    assert not [
        a for a in fixture_outcome.gate.assessed if a.finding.custom and "/good/" in a.finding.path
    ]


def test_json_output_carries_resource_gate_and_counts(fixture_outcome: ScanOutcome) -> None:
    document = json.loads(render(fixture_outcome, "json"))
    assert document["gate"]["passed"] is False
    assert document["gate"]["failing_severities"][0] in {"CRITICAL", "HIGH"}
    finding = next(f for f in document["findings"] if f["id"] == "ZW-K8S-013")
    assert finding["resource"] == {
        "kind": "Deployment",
        "namespace": "shop",
        "name": "shop-api",
        "container": "root-latest",
        "document": 2,
    }
    assert finding["start_line"] and finding["status"] == "fail"
    total = sum(c["total"] for c in document["counts"].values())
    assert total == len(document["findings"])


def test_sarif_is_valid_against_the_sarif_2_1_0_schema(fixture_outcome: ScanOutcome) -> None:
    jsonschema.validate(json.loads(render(fixture_outcome, "sarif")), SCHEMA)


def test_sarif_levels_follow_the_gate(fixture_outcome: ScanOutcome) -> None:
    sarif = json.loads(render(fixture_outcome, "sarif"))
    results = sarif["runs"][0]["results"]
    errors = sum(1 for r in results if r["level"] == "error")
    assert errors == sum(1 for a in fixture_outcome.gate.assessed if a.status is Status.FAIL)
    for result in results:
        assert (result["level"] == "error") == (result["properties"]["gateStatus"] == "fail")
        rule = sarif["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]


def test_sarif_partial_fingerprints_are_stable_and_unique(fixture_outcome: ScanOutcome) -> None:
    first = json.loads(render(fixture_outcome, "sarif"))["runs"][0]["results"]
    again = json.loads(render(fixture_outcome, "sarif"))["runs"][0]["results"]
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in first]
    assert prints == [r["partialFingerprints"][FINGERPRINT_KEY] for r in again]
    assert len(set(prints)) == len(prints)


def test_sarif_marks_waived_findings_as_suppressed_with_owner_and_expiry() -> None:
    import datetime as dt

    waiver = Waiver(
        id="ZW-K8S-001",
        reason="until #42",
        owner="team-identity",
        expires=dt.date(2026, 12, 31),
        path="deploy/*",
    )
    result = evaluate([misconfig()], GatePolicy(), waivers=[waiver], today=TODAY)
    sarif = json.loads(render(ScanOutcome(gate=result), "sarif"))
    jsonschema.validate(sarif, SCHEMA)
    entry = sarif["runs"][0]["results"][0]
    assert entry["level"] == "warning"
    assert entry["suppressions"] == [
        {"kind": "external", "justification": "waived by team-identity until 2026-12-31: until #42"}
    ]


def test_junit_has_one_failure_per_gating_finding_plus_the_gate(
    fixture_outcome: ScanOutcome,
) -> None:
    root = ET.fromstring(render(fixture_outcome, "junit"))
    failing = sum(1 for a in fixture_outcome.gate.assessed if a.status is Status.FAIL)
    assert len(root.findall(".//failure")) == failing + 1
    assert root.get("failures") == str(failing + 1)
    gate = root.find("./testsuite[@name='zwobs gate']/testcase/failure")
    assert gate is not None and "HIGH" in (gate.get("message") or "")
