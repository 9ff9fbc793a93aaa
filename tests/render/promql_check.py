"""Parse PromQL with the real promtool: each expression wrapped as a recording rule."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import yaml

from tests.servers.prometheus import promtool

__all__ = ["parse_errors"]


def parse_errors(exprs: Sequence[str], workdir: Path) -> str:
    """promtool's complaint about ``exprs`` ("" when every one parses)."""
    rules = [{"record": f"zwobs:parse_check:{i}", "expr": e} for i, e in enumerate(exprs)]
    path = workdir / "parse-check.rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "parse", "rules": rules}]}))
    done = subprocess.run(
        [promtool(), "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    return "" if done.returncode == 0 else done.stdout + done.stderr
