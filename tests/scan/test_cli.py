"""`zwobs scan` exit codes: 0 pass, 1 findings over the gate, 2 usage or tool error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.policies.conftest import DATA as POLICY_DATA
from tests.scan.conftest import DATA
from zwobs.cli import main

BAD = POLICY_DATA / "manifests" / "bad"


def test_findings_over_the_gate_exit_1_and_every_output_is_written(
    trivy: str, pack_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sarif, junit = tmp_path / "out" / "scan.sarif", tmp_path / "out" / "scan.xml"
    code = main(
        [
            "scan",
            str(BAD),
            "--policies",
            str(pack_dir),
            "--trivy",
            trivy,
            "--no-vulns",
            "--format",
            "json",
            "--output",
            f"sarif={sarif}",
            "--output",
            f"junit={junit}",
        ]
    )
    assert code == 1
    assert json.loads(capsys.readouterr().out)["gate"]["passed"] is False
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert junit.read_text().startswith("<?xml")


def test_a_relaxed_gate_passes_the_same_findings_with_exit_0(
    trivy: str, pack_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "scan",
            str(BAD / "batch.yaml"),
            "--policies",
            str(pack_dir),
            "--trivy",
            trivy,
            "--no-vulns",
            "--fail-on",
            "CRITICAL",
            "--max",
            "CRITICAL=5",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "gate (fail on CRITICAL and above, allow CRITICAL<=5): PASSED" in out


def test_missing_trivy_exits_2_with_a_message_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["scan", str(BAD), "--trivy", str(tmp_path / "no-trivy")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("zwobs scan: error: Trivy binary from --trivy not found")
    assert "Traceback" not in err


def test_a_crashing_trivy_exits_2_never_0(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", str(BAD), "--trivy", str(DATA / "stubs" / "trivy-crash"), "--no-vulns"])
    assert code == 2
    assert "failing closed" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--max", "SEVERE=1"], "--max SEVERE=1: expected SEVERITY=N"),
        (["--output", "pdf=x.pdf"], "--output pdf=x.pdf: expected FORMAT=FILE"),
        (["--baseline", "/nonexistent/b.json"], "cannot read baseline"),
        (["--today", "tomorrow"], "--today tomorrow: expected YYYY-MM-DD"),
        (["--catalog", "/nonexistent/c.yaml"], "/nonexistent/c.yaml:1:1: cannot read the file"),
    ],
)
def test_bad_options_exit_2_with_a_clear_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["scan", "--from-json", str(DATA / "recorded" / "image-vulns.json"), *argv])
    assert code == 2
    assert message in capsys.readouterr().err


def test_nothing_to_scan_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan"]) == 2
    assert "nothing to scan" in capsys.readouterr().err


def test_write_baseline_then_scan_with_it_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = str(DATA / "recorded" / "image-vulns.json")
    baseline = tmp_path / "baseline.json"
    assert main(["scan", "--from-json", report, "--write-baseline", str(baseline)]) == 1
    assert main(["scan", "--from-json", report, "--baseline", str(baseline)]) == 0
    assert "status: baseline 4" in capsys.readouterr().out


def test_an_image_scan_without_a_vulnerability_database_exits_2(
    trivy: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # No Trivy database can be downloaded here: the image scan must refuse, not pass.
    monkeypatch.setenv("TRIVY_CACHE_DIR", str(tmp_path / "empty-cache"))
    code = main(
        ["scan", "--image", "registry.example.com/identity/user-service:1.4.2", "--trivy", trivy]
    )
    assert code == 2
    assert "no Trivy vulnerability database" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"waivers:\n  - id: KSV018\n    path: a.yaml\n    reason: r\n    owner: o\n"
            b"    expires: 2026-13-01\n",
            ": not valid YAML: month must be in 1..12",
        ),
        (b"waivers: [\xff]\n", ":1:11: cannot read waivers: expected UTF-8 text"),
        (
            b"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + b"".join(
                b"a%d: &a%d [%s]\n"
                % (i, i, b", ".join([b"*a" if i == 1 else b"*a%d" % (i - 1)] * 10))
                for i in range(1, 8)
            )
            + b"waivers: []\n",
            ":1:1: cannot read waivers: document expands to more than 1000000 nodes",
        ),
        (
            b"waivers: []\n" + b"#" * (4 * 1024 * 1024),
            ":1:1: cannot read waivers: file is larger than 4194304 bytes",
        ),
    ],
    ids=["invalid-date", "not-utf8", "alias-bomb", "too-large"],
)
def test_an_unloadable_waiver_file_exits_2_naming_the_file(
    content: bytes, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_bytes(content)
    report = str(DATA / "recorded" / "image-vulns.json")
    code = main(["scan", "--from-json", report, "--waivers", str(waivers)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"zwobs scan: error: {waivers}{message}" in err
    assert "Traceback" not in err


def test_a_baseline_that_is_a_json_list_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text("[1]")
    report = str(DATA / "recorded" / "image-vulns.json")
    code = main(["scan", "--from-json", report, "--baseline", str(baseline)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"zwobs scan: error: {baseline}: expected a zwobs baseline" in err


@pytest.mark.parametrize(
    ("report", "where"),
    [
        ({"SchemaVersion": 2, "Results": "none"}, "Results"),
        ({"SchemaVersion": 2, "Results": [7]}, "Results"),
        (
            {"SchemaVersion": 2, "Results": [{"Target": "a", "Vulnerabilities": {"x": 1}}]},
            "Results[0].Vulnerabilities",
        ),
    ],
)
def test_a_recorded_report_with_unreadable_results_exits_2_instead_of_passing(
    report: dict[str, object], where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: a Results value that is not a list was read as "no findings" and passed.
    file = tmp_path / "report.json"
    file.write_text(json.dumps(report))
    assert main(["scan", "--from-json", str(file)]) == 2
    err = capsys.readouterr().err
    assert f"{file}: not a Trivy JSON report: {where} is not a list of objects" in err
    assert "Traceback" not in err
