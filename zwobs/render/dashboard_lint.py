"""Structural lint of generated Grafana dashboards, and the PromQL they contain.

Grafana imports a broken dashboard silently and shows the breakage only to the
person looking at it; this catches it at render time: duplicate panel ids or
refIds, overlapping or out-of-grid panels, datasource references no variable
resolves, template variables nobody defined. PromQL parsing needs a real
Prometheus, so :func:`expressions` hands every query (with :func:`substitute`
filling in the variables) to the tests that run them through one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["BUILTIN_VARIABLES", "Expression", "expressions", "lint", "panel_rows", "substitute"]

BUILTIN_VARIABLES = frozenset(
    {
        "__rate_interval",
        "__interval",
        "__interval_ms",
        "__range",
        "__range_s",
        "__range_ms",
        "__from",
        "__to",
        "__all",
        "__dashboard",
        "__org",
        "__user",
        "__data",
        "__field",
        "__series",
        "__value",
    }
)
_GRID_WIDTH = 24
_VARIABLE = re.compile(
    r"\$\{([A-Za-z0-9_]+)(?::[^}]*)?\}|\$([A-Za-z0-9_]+)|\[\[([A-Za-z0-9_]+)\]\]"
)
_LABEL_VALUES = re.compile(r"^\s*label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$", re.S)
_GRAFANA_UIDS = frozenset({"-- Grafana --", "grafana", "-- Mixed --", "-- Dashboard --"})


@dataclass(frozen=True, slots=True)
class Expression:
    """One PromQL expression of a dashboard and where it sits."""

    where: str
    expr: str
    panel_id: int | None = None
    ref_id: str = ""
    instant: bool = False


def _panels(dashboard: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def _variables(dashboard: Mapping[str, Any]) -> list[dict[str, Any]]:
    templating = dashboard.get("templating") or {}
    listed: list[dict[str, Any]] = templating.get("list", [])
    return listed


def _used_variables(text: str) -> set[str]:
    return {a or b or c for a, b, c in _VARIABLE.findall(text)}


def _check_datasource(ref: Any, where: str, sources: set[str], problems: list[str]) -> None:
    if ref is None:
        return
    if not isinstance(ref, dict):
        problems.append(f"{where}: datasource must be an object with uid and type, got {ref!r}")
        return
    uid = str(ref.get("uid", ""))
    if uid in _GRAFANA_UIDS:
        return
    used = _used_variables(uid)
    if not used:
        problems.append(f"{where}: datasource uid {uid!r} is hard-coded; use a variable")
    for name in used - sources:
        problems.append(f"{where}: datasource variable ${name} is not a datasource variable")


def _overlaps(a: Mapping[str, int], b: Mapping[str, int]) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def _check_grid(dashboard: Mapping[str, Any], problems: list[str]) -> None:
    placed: list[tuple[str, dict[str, int]]] = []
    for panel in dashboard.get("panels", []):
        where = f"panel {panel.get('id')} {panel.get('title', '')!r}"
        grid = panel.get("gridPos")
        if not isinstance(grid, dict) or not all(k in grid for k in ("x", "y", "w", "h")):
            problems.append(f"{where}: gridPos needs x, y, w and h")
            continue
        if grid["w"] <= 0 or grid["h"] <= 0 or grid["x"] < 0 or grid["y"] < 0:
            problems.append(f"{where}: gridPos {grid} has a negative or empty extent")
        if grid["x"] + grid["w"] > _GRID_WIDTH:
            problems.append(f"{where}: gridPos {grid} is wider than the {_GRID_WIDTH}-column grid")
        for other_where, other in placed:
            if _overlaps(grid, other):
                problems.append(f"{where}: gridPos {grid} overlaps {other_where} {other}")
        placed.append((where, grid))


def lint(dashboard: Mapping[str, Any]) -> list[str]:
    """Every structural problem of ``dashboard`` (Grafana JSON); empty when it is sound."""
    problems: list[str] = []
    uid = str(dashboard.get("uid", ""))
    if not uid or len(uid) > 40:
        problems.append(f"uid {uid!r}: expected 1 to 40 characters")
    if not isinstance(dashboard.get("schemaVersion"), int):
        problems.append("schemaVersion missing")
    variables = _variables(dashboard)
    defined = {str(v.get("name")) for v in variables}
    sources = {str(v.get("name")) for v in variables if v.get("type") == "datasource"}
    seen_ids: dict[int, str] = {}
    for panel in _panels(dashboard):
        title = panel.get("title", "")
        panel_id = panel.get("id")
        where = f"panel {panel_id} {title!r}"
        if not isinstance(panel_id, int) or panel_id <= 0:
            problems.append(f"panel {title!r}: id must be a positive integer, got {panel_id!r}")
        elif panel_id in seen_ids:
            problems.append(f"{where}: id also used by panel {seen_ids[panel_id]!r}")
        else:
            seen_ids[panel_id] = title
        _check_datasource(panel.get("datasource"), where, sources, problems)
        refs: set[str] = set()
        for target in panel.get("targets", []):
            ref = target.get("refId")
            if not ref:
                problems.append(f"{where}: a target has no refId")
            elif ref in refs:
                problems.append(f"{where}: refId {ref!r} used twice")
            refs.add(str(ref))
            _check_datasource(target.get("datasource"), f"{where} {ref}", sources, problems)
    for variable in variables:
        _check_datasource(
            variable.get("datasource"), f"variable {variable.get('name')}", sources, problems
        )
    for annotation in (dashboard.get("annotations") or {}).get("list", []):
        _check_datasource(
            annotation.get("datasource"),
            f"annotation {annotation.get('name')!r}",
            sources,
            problems,
        )
    for expression in expressions(dashboard):
        for name in _used_variables(expression.expr) - defined - BUILTIN_VARIABLES:
            problems.append(f"{expression.where}: uses undefined variable ${name}")
    _check_grid(dashboard, problems)
    return problems


def expressions(dashboard: Mapping[str, Any]) -> list[Expression]:
    """Every PromQL expression: panel targets, annotations, and query variables' selectors."""
    found: list[Expression] = []
    for panel in _panels(dashboard):
        for target in panel.get("targets", []):
            expr = target.get("expr")
            if expr:
                found.append(
                    Expression(
                        f"panel {panel.get('id')} {panel.get('title', '')!r} {target.get('refId')}",
                        str(expr),
                        panel.get("id"),
                        str(target.get("refId", "")),
                        bool(target.get("instant")),
                    )
                )
    for annotation in (dashboard.get("annotations") or {}).get("list", []):
        if annotation.get("expr"):
            found.append(Expression(f"annotation {annotation.get('name')!r}", annotation["expr"]))
    for variable in _variables(dashboard):
        query = variable.get("query")
        if variable.get("type") == "query" and isinstance(query, str):
            match = _LABEL_VALUES.match(query)
            found.append(
                Expression(f"variable {variable.get('name')}", match.group(1) if match else query)
            )
    return found


def panel_rows(dashboard: Mapping[str, Any]) -> dict[int, str]:
    """Panel id -> title of the row it sits under ("" above the first row)."""
    rows: dict[int, str] = {}
    current = ""
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            current = str(panel.get("title", ""))
            for nested in panel.get("panels", []):
                rows[int(nested["id"])] = current
        elif isinstance(panel.get("id"), int):
            rows[panel["id"]] = current
    return rows


def substitute(expr: str, values: Mapping[str, str]) -> str:
    """``expr`` with ``$name``, ``${name}`` and ``[[name]]`` replaced from ``values``."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(3)
        return values.get(name, match.group(0))

    return _VARIABLE.sub(replace, expr)
