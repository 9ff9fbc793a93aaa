"""``zwobs validate`` and ``zwobs catalog schema`` exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.catalog.test_loader import ISSUE_EXAMPLE
from zwobs.catalog import json_schema
from zwobs.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_validate_ok_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT / "examples" / "catalog.yaml")]) == 0
    assert capsys.readouterr().out == "ok: 2 services, 3 SLOs\n"


def test_validate_strict_exits_1_on_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(ISSUE_EXAMPLE)  # no runbook configured
    assert main(["validate", str(path)]) == 0
    assert main(["validate", "--strict", str(path)]) == 1
    assert "has no runbook_url" in capsys.readouterr().err


def test_validate_invalid_catalog_exits_2_listing_problems_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("services:\n  - {name: a, team: t, tier: 9, colour: red}\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2:33: services[0].colour: unknown key" in err
    assert f"{path}:2:30: services[0].tier: expected an integer tier" in err
    assert err.endswith("2 problems in the catalog\n")
    assert "Traceback" not in err


def test_catalog_schema_prints_the_json_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catalog", "schema"]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == json_schema()
    out = tmp_path / "schema.json"
    assert main(["catalog", "schema", "--out", str(out)]) == 0
    assert out.read_text() == printed


def test_validate_a_control_character_exits_2_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("services:\n  - name: a\x01b\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2:12: invalid YAML: control characters are not allowed" in err
    assert "Traceback" not in err


def test_catalog_schema_out_creates_a_missing_directory(tmp_path: Path) -> None:
    out = tmp_path / "new" / "dir" / "schema.json"
    assert main(["catalog", "schema", "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == json_schema()


def test_catalog_schema_out_that_cannot_be_written_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    out = blocker / "schema.json"
    assert main(["catalog", "schema", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot write {out}: ")
    assert "Traceback" not in err


def test_control_characters_from_the_catalog_are_escaped_never_echoed_raw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        'teams:\n  "ops\\nERROR: forged line\\u001b[2J": {labels: {team: x}}\n'
        'services:\n  - {name: a, team: "dev\\rX", tier: 1}\n'
    )
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\r" not in err
    lines = err.splitlines()
    assert len(lines) == 3, lines  # two problems and the count: no line split by the keys
    assert "teams.ops\\nERROR: forged line\\x1b[2J: expected" in err
