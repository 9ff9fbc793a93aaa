"""The architecture rules of DESIGN.md, checked on the source itself."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from zwobs import names

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "zwobs"

RUNTIME_MODULES = ["zwobs", "zwobs.metrics", "zwobs.tracing", "zwobs.flags", "zwobs.secrets"]


@pytest.mark.parametrize("module", RUNTIME_MODULES)
def test_runtime_parts_never_import_catalog_or_render(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('zwobs.render', 'zwobs.catalog')))\n"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    assert out == "", f"{module} pulls in generator code: {out}"


def _metric_names() -> list[str]:
    """The exported metric names of names.py (its http_* and zwobs_* constants)."""
    return [
        value
        for key, value in vars(names).items()
        if key.isupper() and isinstance(value, str) and value.startswith(("http_", "zwobs_"))
    ]


def test_only_names_py_spells_a_metric_name() -> None:
    spelled = _metric_names()
    assert names.REQUESTS_TOTAL in spelled
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "names.py":
            continue
        text = path.read_text()
        offenders += [
            f"{path.relative_to(ROOT)}: {name}"
            for name in spelled
            if re.search(rf"[\"']{re.escape(name)}[\"'{{]", text)
        ]
    assert offenders == []


def test_a_command_imports_only_its_own_part() -> None:
    code = (
        "import sys\n"
        "from zwobs.cli import main\n"
        "try:\n"
        "    main(['verify', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "parts = ('zwobs.render', 'zwobs.catalog', 'zwobs.scan', 'zwobs.secrets')\n"
        "print('loaded:' + ','.join(sorted(m for m in sys.modules if m.startswith(parts))))"
    )
    lines = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.splitlines()
    assert "loaded:" in lines, f"zwobs verify loaded other parts: {lines[-1]}"
