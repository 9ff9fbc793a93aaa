"""``zwobs verify`` runs where only a Prometheus URL is known: no catalog, no generators."""

from __future__ import annotations

import json
import subprocess
import sys


def _loaded_after_import(module: str) -> set[str]:
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout))


def test_verify_imports_neither_catalog_nor_render_nor_the_grafana_sdk() -> None:
    loaded = _loaded_after_import("zwobs.verify")
    assert not {m for m in loaded if m.startswith(("zwobs.catalog", "zwobs.render"))}
    assert not {m for m in loaded if m.startswith("grafana_foundation_sdk")}


def test_shared_promql_builders_import_only_the_metric_contract() -> None:
    loaded = _loaded_after_import("zwobs.promql")
    zwobs_modules = {m for m in loaded if m.startswith("zwobs.")}
    assert {"zwobs.promql", "zwobs.names"} <= zwobs_modules
    assert not {m for m in zwobs_modules if m.startswith(("zwobs.catalog", "zwobs.render"))}
