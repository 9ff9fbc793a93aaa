"""examples/ci/github-actions.yaml: actionlint passes it, it runs the catalog's gates in the
seed's order, and its deploy-gate step, run as GitHub runs it against a real Prometheus,
holds on an inconclusive verdict and stops on a misconfigured gate."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.servers.actionlint import actionlint
from tests.servers.process import free_port
from tests.servers.prometheus import Prometheus, start_prometheus

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "examples" / "ci" / "github-actions.yaml"


def _workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    return loaded


def _steps(job: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = _workflow()["jobs"][job]["steps"]
    return steps


def _runs(job: str) -> str:
    return "\n".join(step.get("run", "") for step in _steps(job))


def test_actionlint_finds_nothing_in_the_workflow() -> None:
    assert actionlint(WORKFLOW) == []


def test_actionlint_does_catch_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    text = WORKFLOW.read_text().replace("steps.gate.outputs.verdict == '1'", "steps.gat.outputs")
    broken.write_text(text.replace("needs: build\n", "needs: buidl\n"))
    messages = [f["message"] for f in actionlint(broken)]
    assert any("buidl" in m for m in messages), messages
    assert any("gat" in m for m in messages), messages


def test_drift_check_and_policy_scan_with_sarif_upload_come_before_any_deploy() -> None:
    jobs = _workflow()["jobs"]
    assert 'zwobs render "$CATALOG" --out . --check' in _runs("test")
    assert "amtool check-config alertmanager/alertmanager.yml" in _runs("test")
    scan = _runs("scan")
    assert "zwobs scan examples" in scan and "--output sarif=zwobs.sarif" in scan
    (upload,) = [s for s in _steps("scan") if "upload-sarif" in s.get("uses", "")]
    assert upload["with"]["sarif_file"] == "zwobs.sarif" and upload["if"] == "always()"
    assert jobs["scan"]["permissions"]["security-events"] == "write"
    assert jobs["build"]["needs"] == ["test", "scan"] and jobs["deploy"]["needs"] == "build"


def test_deploy_runs_region_by_region_and_acts_on_each_gate_exit_code() -> None:
    deploy = _workflow()["jobs"]["deploy"]
    regions = [entry["region"] for entry in deploy["strategy"]["matrix"]["include"]]
    assert len(regions) >= 2 and deploy["strategy"]["max-parallel"] == 1
    by_name = {step.get("name", ""): step for step in deploy["steps"]}
    gate = next(step for step in deploy["steps"] if step.get("id") == "gate")
    assert '--catalog "$CATALOG"' in gate["run"] and "zwobs verify" in gate["run"]
    assert '--location "region=$REGION"' in gate["run"]  # judged on the region just deployed
    assert by_name["Promote green"]["if"] == "steps.gate.outputs.verdict == '0'"
    rollback = by_name["Roll back (the gate failed)"]
    hold = by_name["Hold (the gate could not decide)"]
    assert rollback["if"] == "steps.gate.outputs.verdict == '1'"
    assert "kubectl delete" in rollback["run"] and rollback["run"].rstrip().endswith("exit 1")
    assert hold["if"] == "steps.gate.outputs.verdict == '3'"
    assert "kubectl" not in hold["run"] and hold["run"].rstrip().endswith("exit 1")
    assert "loadtests/k6.js" in _runs("deploy")


@pytest.fixture
def empty_prometheus(tmp_path: Path) -> Iterator[Prometheus]:
    prometheus = start_prometheus(tmp_path / "prometheus")
    yield prometheus
    prometheus.stop()


def _run_gate_step(tmp_path: Path, prometheus_url: str) -> tuple[int, str, str]:
    """The gate step's script as GitHub runs it (bash -eo pipefail), with ``sleep`` a no-op."""
    gate = next(s for s in _steps("deploy") if s.get("id") == "gate")
    output = tmp_path / "github_output"
    output.write_text("")
    env = {
        **os.environ,
        "GITHUB_OUTPUT": str(output),
        "CATALOG": "examples/catalog.yaml",
        "SERVICE": "user-service",
        "VERSION": "v-not-deployed",
        "REGION": "eu-west",
        "PROMETHEUS_URL": prometheus_url,
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
    }
    script = "sleep() { :; }\n" + gate["run"]
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT, check=False,
    )  # fmt: skip
    return done.returncode, output.read_text(), done.stdout


@pytest.mark.integration
def test_the_gate_step_holds_a_version_prometheus_has_no_traffic_of(
    tmp_path: Path, empty_prometheus: Prometheus
) -> None:
    code, output, stdout = _run_gate_step(tmp_path, empty_prometheus.url)
    assert code == 0
    assert output == "verdict=3\n"
    assert stdout.count("INCONCLUSIVE") == 5  # five attempts, then the Hold step runs
    assert "limits from examples/catalog.yaml (service user-service):" in stdout


def test_a_misconfigured_gate_fails_the_step_instead_of_holding(tmp_path: Path) -> None:
    code, output, _ = _run_gate_step(tmp_path, f"127.0.0.1:{free_port()}")  # no scheme
    assert code == 2
    assert output == "verdict=2\n"
