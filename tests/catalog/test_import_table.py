"""Every Sloth prometheus/v1 example shape and the OpenSLO v1 shapes through validate, render
and the real promtool: accepted (rules check, generated tests pass) or refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalog.shapes import OPENSLO_CASES, SLOTH_CASES, Case
from tests.render.rule_files import promtool_check, promtool_test, write_alerts
from zwobs.catalog import load_catalog
from zwobs.cli import main


def _write(case: Case, directory: Path) -> list[str]:
    paths = []
    for name, text in case.files.items():
        (directory / name).write_text(text)
        paths.append(str(directory / name))
    return paths


@pytest.mark.parametrize("case", SLOTH_CASES + OPENSLO_CASES, ids=lambda c: c.name)
def test_import_shape_validates_renders_and_passes_promtool(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _write(case, tmp_path)
    code = main(["validate", *paths])
    out, err = capsys.readouterr()
    if case.refused:
        assert code == 2, out
        for needle in case.refused:
            assert needle in err
        assert "Traceback" not in err
        return
    assert code == 0, err
    assert out == f"ok: {case.services} services, {case.slos} SLOs\n"
    for needle in case.warnings:
        assert needle in err
    assert main(["validate", "--strict", *paths]) == (1 if case.warnings else 0)
    capsys.readouterr()
    files = write_alerts(load_catalog(paths), tmp_path / "out")
    tests = sorted(path for path in files if path.endswith(".test.yaml"))
    assert tests == [f"alerts/{name}.test.yaml" for name in sorted(case.tested)]
    for name in case.no_alert_rules:
        assert b"alert:" not in files[f"alerts/{name}.rules.yaml"]
    checked = promtool_check(tmp_path / "out" / "alerts")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    if tests:
        tested = promtool_test(tmp_path / "out" / "alerts")
        assert tested.returncode == 0, tested.stdout + tested.stderr
        assert tested.stdout.count("SUCCESS") == len(tests)
