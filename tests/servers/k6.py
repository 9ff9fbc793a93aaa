"""Locate and run k6 for tests: $ZWOBS_K6, then .cache/bin/k6 (scripts/install-k6.sh), then
PATH. Every run stays on loopback: no usage report, its REST API on a free 127.0.0.1 port."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from tests.servers.process import free_port

__all__ = ["k6_binary", "run_k6"]

REPO = Path(__file__).resolve().parents[2]


def k6_binary() -> str:
    """The k6 binary; fails (does not skip) when none is installed."""
    for candidate in (os.environ.get("ZWOBS_K6", ""), str(REPO / ".cache" / "bin" / "k6")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(Path(candidate).resolve())
    found = shutil.which("k6")
    if found:
        return found
    pytest.fail("k6 not installed: run `bash scripts/install-k6.sh` (make test does)")


def run_k6(
    command: str, script: Path, env: Mapping[str, str], *extra: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``k6 <command> -e K=V... [extra] script``, bounded in time."""
    argv: Sequence[str] = [k6_binary(), command, *(f"-e{k}={v}" for k, v in env.items())]
    if command == "run":
        argv = [*argv, "--no-usage-report", "--no-color", f"--address=127.0.0.1:{free_port()}"]
    return subprocess.run(
        [*argv, *extra, str(script)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "K6_NO_USAGE_REPORT": "true"},
        cwd=script.parent,
    )
