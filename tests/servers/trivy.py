"""Locate the Trivy binary for tests: $ZWOBS_TRIVY, then .cache/bin/trivy, then PATH.

Trivy runs offline (--skip-db-update --skip-check-update): there is no server to start."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

__all__ = ["REPO", "trivy_binary"]

REPO = Path(__file__).resolve().parents[2]


def trivy_binary() -> str:
    """The Trivy binary the tests use; fails (does not skip) when none is installed."""
    candidates = [os.environ.get("ZWOBS_TRIVY", ""), str(REPO / ".cache" / "bin" / "trivy")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(Path(candidate).resolve())
    found = shutil.which("trivy")
    if found:
        return found
    pytest.fail("Trivy not installed: run `bash scripts/install-trivy.sh` (make test does)")
