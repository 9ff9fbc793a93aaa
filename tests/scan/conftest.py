"""Shared fixtures of the scan tests: the Trivy binary and one real scan of the fixture tree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.policies.conftest import DATA as POLICY_DATA
from tests.policies.conftest import PARAMS, pack_dir
from tests.servers.trivy import trivy_binary
from zwobs.scan import ScanOptions, ScanOutcome, run_scan

DATA = Path(__file__).parent / "data"
FIXTURES = (POLICY_DATA / "manifests", POLICY_DATA / "dockerfiles")
TODAY = dt.date(2026, 6, 1)

__all__ = ["DATA", "FIXTURES", "TODAY", "fixture_outcome", "pack_dir", "trivy"]


@pytest.fixture(scope="session")
def trivy() -> str:
    return trivy_binary()


@pytest.fixture(scope="session")
def fixture_outcome(trivy: str) -> ScanOutcome:
    """One real Trivy scan (built-in checks + the pack) of the good and bad fixtures."""
    return run_scan(
        ScanOptions(paths=FIXTURES, params=PARAMS, trivy=trivy, vulnerabilities=False, today=TODAY)
    )
