"""A baseline accepts today's findings; only new ones fail, even after lines shift."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.policies.conftest import DATA as POLICY_DATA
from tests.policies.conftest import PARAMS
from tests.scan.conftest import TODAY
from tests.scan.findings import misconfig
from zwobs.scan import ScanError, ScanOptions, Status, load_baseline, run_scan, write_baseline


def test_fingerprints_leave_out_lines() -> None:
    assert misconfig(line=10).fingerprint == misconfig(line=99).fingerprint
    assert misconfig(container="app").fingerprint != misconfig(container="sidecar").fingerprint


def test_baseline_survives_line_shifts_and_fails_only_on_new_findings(
    tmp_path: Path, trivy: str
) -> None:
    root = tmp_path / "deploy"
    root.mkdir()
    manifest = root / "batch.yaml"
    shutil.copy(POLICY_DATA / "manifests" / "bad" / "batch.yaml", manifest)
    baseline = tmp_path / "baseline.json"
    outcome = run_scan(
        ScanOptions(paths=(root,), params=PARAMS, trivy=trivy, vulnerabilities=False, today=TODAY)
    )
    assert not outcome.gate.passed
    write_baseline(baseline, [a.finding for a in outcome.gate.assessed])

    # Shift every line down and add one new violation (a privileged container in the Pod).
    text = manifest.read_text()
    shifted = ("# moved by a refactoring\n# two more lines\n\n" + text).replace(
        "  containers:\n    - name: shell\n",
        "  containers:\n    - name: rogue\n      image: ghcr.io/zeroworld/debug:1.0.0\n"
        "      securityContext: {privileged: true, allowPrivilegeEscalation: false, "
        "readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}\n"
        "      resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {memory: 32Mi}}\n"
        "      livenessProbe: {exec: {command: [x]}}\n"
        "      readinessProbe: {exec: {command: [x]}}\n"
        "    - name: shell\n",
    )
    manifest.write_text(shifted)
    after = run_scan(
        ScanOptions(
            paths=(root,),
            params=PARAMS,
            trivy=trivy,
            vulnerabilities=False,
            baseline=baseline,
            today=TODAY,
        )
    )
    new = [a for a in after.gate.assessed if a.status is not Status.BASELINE]
    assert new, "the added container brings new findings"
    assert all(a.finding.resource and a.finding.resource.container == "rogue" for a in new)
    assert {a.finding.check_id for a in new if a.status is Status.FAIL} >= {"ZW-K8S-002"}
    baselined = [a for a in after.gate.assessed if a.status is Status.BASELINE]
    assert len(baselined) == len(outcome.gate.assessed)
    assert {a.finding.start_line for a in baselined} != {
        a.finding.start_line for a in outcome.gate.assessed
    }


def test_a_missing_baseline_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ScanError, match=r"cannot read baseline.*--write-baseline"):
        load_baseline(tmp_path / "none.json")


def test_a_file_that_is_not_a_baseline_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "b.json"
    file.write_text('{"something": 1}')
    with pytest.raises(ScanError, match="expected a zwobs baseline"):
        load_baseline(file)


@pytest.mark.parametrize("text", ["[1]", "null", '"findings"', "1"])
def test_json_that_is_not_an_object_is_refused(text: str, tmp_path: Path) -> None:
    file = tmp_path / "b.json"
    file.write_text(text)
    with pytest.raises(ScanError, match=re.escape(f"{file}: expected a zwobs baseline")):
        load_baseline(file)


def test_written_baseline_round_trips(tmp_path: Path) -> None:
    findings = [misconfig(), misconfig(container="sidecar")]
    assert write_baseline(tmp_path / "b.json", findings) == 2
    assert load_baseline(tmp_path / "b.json") == {f.fingerprint for f in findings}
