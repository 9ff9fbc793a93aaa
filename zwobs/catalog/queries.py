"""Parse every imported PromQL query at validate time, so a typo fails ``zwobs validate``
with its file and line instead of ``promtool check rules`` (or Prometheus) much later.

Two parsers, in order: the ``promql-parser`` package (``pip install 'zwobs[promql]'``;
Prometheus's grammar and type checks, compiled, in-process) and, without it, ``promtool``
from PATH (one run for all queries). With neither, nothing is parsed and the catalog
carries a warning saying so (``zwobs validate --strict`` exits 1 on it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import yaml

from zwobs.catalog.errors import Issue
from zwobs.catalog.imported import WINDOW, Query

__all__ = ["NOT_PARSED", "parse_queries"]

NOT_PARSED: Final = (
    "the PromQL of imported SLOs was not parsed: install zwobs[promql] (promql-parser) or put"
    " promtool on PATH"
)
_PROMTOOL_ERROR: Final = re.compile(r'rule (\d+), "q(\d+)": could not parse expression: (.*)')


def _text(query: Query) -> str:
    """The query as Prometheus will evaluate it (its window template filled in)."""
    return query.text.replace(WINDOW, "5m")


def _issue(query: Query, message: str) -> Issue:
    return Issue(
        query.file, query.line, query.column, query.path, f"PromQL does not parse: {message}"
    )


def _with_parser(queries: Sequence[Query]) -> list[Issue] | None:
    try:
        import promql_parser  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    issues = []
    for query in queries:
        try:
            promql_parser.parse(_text(query))
        except ValueError as exc:
            issues.append(_issue(query, str(exc)))
    return issues


def _with_promtool(queries: Sequence[Query]) -> list[Issue] | None:
    promtool = shutil.which("promtool")
    if promtool is None:
        return None
    rules = [{"record": f"q{i}", "expr": _text(q)} for i, q in enumerate(queries)]
    with tempfile.TemporaryDirectory(prefix="zwobs-promql-") as workdir:
        path = Path(workdir) / "queries.rules.yaml"
        path.write_text(yaml.safe_dump({"groups": [{"name": "imported", "rules": rules}]}))
        try:
            done = subprocess.run(
                [promtool, "check", "rules", str(path)],
                capture_output=True,
                text=True,
                check=False,
                timeout=60,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
    if done.returncode == 0:
        return []
    issues = [
        _issue(queries[int(m.group(2))], m.group(3).strip())
        for m in _PROMTOOL_ERROR.finditer(done.stdout + done.stderr)
    ]
    return issues or None


def parse_queries(queries: Sequence[Query]) -> tuple[list[Issue], str | None]:
    """Issues of the queries that do not parse, and a note when no parser was available."""
    queries = list(dict.fromkeys(queries))  # an SLI two SLOs refer to is read twice
    if not queries:
        return [], None
    for parse in (_with_parser, _with_promtool):
        issues = parse(queries)
        if issues is not None:
            return issues, None
    return [], NOT_PARSED
