"""Render a catalog's alert files into a directory and run the real promtool on them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.servers.prometheus import promtool
from zwobs.catalog.model import Catalog
from zwobs.render import RenderOptions, render_all

__all__ = ["promtool_check", "promtool_test", "write_alerts"]


def write_alerts(catalog: Catalog, out: Path, fmt: str = "prometheus") -> dict[str, bytes]:
    files = render_all(catalog, RenderOptions(format=fmt), only=["alerts"]).files
    for path, content in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(content)
    return files


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool(), *args], capture_output=True, text=True, check=False, cwd=cwd, timeout=300
    )


def promtool_check(directory: Path) -> subprocess.CompletedProcess[str]:
    files = sorted(p.name for p in directory.glob("*.rules.yaml"))
    assert files, f"no rule files in {directory}"
    return _run("check", "rules", *files, cwd=directory)


def promtool_test(directory: Path) -> subprocess.CompletedProcess[str]:
    files = sorted(p.name for p in directory.glob("*.test.yaml"))
    assert files, f"no test files in {directory}"
    return _run("test", "rules", *files, cwd=directory)
