"""Argo Rollouts' own condition engine for the tests: tests/servers/argoexpr (Go) built with
Debian's Go and github.com/antonmedv/expr (scripts/install-go-expr.sh), offline, GOPATH mode."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

__all__ = ["ArgoExpr", "build_argoexpr"]

GOPATH = Path("/usr/share/gocode")
SOURCE = Path(__file__).resolve().parent / "argoexpr"


class ArgoExpr:
    """The built evaluator: ``phases(cases)`` -> Successful, Failed, Inconclusive or Error: ..."""

    def __init__(self, binary: Path) -> None:
        self.binary = binary

    def phases(self, cases: Sequence[dict[str, Any]]) -> list[str]:
        """Each case: ``successCondition``, ``failureCondition`` and ``data`` (the ``data`` of a
        Prometheus /api/v1/query answer, as recorded)."""
        done = subprocess.run(
            [str(self.binary)],
            input=json.dumps(list(cases)),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        phases: list[str] = json.loads(done.stdout)
        return phases


def build_argoexpr(workdir: Path) -> ArgoExpr:
    """Build the evaluator into ``workdir``; skip (saying why) where Go or expr is missing."""
    go = shutil.which("go")
    if go is None or not (GOPATH / "src/github.com/antonmedv/expr").is_dir():
        pytest.skip(
            "Go or github.com/antonmedv/expr is missing, so Argo's engine cannot evaluate the"
            " canary conditions: run `bash scripts/install-go-expr.sh` (make test does)"
        )
    workdir.mkdir(parents=True, exist_ok=True)
    binary = workdir / "argoexpr"
    env = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": str(GOPATH),
        "GOFLAGS": "",
        "GOCACHE": str(workdir / "gocache"),
        "CGO_ENABLED": "0",
    }
    subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=SOURCE,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return ArgoExpr(binary)
