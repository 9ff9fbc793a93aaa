"""``zwobs render``: exit codes, the --check drift gate, formats, --only, quiet outside a TTY."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from zwobs.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "catalog.yaml")


def test_render_writes_then_check_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", EXAMPLE, "--out", str(tmp_path), "--only", "alerts"]) == 0
    assert "rendered 5 files" in capsys.readouterr().out
    assert (tmp_path / "alerts/_fleet.rules.yaml").exists()
    assert main(["render", EXAMPLE, "--out", str(tmp_path), "--only", "alerts", "--check"]) == 0
    assert capsys.readouterr().out == f"up to date: 5 files in {tmp_path}\n"


def test_check_exits_1_and_names_every_drifted_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["render", EXAMPLE, "--out", str(tmp_path), "--only", "alerts"])
    (tmp_path / "alerts/user-service.rules.yaml").write_text("edited\n")
    (tmp_path / "alerts/chat-service.test.yaml").unlink()
    (tmp_path / "alerts/gone-service.rules.yaml").write_text("stale\n")
    capsys.readouterr()
    code = main(["render", EXAMPLE, "--out", str(tmp_path), "--only", "alerts", "--check"])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.splitlines() == [
        f"{tmp_path}/alerts/chat-service.test.yaml: missing",
        f"{tmp_path}/alerts/gone-service.rules.yaml: stale",
        f"{tmp_path}/alerts/user-service.rules.yaml: differs",
    ]
    assert "3 file(s) differ from the catalog" in captured.err
    assert (tmp_path / "alerts/user-service.rules.yaml").read_text() == "edited\n"


def test_invalid_catalog_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("services:\n  - {name: a, team: t, tier: 1, slos: [{name: x, objective: 0}]}\n")
    out = tmp_path / "out"
    assert main(["render", str(bad), "--out", str(out)]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert "services[0].slos[0].objective: expected a percentage in (0, 100)" in err
    assert "Traceback" not in err


def test_unknown_output_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", EXAMPLE, "--out", str(tmp_path), "--only", "alertz"]) == 2
    assert "unknown output alertz" in capsys.readouterr().err


def test_unwritable_output_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["render", EXAMPLE, "--out", str(blocker), "--only", "alerts"]) == 2
    assert "error: cannot write" in capsys.readouterr().err


def test_prometheus_operator_format_writes_prometheusrule_objects(tmp_path: Path) -> None:
    args = ["render", EXAMPLE, "--out", str(tmp_path), "--only", "alerts"]
    assert main([*args, "--format", "prometheus-operator", "--namespace", "obs"]) == 0
    doc = yaml.safe_load((tmp_path / "alerts/_fleet.rules.yaml").read_text())
    assert (doc["kind"], doc["metadata"]["namespace"]) == ("PrometheusRule", "obs")
    assert not list((tmp_path / "alerts").glob("*.test.yaml"))


def test_progress_bar_only_when_asked_or_on_a_terminal(tmp_path: Path) -> None:
    catalog = tmp_path / "big.yaml"
    services = "\n".join(f"  - {{name: s{i}, team: t, tier: 1}}" for i in range(300))
    catalog.write_text(f"services:\n{services}\n")
    command = [sys.executable, "-m", "zwobs.cli", "render", str(catalog), "--only", "alerts"]
    quiet = subprocess.run(
        [*command, "--out", str(tmp_path / "a")], capture_output=True, text=True, check=True
    )
    assert quiet.stderr == ""
    shown = subprocess.run(
        [*command, "--out", str(tmp_path / "b"), "--progress", "always"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "alerts" in shown.stderr and "300/300" in shown.stderr


def test_layer_and_dashboards_flags_render_the_edge_rules_and_one_file_per_service(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        Path(EXAMPLE)
        .read_text()
        .replace("version: 1\n", "version: 1\ntopology: {location_labels: [region]}\n")
    )
    out = tmp_path / "edge"
    argv = ["render", str(catalog), "--out", str(out), "--layer", "edge"]
    assert main([*argv, "--dashboards", "per-service", "--only", "alerts,dashboards"]) == 0
    groups = yaml.safe_load((out / "alerts/_fleet.rules.yaml").read_text())["groups"]
    assert [g["name"] for g in groups] == ["zwobs-sli"]
    assert not list(out.glob("alerts/*.test.yaml"))
    assert (out / "dashboards/user-service.json").exists()
    assert main([*argv, "--only", "dashboards"]) == 0  # auto: templated with a topology
    assert sorted(p.name for p in (out / "dashboards").iterdir()) == [
        "fleet-overview.json",
        "service.json",
    ]
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--layer", "middle"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'middle'" in capsys.readouterr().err
