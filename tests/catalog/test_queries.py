"""Imported PromQL is parsed at validate time: promql-parser, else promtool, else a warning."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import pytest

from tests.catalog.specs import SLOTH
from zwobs.catalog import CatalogError, catalog_warnings, load_catalog
from zwobs.catalog.imported import Query
from zwobs.catalog.queries import NOT_PARSED, parse_queries

_BROKEN = [
    Query("sum(rate(x[{{.window}}])", "a.yaml", 3, 9, "q"),
    Query("sum(rate(x[{{.window}}]))", "a.yaml", 4, 9, "ok"),
    Query("foo{a=}", "a.yaml", 5, 9, "r"),
]


def _without_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    real = builtins.__import__

    def refuse(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "promql_parser":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)


def test_parser_reports_each_broken_query_at_its_line() -> None:
    issues, note = parse_queries(_BROKEN)
    assert note is None
    assert [(i.line, i.path) for i in issues] == [(3, "q"), (5, "r")]
    assert "PromQL does not parse: unclosed left parenthesis" in issues[0].message


def test_promtool_is_the_fallback_without_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_parser(monkeypatch)
    issues, note = parse_queries(_BROKEN)
    assert note is None
    assert [(i.line, i.path) for i in issues] == [(3, "q"), (5, "r")]
    assert "unclosed left parenthesis" in issues[0].message


def test_neither_parser_nor_promtool_is_a_warning_not_a_pass(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _without_parser(monkeypatch)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert parse_queries(_BROKEN) == ([], NOT_PARSED)
    spec = tmp_path / "sloth.yaml"
    spec.write_text(SLOTH)
    assert NOT_PARSED in catalog_warnings(load_catalog([spec]))


def test_a_catalog_with_a_broken_query_is_refused_with_its_position(tmp_path: Path) -> None:
    spec = tmp_path / "sloth.yaml"
    spec.write_text(SLOTH.replace("total_query: sum(rate(", "total_query: sum(rate(("))
    with pytest.raises(CatalogError) as info:
        load_catalog([spec])
    assert f"{spec}:15:22: slos[0].sli.events.total_query: PromQL does not parse" in str(info.value)
