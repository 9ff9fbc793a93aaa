"""Import Sloth ``prometheus/v1`` specs and OpenSLO v1 ``SLO`` documents into the catalog.

Imported SLOs carry arbitrary PromQL (``SloKind.CUSTOM``), so the renderer gives each
one its own 5m base rules; everything after that (windows, burn alerts, budget) is the
same engine as for catalog services. Sloth's ``{{.window}}`` template is kept as is.
Fields that only matter to other tools (Sloth's alert names, OpenSLO alert policies,
display names) are accepted and ignored; what zwobs cannot honour is an error.
"""

from __future__ import annotations

import re
from typing import Any, Final

from yaml.nodes import MappingNode, Node, SequenceNode

from zwobs.catalog.model import AlertThresholds, Service, Slo, SloKind, SourceRef
from zwobs.catalog.shape import NAME
from zwobs.catalog.spec import Context, child_path

__all__ = ["import_openslo", "import_sloth", "plain"]

_constructor_tags: Final = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_SELECTOR: Final = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^{}]*\})?|\{[^{}]*\}")
_WINDOW: Final = "{{.window}}"


def plain(node: Node, path: str, ctx: Context) -> Any:
    """A YAML node as plain Python values, remembering every path's position."""
    ctx.remember(node, path)
    if isinstance(node, MappingNode):
        return {str(k.value): plain(v, child_path(path, str(k.value)), ctx) for k, v in node.value}
    if isinstance(node, SequenceNode):
        return [plain(v, child_path(path, i), ctx) for i, v in enumerate(node.value)]
    if node.tag in _constructor_tags:
        try:
            return float(node.value)
        except ValueError:
            return node.value
    if node.tag == "tag:yaml.org,2002:null":
        return None
    return node.value


def _ref(ctx: Context, path: str) -> SourceRef:
    line, column = ctx.positions.get(path, (1, 1))
    return SourceRef(ctx.file, line, column)


def _text(ctx: Context, doc: Any, path: str, key: str, expected: str) -> str | None:
    value = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(value, str) or not value.strip():
        ctx.error_at(child_path(path, key) if key in (doc or {}) else path, f"expected {expected}")
        return None
    return value


def _service_name(ctx: Context, doc: Any, path: str, key: str) -> str | None:
    """A service name becomes a file name and a label value: a DNS label, as in catalogs."""
    name = _text(ctx, doc, path, key, f"{key}: a service name")
    if name is not None and not re.fullmatch(NAME, name):
        ctx.error_at(
            child_path(path, key),
            f"expected a lowercase DNS label (a-z, 0-9, -; it names the rules file), got {name!r}",
        )
        return None
    return name


def _objective(ctx: Context, path: str, value: Any, scale: float) -> float | None:
    if not isinstance(value, float) or not 0 < value * scale < 100:
        expected = "a percentage in (0, 100)" if scale == 1 else "a ratio in (0, 1)"
        ctx.error_at(path, f"expected {expected}, got {value!r}")
        return None
    return value * scale


def _service(name: str, slos: list[Slo], ref: SourceRef, origin: str, **extra: Any) -> Service:
    return Service(
        name=name,
        team=str(extra.get("team", "unknown")),
        tier=int(extra.get("tier", 3)),
        alerts=AlertThresholds(),
        slos=tuple(slos),
        source=ref,
        origin=origin,
        slo_period_days=int(extra.get("days", 30)),
    )


