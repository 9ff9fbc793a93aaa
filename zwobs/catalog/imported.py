"""What the Sloth and OpenSLO importers share: plain values with positions, checked fields.

Imported SLOs carry arbitrary PromQL (``SloKind.CUSTOM``), so the renderer gives each one
its own 5m base rules and its own burn alerts (with the spec's alert name, labels and
annotations); windows, burn factors and budgets are the same engine as for catalog
services. Sloth's ``{{.window}}`` template is kept as is. A field zwobs cannot honour is
an error; a field that only matters to the source tool is a warning (``Catalog.notes``),
never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from yaml.nodes import MappingNode, Node, SequenceNode

from zwobs.catalog.model import AlertThresholds, Service, Slo, SourceRef
from zwobs.catalog.shape import LABEL_NAME, NAME
from zwobs.catalog.spec import Context, child_path

__all__ = [
    "FIXED_LABELS",
    "MIN_REQUESTS_LABEL",
    "WINDOW",
    "Imported",
    "Query",
    "check_keys",
    "fixed_label_problems",
    "imported_service",
    "label_map",
    "min_requests",
    "objective",
    "plain",
    "query",
    "ref",
    "service_name",
    "text",
    "with_window",
]

WINDOW: Final = "{{.window}}"
MIN_REQUESTS_LABEL: Final = "zwobs_min_requests"
"""SLO label that sets the SLO's traffic guard (requests in the long window before a burn
alert may fire); read by zwobs, not passed on to the alerts."""
FIXED_LABELS: Final = frozenset({"service", "slo", "sli", "slo_period", "alertname", "le"})
"""Labels the rules join on: an imported label may not replace them (``severity`` and
``team`` may be replaced, as Sloth lets a spec replace its ``severity``)."""

_WINDOW_TEMPLATE: Final = re.compile(r"\{\{-?\s*\.window\s*-?\}\}")
_MAX_DEPTH: Final = 32
_constructor_tags: Final = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


@dataclass(frozen=True, slots=True)
class Query:
    """One imported PromQL text and where it was written (checked by catalog.queries)."""

    text: str
    file: str
    line: int
    column: int
    path: str


@dataclass
class Imported:
    """What a set of import documents produced: services, queries to parse, warnings."""

    services: list[Service] = field(default_factory=list)
    queries: list[Query] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plain(node: Node, path: str, ctx: Context, depth: int = 0) -> Any:
    """A YAML node as plain Python values, remembering every path's position. Nesting
    deeper than any Sloth or OpenSLO field is an issue, not a RecursionError."""
    ctx.remember(node, path)
    if depth > _MAX_DEPTH and isinstance(node, MappingNode | SequenceNode):
        ctx.error(node, path, f"nests deeper than {_MAX_DEPTH} levels (no SLO field does)")
        return None
    if isinstance(node, MappingNode):
        return {
            str(k.value): plain(v, child_path(path, str(k.value)), ctx, depth + 1)
            for k, v in node.value
        }
    if isinstance(node, SequenceNode):
        return [plain(v, child_path(path, i), ctx, depth + 1) for i, v in enumerate(node.value)]
    if node.tag in _constructor_tags:
        try:
            return float(node.value)
        except ValueError:
            return node.value
    if node.tag == "tag:yaml.org,2002:bool":
        return str(node.value).lower() in ("true", "yes", "on", "y")
    if node.tag == "tag:yaml.org,2002:null":
        return None
    return node.value


def with_window(query_text: str) -> str:
    """``{{ .window }}`` in any spacing Go templates accept, spelled one way."""
    return _WINDOW_TEMPLATE.sub(WINDOW, query_text)


def ref(ctx: Context, path: str) -> SourceRef:
    line, column = ctx.positions.get(path, (1, 1))
    return SourceRef(ctx.file, line, column)


def query(ctx: Context, path: str, value: str) -> Query:
    line, column = ctx.positions.get(path, (1, 1))
    return Query(value, ctx.file, line, column, path)


def text(ctx: Context, doc: Any, path: str, key: str, expected: str) -> str | None:
    value = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(value, str) or not value.strip():
        where = child_path(path, key) if isinstance(doc, dict) and key in doc else path
        ctx.error_at(where, f"expected {expected}")
        return None
    return value


def check_keys(ctx: Context, doc: Any, path: str, known: Iterable[str]) -> None:
    """Unknown keys are errors: a field zwobs does not read must never vanish silently."""
    known = set(known)
    if not isinstance(doc, dict):
        return
    for key in doc:
        if key not in known:
            expected = ", ".join(sorted(known))
            ctx.error_at(child_path(path, key), f"unknown key; expected one of: {expected}")


def service_name(ctx: Context, doc: Any, path: str, key: str) -> str | None:
    """A service name becomes a file name and a label value: a DNS label, as in catalogs."""
    name = text(ctx, doc, path, key, f"{key}: a service name")
    if name is not None and not re.fullmatch(NAME, name):
        ctx.error_at(
            child_path(path, key),
            f"expected a lowercase DNS label (a-z, 0-9, -; it names the rules file), got {name!r}",
        )
        return None
    return name


def objective(ctx: Context, path: str, value: Any, scale: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, float) or not 0 < value * scale < 100:
        expected = "a percentage in (0, 100)" if scale == 1 else "a ratio in (0, 1)"
        ctx.error_at(path, f"expected {expected}, got {value!r}")
        return None
    return value * scale


def label_map(ctx: Context, value: Any, path: str) -> dict[str, str]:
    """Prometheus labels or annotations of an import: string keys, values as text."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        ctx.error_at(path, "expected a mapping of label names to values")
        return {}
    out: dict[str, str] = {}
    for key, item in value.items():
        where = child_path(path, key)
        if not re.fullmatch(LABEL_NAME, key):
            ctx.error_at(where, f"expected a Prometheus label name, got {key!r}")
        elif isinstance(item, dict | list) or item is None:
            ctx.error_at(where, "expected a text value")
        else:
            out[key] = _label_text(item)
    return out


def _label_text(item: Any) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, float) and item.is_integer():
        return str(int(item))
    return str(item)


def fixed_label_problems(ctx: Context, labels: dict[str, str], path: str) -> None:
    for key in sorted(labels):
        if key in FIXED_LABELS or key.startswith("__"):
            ctx.error_at(
                child_path(path, key),
                "label is set by zwobs itself (its rules join on it); pick another name",
            )


def min_requests(ctx: Context, labels: dict[str, str], path: str) -> float | None:
    """The SLO's traffic guard from its ``zwobs_min_requests`` label (removed from
    ``labels``), or None for the fleet default."""
    raw = labels.pop(MIN_REQUESTS_LABEL, None)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        ctx.error_at(
            child_path(path, MIN_REQUESTS_LABEL), f"expected a request count >= 0, got {raw!r}"
        )
        return None
    return value


def imported_service(
    name: str, slos: list[Slo], source: SourceRef, origin: str, **extra: Any
) -> Service:
    return Service(
        name=name,
        team=str(extra.get("team", "unknown")),
        tier=int(extra.get("tier", 3)),
        alerts=AlertThresholds(),
        slos=tuple(slos),
        source=source,
        origin=origin,
        slo_period_days=int(extra.get("days", 30)),
    )
