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


_KERNEL = {"slo.py", "promql.py"}
_KERNEL_ONLY = {
    "histogram_quantile(": re.compile(r"histogram_quantile\("),
    "a 5xx matcher": re.compile(r"5\.\."),
    "a burn factor": re.compile(r"(?<![\d.])(14\.4|13\.44|6\.0|0\.02 \*|period_days / 30)(?![\d])"),
}


def _sources(skip: set[str]) -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(ROOT)), path.read_text())
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name not in skip
    ]


def test_only_slo_py_and_promql_py_write_shared_queries_and_burn_math() -> None:
    offenders = [
        f"{where}: {what}"
        for where, text in _sources(_KERNEL)
        for what, pattern in _KERNEL_ONLY.items()
        if pattern.search(text)
    ]
    assert offenders == []


def test_only_names_py_spells_an_alert_name() -> None:
    alerts = [v for k, v in vars(names).items() if k.startswith("ALERT_") and isinstance(v, str)]
    alerts = [a for a in alerts if a[:1].isupper()]
    assert names.ALERT_HIGH_ERROR_RATE in alerts and names.ALERT_FOR_BURN_PAGE in alerts
    offenders = [
        f"{where}: {alert}"
        for where, text in _sources({"names.py"})
        for alert in alerts
        if re.search(rf"[\"']{re.escape(alert)}[\"']", text)
    ]
    assert offenders == []


def test_the_kernel_modules_are_leaves() -> None:
    """names, slo, promql, durations, env and yamlread import no other part of zwobs."""
    leaves = {"names", "slo", "promql", "durations", "env", "yamlread"}
    for leaf in sorted(leaves):
        text = (PACKAGE / f"{leaf}.py").read_text()
        imported = set(re.findall(r"^from zwobs\.(\w+)", text, re.M))
        for group in re.findall(r"^from zwobs import ([\w, ]+)", text, re.M):
            imported.update(part.split(" as ")[0].strip() for part in group.split(","))
        assert imported <= leaves, f"{leaf}.py imports {sorted(imported - leaves)}"


def _module_imports() -> dict[str, set[str]]:
    """zwobs module -> the zwobs modules it imports, wherever (a function-level import that
    closes a cycle is a cycle postponed), except under ``if TYPE_CHECKING``;
    ``from pkg import name`` counts as ``pkg.name`` when that is a module, else as ``pkg``."""
    import ast

    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path
        for path in PACKAGE.rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str] = set()
        tree = ast.parse(path.read_text())
        typing_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                for alias in node.names:
                    name = f"{base}.{alias.name}"
                    targets.add(name if name in modules else base)
        graph[module] = {t for t in targets if t in modules and t != module}
    return graph


def test_zwobs_has_no_import_cycle() -> None:
    graph = _module_imports()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert graph["zwobs.flags._client"], "the import walk found nothing: it is broken"
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)