def import_sloth(node: Node, ctx: Context) -> list[Service]:
    """Services of a Sloth ``prometheus/v1`` spec (one service, many SLOs)."""
    doc = plain(node, "", ctx)
    name = _service_name(ctx, doc, "", "service")
    labels = doc.get("labels") or {}
    team = str(labels.get("team") or labels.get("owner") or "unknown")
    tier_text = str(labels.get("tier", "3")).removesuffix(".0")
    tier = int(tier_text) if tier_text.isdigit() else 3
    slos: list[Slo] = []
    raw_slos = doc.get("slos")
    if not isinstance(raw_slos, list) or not raw_slos:
        ctx.error_at("slos" if "slos" in doc else "", "expected slos: a non-empty list")
        raw_slos = []
    for index, raw in enumerate(raw_slos):
        path = child_path("slos", index)
        if not isinstance(raw, dict):
            ctx.error_at(path, "expected a mapping")
            continue
        slo_name = _text(ctx, raw, path, "name", "name: a string")
        if slo_name is not None and slo_name in {s.name for s in slos}:
            ctx.error_at(child_path(path, "name"), "duplicate SLO name")
            continue
        objective = _objective(ctx, child_path(path, "objective"), raw.get("objective"), 1)
        sli = raw.get("sli") or {}
        events = sli.get("events") if isinstance(sli, dict) else None
        raw_ratio = sli.get("raw") if isinstance(sli, dict) else None
        errors = total = None
        if isinstance(events, dict):
            events_path = child_path(child_path(path, "sli"), "events")
            errors = _text(ctx, events, events_path, "error_query", "error_query: PromQL")
            total = _text(ctx, events, events_path, "total_query", "total_query: PromQL")
        elif isinstance(raw_ratio, dict):
            raw_path = child_path(child_path(path, "sli"), "raw")
            errors = _text(ctx, raw_ratio, raw_path, "error_ratio_query", "PromQL")
            total = "vector(1)"
        else:
            ctx.error_at(
                child_path(path, "sli"),
                "expected sli.events (error_query, total_query) or sli.raw; plugins are"
                " not supported",
            )
        if slo_name and objective is not None and errors and total:
            slos.append(
                Slo(
                    name=slo_name,
                    kind=SloKind.CUSTOM,
                    objective=objective,
                    description=str(raw.get("description") or ""),
                    errors_query=f"sum({errors})",
                    total_query=f"sum({total})",
                    source=_ref(ctx, path),
                )
            )
    if not name:
        return []
    return [_service(name, slos, _ref(ctx, ""), "sloth", team=team, tier=tier)]


def _metric_query(ctx: Context, node: Any, path: str, counter: bool) -> str | None:
    source = (node or {}).get("metricSource") if isinstance(node, dict) else None
    spec = source.get("spec") if isinstance(source, dict) else None
    kind = str(source.get("type", "")) if isinstance(source, dict) else ""
    if kind.lower() != "prometheus" or not isinstance(spec, dict):
        ctx.error_at(path, "expected metricSource with type: Prometheus and spec.query")
        return None
    query = spec.get("query")
    if not isinstance(query, str) or not query.strip():
        ctx.error_at(child_path(path, "metricSource.spec"), "expected query: PromQL")
        return None
    query = query.strip()
    if not counter:
        return f"sum({query})"
    if not _SELECTOR.fullmatch(query):
        ctx.error_at(
            child_path(path, "metricSource.spec.query"),
            "expected a plain series selector for a counter (counter: true); use a rate"
            " expression with counter: false instead",
        )
        return None
    return f"sum(rate({query}[{_WINDOW}]))"


