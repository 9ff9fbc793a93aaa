"""What ``run_scan`` asks Trivy for: the scanners follow the options."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.scan.conftest import TODAY
from zwobs.scan import ScanOptions, run_scan
from zwobs.scan.trivy import Trivy

IMAGE = "registry.example.com/identity/user-service:1.4.2"


@pytest.mark.parametrize(
    ("vulnerabilities", "scanners"), [(False, ("secret",)), (True, ("vuln", "secret"))]
)
def test_an_image_scan_runs_the_vulnerability_scanner_only_when_asked(
    vulnerabilities: bool,
    scanners: tuple[str, ...],
    trivy: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "trivy.db").write_bytes(b"")  # only its presence is checked
    monkeypatch.setenv("TRIVY_CACHE_DIR", str(tmp_path))
    calls: list[tuple[str, str, tuple[str, ...]]] = []

    def scan(
        self: Trivy, command: str, target: str, *, scanners: Sequence[str], **_: Any
    ) -> dict[str, Any]:
        calls.append((command, target, tuple(scanners)))
        return {"SchemaVersion": 2, "Results": []}

    monkeypatch.setattr(Trivy, "scan", scan)
    outcome = run_scan(
        ScanOptions(images=(IMAGE,), trivy=trivy, vulnerabilities=vulnerabilities, today=TODAY)
    )
    assert calls == [("image", IMAGE, scanners)]
    assert outcome.gate.passed
