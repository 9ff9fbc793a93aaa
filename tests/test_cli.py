"""The ``zwobs`` command itself: --version, ``python -m zwobs``, and a missing extra as a
one-line user error (exit 2) instead of a traceback.

The missing extra is simulated here by hiding its package (``sys.modules[name] = None``
makes Python refuse the import as if it were not installed); tests/packaging/ checks the
same against real installs without the extra."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from zwobs import cli
from zwobs.cli import main
from zwobs.render import generator_names
from zwobs.version import VERSION

REPO = Path(__file__).resolve().parents[1]
CATALOG = str(REPO / "examples" / "catalog.yaml")
CORE_OUTPUTS = ",".join(name for name in generator_names() if name != "dashboards")


def _without(monkeypatch: pytest.MonkeyPatch, package: str, *loaded: str) -> None:
    """Make ``package`` unimportable and forget the zwobs modules that imported it."""
    monkeypatch.setitem(sys.modules, package, None)
    for module in loaded:
        monkeypatch.delitem(sys.modules, module, raising=False)


def test_version_option_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"zwobs {VERSION}\n"


def test_python_dash_m_zwobs_is_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "zwobs", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, f"zwobs {VERSION}\n", "")


def test_no_command_is_a_usage_error_listing_the_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "the following arguments are required: COMMAND" in err
    assert "Traceback" not in err


_DASHBOARDS = ("zwobs.render.dashboards", "zwobs.render.grafana")


def test_render_without_the_render_extra_exits_2_naming_it_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _without(monkeypatch, "grafana_foundation_sdk", *_DASHBOARDS)
    out = tmp_path / "out"
    assert main(["render", CATALOG, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "error: rendering dashboards needs the render extra (grafana_foundation_sdk is not"
        " installed): pip install 'zwobs[render]'; without it: --only"
        f" {CORE_OUTPUTS}"
    ]
    assert not out.exists()


def test_render_check_without_the_render_extra_is_not_a_pass(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The committed tree is up to date, yet dashboards/ cannot be checked: exit 2, never 0.
    _without(monkeypatch, "grafana_foundation_sdk", *_DASHBOARDS)
    assert main(["render", CATALOG, "--out", str(REPO), "--check"]) == 2
    assert "pip install 'zwobs[render]'" in capsys.readouterr().err


def test_render_of_the_core_outputs_needs_no_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _without(monkeypatch, "grafana_foundation_sdk", *_DASHBOARDS)
    only = ["--only", CORE_OUTPUTS]
    assert main(["render", CATALOG, "--out", str(REPO), "--check", *only]) == 0
    assert capsys.readouterr().out.startswith("up to date: ")


def test_a_missing_extra_anywhere_in_a_command_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The safety net for any command whose part needs an absent extra (here a stand-in
    # command that imports zwobs.tracing.client with httpx hidden).
    _without(monkeypatch, "httpx", "zwobs.tracing.client")
    monkeypatch.setitem(
        cli._COMMANDS, "verify", lambda sub: importlib.import_module("zwobs.tracing.client")
    )
    assert main(["verify", "--help"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "zwobs: tracing httpx calls needs the tracing extra (httpx is not installed):"
        " pip install 'zwobs[tracing]'"
    ]