def import_openslo(
    nodes: list[tuple[Node, str]], ctx: Context, indicators: dict[str, Any]
) -> list[Service]:
    """Services of OpenSLO v1 ``SLO`` documents (``indicatorRef`` resolves to ``SLI`` docs)."""
    by_service: dict[str, list[Slo]] = {}
    refs: dict[str, SourceRef] = {}
    periods: dict[str, int] = {}
    for node, prefix in nodes:
        doc = plain(node, prefix, ctx)
        spec = doc.get("spec") if isinstance(doc, dict) else None
        meta = doc.get("metadata") if isinstance(doc, dict) else None
        name = _text(ctx, meta or {}, child_path(prefix, "metadata"), "name", "metadata.name")
        if not isinstance(spec, dict):
            ctx.error_at(prefix, "expected spec: a mapping")
            continue
        spec_path = child_path(prefix, "spec")
        service = _service_name(ctx, spec, spec_path, "service")
        method = spec.get("budgetingMethod", "Occurrences")
        if method != "Occurrences":
            ctx.error_at(
                child_path(spec_path, "budgetingMethod"),
                f"expected Occurrences (zwobs does not support {method})",
            )
        indicator = spec.get("indicator")
        ind_path = child_path(spec_path, "indicator")
        if indicator is None and isinstance(spec.get("indicatorRef"), str):
            indicator, ind_path = indicators.get(spec["indicatorRef"], (None, ind_path))
            if indicator is None:
                ctx.error_at(child_path(spec_path, "indicatorRef"), "no SLI document of that name")
                continue
        ratio = ((indicator or {}).get("spec") or {}).get("ratioMetric")
        ratio_path = child_path(child_path(ind_path, "spec"), "ratioMetric")
        if not isinstance(ratio, dict):
            ctx.error_at(ind_path, "expected spec.ratioMetric (thresholdMetric is not supported)")
            continue
        counter = bool(ratio.get("counter", True))
        total = _metric_query(ctx, ratio.get("total"), child_path(ratio_path, "total"), counter)
        errors: str | None = None
        if "bad" in ratio:
            errors = _metric_query(ctx, ratio["bad"], child_path(ratio_path, "bad"), counter)
        elif "good" in ratio:
            good = _metric_query(ctx, ratio["good"], child_path(ratio_path, "good"), counter)
            errors = f"({total} - {good})" if good and total else None
        else:
            ctx.error_at(ratio_path, "expected good or bad next to total")
        days = _period(ctx, spec, spec_path)
        objectives = spec.get("objectives")
        if not isinstance(objectives, list) or not objectives:
            ctx.error_at(spec_path, "expected objectives: a non-empty list")
            continue
        for index, objective_doc in enumerate(objectives):
            path = child_path(child_path(spec_path, "objectives"), index)
            if isinstance(objective_doc, dict) and "targetPercent" in objective_doc:
                percent = objective_doc.get("targetPercent")
                value = _objective(ctx, child_path(path, "targetPercent"), percent, 1)
            else:
                target = objective_doc.get("target") if isinstance(objective_doc, dict) else None
                value = _objective(ctx, child_path(path, "target"), target, 100)
            if not (name and service and errors and total and value is not None and days):
                continue
            slo_name = name if len(objectives) == 1 else f"{name}-{index}"
            if slo_name in {s.name for s in by_service.get(service, [])}:
                ctx.error_at(child_path(prefix, "metadata.name"), "duplicate SLO name")
                continue
            if periods.setdefault(service, days) != days:
                ctx.error_at(
                    child_path(spec_path, "timeWindow"),
                    f"all SLOs of service {service} need one period ({periods[service]}d)",
                )
                continue
            refs.setdefault(service, _ref(ctx, prefix))
            by_service.setdefault(service, []).append(
                Slo(
                    name=slo_name,
                    kind=SloKind.CUSTOM,
                    objective=value,
                    description=str(spec.get("description") or ""),
                    errors_query=errors,
                    total_query=total,
                    source=_ref(ctx, path),
                )
            )
    return [
        _service(name, slos, refs[name], "openslo", days=periods[name])
        for name, slos in sorted(by_service.items())
    ]


def _period(ctx: Context, spec: dict[str, Any], spec_path: str) -> int | None:
    windows = spec.get("timeWindow")
    path = child_path(spec_path, "timeWindow")
    if windows is None:
        return 30
    window = windows[0] if isinstance(windows, list) and windows else None
    duration = window.get("duration") if isinstance(window, dict) else None
    match = re.fullmatch(r"([1-9]\d*)([dwh])", str(duration or ""))
    if not match or (match.group(2) == "h" and int(match.group(1)) % 24):
        ctx.error_at(path, f"expected a rolling duration in whole days (28d, 4w), got {duration!r}")
        return None
    count, unit = int(match.group(1)), match.group(2)
    return {"d": count, "w": count * 7, "h": count // 24}[unit]
