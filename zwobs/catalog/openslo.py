"""OpenSLO v1 documents: ``SLO`` becomes zwobs SLOs; ``SLI`` and ``DataSource`` are resolved
by name across every file given; the alerting kinds are reported as ignored.

Documents may come one per YAML document or as a YAML list (the OpenSLO SDK's form).
A ratio SLI whose good series is absent while its totals are present counts every event
as bad: a vanished series must not read as a perfect SLO.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from zwobs import promql
from zwobs.catalog.imported import (
    WINDOW,
    Imported,
    check_keys,
    fixed_label_problems,
    imported_service,
    label_map,
    min_requests,
    objective,
    query,
    ref,
    service_name,
    text,
    with_window,
)
from zwobs.catalog.model import Slo, SloAlert, SloKind, SourceRef
from zwobs.catalog.shape import LABEL_NAME
from zwobs.catalog.spec import Context, child_path

__all__ = ["API", "IGNORED_KINDS", "Document", "document", "import_openslo"]

API: Final = "openslo/v1"
IGNORED_KINDS: Final = {
    "Service": "zwobs takes the service from each SLO's spec.service",
    "AlertPolicy": "zwobs pages and tickets with its multi-window burn-rate alerts",
    "AlertCondition": "zwobs pages and tickets with its multi-window burn-rate alerts",
    "AlertNotificationTarget": "route zwobs's alerts in Alertmanager on their labels",
}
_SLO_KEYS: Final = (
    "description",
    "service",
    "indicator",
    "indicatorRef",
    "budgetingMethod",
    "timeWindow",
    "objectives",
    "alertPolicies",
)
_COMPOSITE_KEYS: Final = ("indicator", "indicatorRef", "compositeWeight")
_OBJECTIVE_KEYS: Final = (
    "displayName",
    "op",
    "value",
    "target",
    "targetPercent",
    "timeSliceTarget",
    "timeSliceWindow",
    *_COMPOSITE_KEYS,
)
"""``op``/``value`` belong to threshold SLIs and the time-slice keys to Timeslices
budgeting, both refused elsewhere; they are read and left alone here."""
_SELECTOR: Final = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^{}]*\})?|\{[^{}]*\}")
_PERIOD: Final = re.compile(r"([1-9]\d*)([dwh])")


@dataclass(frozen=True, slots=True)
class Document:
    """One OpenSLO document as plain values, with the context that knows its positions."""

    kind: str
    name: str
    value: dict[str, Any]
    path: str
    ctx: Context


def _note(doc: Document, path: str, message: str) -> str:
    line = doc.ctx.positions.get(path, (1, 1))[0]
    return f"{doc.ctx.file}:{line}: {path}: {message}"


def _counter(doc: Document, ratio: dict[str, Any], path: str) -> bool | None:
    value = ratio.get("counter", True)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, bool):
        return value
    doc.ctx.error_at(child_path(path, "counter"), f"expected true or false, got {value!r}")
    return None


class _Resolver:
    def __init__(self, documents: list[Document], out: Imported) -> None:
        self.by_kind: dict[str, dict[str, Document]] = {}
        for doc in documents:
            self.by_kind.setdefault(doc.kind, {}).setdefault(doc.name, doc)
        self.used: set[tuple[str, str]] = set()
        self.out = out
        self.periods: dict[str, int] = {}
        self.sources: dict[str, SourceRef] = {}

    def get(self, kind: str, name: Any) -> Document | None:
        found = self.by_kind.get(kind, {}).get(str(name))
        if found is not None:
            self.used.add((kind, found.name))
        return found

    def metric(self, doc: Document, node: Any, path: str, counter: bool) -> str | None:
        """``sum(rate(selector[{{.window}}]))`` of a counter, ``sum(query)`` of a gauge."""
        ctx = doc.ctx
        source = node.get("metricSource") if isinstance(node, dict) else None
        source_path = child_path(path, "metricSource")
        if not isinstance(source, dict):
            ctx.error_at(path, "expected metricSource with type: Prometheus and spec.query")
            return None
        kind = source.get("type")
        if "metricSourceRef" in source:
            data = self.get("DataSource", source["metricSourceRef"])
            if data is None:
                ctx.error_at(
                    child_path(source_path, "metricSourceRef"),
                    f"no DataSource document named {source['metricSourceRef']!r} in the files"
                    " given",
                )
                return None
            data_spec = data.value.get("spec")
            kind = data_spec.get("type", kind) if isinstance(data_spec, dict) else kind
        spec = source.get("spec")
        if str(kind or "").lower() != "prometheus":
            ctx.error_at(source_path, f"expected type: Prometheus, got {kind!r}")
            return None
        raw = spec.get("query") if isinstance(spec, dict) else None
        if not isinstance(raw, str) or not raw.strip():
            ctx.error_at(child_path(source_path, "spec"), "expected query: PromQL")
            return None
        query_path = child_path(child_path(source_path, "spec"), "query")
        text_ = with_window(raw.strip())
        self.out.queries.append(query(ctx, query_path, text_))
        if not counter:
            return promql.imported_events(text_)
        if not _SELECTOR.fullmatch(text_):
            ctx.error_at(
                query_path,
                "expected a plain series selector for a counter (counter: true); use a rate"
                " expression with counter: false instead",
            )
            return None
        return promql.imported_counter(text_, WINDOW)

    def ratio(self, doc: Document, indicator: Any, path: str) -> tuple[str, str, bool] | None:
        """(errors, total, ratio_only) of an SLI's ratioMetric."""
        ctx = doc.ctx
        spec = indicator.get("spec") if isinstance(indicator, dict) else None
        ratio = spec.get("ratioMetric") if isinstance(spec, dict) else None
        ratio_path = child_path(child_path(path, "spec"), "ratioMetric")
        if not isinstance(ratio, dict):
            ctx.error_at(path, "expected spec.ratioMetric (thresholdMetric is not supported)")
            return None
        if "raw" in ratio:
            kind = ratio.get("rawType")
            if kind not in ("success", "failure"):
                ctx.error_at(
                    child_path(ratio_path, "rawType"), f"expected success or failure, got {kind!r}"
                )
                return None
            raw = self.metric(doc, ratio["raw"], child_path(ratio_path, "raw"), False)
            if raw is None:
                return None
            error_ratio = raw if kind == "failure" else promql.imported_complement(raw)
            return (*promql.imported_raw(error_ratio), True)
        counter = _counter(doc, ratio, ratio_path)
        if counter is None:
            return None
        if "good" in ratio and "bad" in ratio:
            ctx.error_at(ratio_path, "expected good or bad next to total, not both")
            return None
        if "total" not in ratio or not ("good" in ratio or "bad" in ratio):
            ctx.error_at(ratio_path, "expected total and one of good or bad (or raw and rawType)")
            return None
        total = self.metric(doc, ratio["total"], child_path(ratio_path, "total"), counter)
        side = "bad" if "bad" in ratio else "good"
        part = self.metric(doc, ratio[side], child_path(ratio_path, side), counter)
        if total is None or part is None:
            return None
        errors = part if side == "bad" else promql.imported_errors_from_good(total, part)
        return errors, total, False


def _period(ctx: Context, spec: dict[str, Any], spec_path: str) -> int | None:
    windows = spec.get("timeWindow")
    path = child_path(spec_path, "timeWindow")
    if windows is None:
        return 30
    window = windows[0] if isinstance(windows, list) and len(windows) == 1 else None
    if not isinstance(window, dict):
        ctx.error_at(path, "expected a list of one time window")
        return None
    if "calendar" in window or window.get("isRolling") is False:
        ctx.error_at(
            child_path(path, 0),
            "calendar-aligned windows are not supported: zwobs budgets over a rolling period"
            " (use isRolling: true without calendar)",
        )
        return None
    duration = window.get("duration")
    match = _PERIOD.fullmatch(str(duration or ""))
    if not match or (match.group(2) == "h" and int(match.group(1)) % 24):
        ctx.error_at(path, f"expected a rolling duration in whole days (28d, 4w), got {duration!r}")
        return None
    count, unit = int(match.group(1)), match.group(2)
    return {"d": count, "w": count * 7, "h": count // 24}[unit]


def _labels(doc: Document, out: Imported) -> tuple[dict[str, str], float | None]:
    """metadata.labels as alert labels (text values with Prometheus label names; the rest
    is reported as ignored) and the SLO's traffic guard."""
    meta = doc.value.get("metadata") or {}
    path = child_path(child_path(doc.path, "metadata"), "labels")
    raw = meta.get("labels") if isinstance(meta, dict) else None
    if not isinstance(raw, dict):
        return {}, None
    usable = {
        k: v
        for k, v in raw.items()
        if re.fullmatch(LABEL_NAME, k) and not isinstance(v, dict | list) and v is not None
    }
    for key in sorted(set(raw) - set(usable)):
        out.notes.append(
            _note(doc, child_path(path, key), "ignored (not a Prometheus label with one value)")
        )
    labels = label_map(doc.ctx, usable, path)
    guard = min_requests(doc.ctx, labels, path)
    fixed_label_problems(doc.ctx, labels, path)
    return labels, guard


def _objectives(doc: Document, spec: dict[str, Any], spec_path: str) -> list[float | None]:
    objectives = spec.get("objectives")
    if not isinstance(objectives, list) or not objectives:
        doc.ctx.error_at(spec_path, "expected objectives: a non-empty list")
        return []
    values: list[float | None] = []
    for index, item in enumerate(objectives):
        path = child_path(child_path(spec_path, "objectives"), index)
        check_keys(doc.ctx, item, path, _OBJECTIVE_KEYS)
        composite = [k for k in _COMPOSITE_KEYS if isinstance(item, dict) and k in item]
        for key in composite:
            doc.ctx.error_at(
                child_path(path, key),
                "per-objective indicators (composite SLOs) are not supported: give each"
                " indicator its own SLO",
            )
        if composite:
            values.append(None)
            continue
        if isinstance(item, dict) and "targetPercent" in item:
            value = objective(doc.ctx, child_path(path, "targetPercent"), item["targetPercent"], 1)
        else:
            target = item.get("target") if isinstance(item, dict) else None
            value = objective(doc.ctx, child_path(path, "target"), target, 100)
        values.append(value)
    return values


def _indicator(
    resolver: _Resolver, doc: Document, spec: dict[str, Any], spec_path: str
) -> tuple[Document, Any, str] | None:
    if "indicator" in spec:
        return doc, spec["indicator"], child_path(spec_path, "indicator")
    if "indicatorRef" not in spec:
        doc.ctx.error_at(spec_path, "expected indicator or indicatorRef")
        return None
    sli = resolver.get("SLI", spec["indicatorRef"])
    if sli is None:
        doc.ctx.error_at(
            child_path(spec_path, "indicatorRef"),
            f"no SLI document named {spec['indicatorRef']!r} in the files given",
        )
        return None
    return sli, sli.value, sli.path


def _slo(resolver: _Resolver, doc: Document, by_service: dict[str, list[Slo]]) -> None:
    ctx, out = doc.ctx, resolver.out
    spec = doc.value.get("spec")
    spec_path = child_path(doc.path, "spec")
    if not isinstance(spec, dict):
        ctx.error_at(doc.path, "expected spec: a mapping")
        return
    check_keys(ctx, spec, spec_path, _SLO_KEYS)
    service = service_name(ctx, spec, spec_path, "service")
    method = spec.get("budgetingMethod", "Occurrences")
    if method != "Occurrences":
        ctx.error_at(
            child_path(spec_path, "budgetingMethod"),
            f"expected Occurrences (zwobs does not support {method})",
        )
    if "alertPolicies" in spec:
        out.notes.append(
            _note(
                doc,
                child_path(spec_path, "alertPolicies"),
                f"ignored ({IGNORED_KINDS['AlertPolicy']})",
            )
        )
    found = _indicator(resolver, doc, spec, spec_path)
    ratio = None if found is None else resolver.ratio(found[0], found[1], found[2])
    days = _period(ctx, spec, spec_path)
    values = _objectives(doc, spec, spec_path)
    labels, guard = _labels(doc, out)
    alert = SloAlert(labels=tuple(sorted(labels.items())))
    if not (service and ratio and days):
        return
    errors, total, ratio_only = ratio
    existing = by_service.setdefault(service, [])
    for index, value in enumerate(values):
        if value is None:
            continue
        name = doc.name if len(values) == 1 else f"{doc.name}-{index}"
        if name in {s.name for s in existing}:
            ctx.error_at(child_path(child_path(doc.path, "metadata"), "name"), "duplicate SLO name")
            continue
        if existing and resolver.periods[service] != days:
            ctx.error_at(
                child_path(spec_path, "timeWindow"),
                f"all SLOs of service {service} need one period ({resolver.periods[service]}d)",
            )
            continue
        resolver.periods.setdefault(service, days)
        path = child_path(child_path(spec_path, "objectives"), index)
        existing.append(
            Slo(
                name=name,
                kind=SloKind.CUSTOM,
                objective=value,
                description=str(spec.get("description") or ""),
                errors_query=errors,
                total_query=total,
                source=ref(ctx, path),
                page=alert,
                ticket=alert,
                min_requests=guard,
                ratio_only=ratio_only,
            )
        )
        resolver.sources.setdefault(service, ref(ctx, doc.path))


def import_openslo(documents: list[Document], out: Imported) -> None:
    """Services of every OpenSLO ``SLO`` document, resolving references across files."""
    resolver = _Resolver(documents, out)
    by_service: dict[str, list[Slo]] = {}
    for doc in documents:
        if doc.kind == "SLO":
            _slo(resolver, doc, by_service)
    for doc in documents:
        reason = IGNORED_KINDS.get(doc.kind)
        if reason is None and doc.kind in ("SLI", "DataSource"):
            if (doc.kind, doc.name) in resolver.used:
                continue
            reason = "no SLO refers to it"
        if reason is not None:
            out.notes.append(
                _note(doc, doc.path or "kind", f"{doc.kind} {doc.name!r} ignored ({reason})")
            )
    for name, slos in sorted(by_service.items()):
        if slos:
            out.services.append(
                imported_service(
                    name, slos, resolver.sources[name], "openslo", days=resolver.periods[name]
                )
            )


def document(value: Any, path: str, ctx: Context) -> Document | None:
    """An OpenSLO document's kind and name checked; None (with an issue) when unusable."""
    if not isinstance(value, dict):
        ctx.error_at(path, "expected a mapping (an OpenSLO document)")
        return None
    if value.get("apiVersion") != API:
        ctx.error_at(
            child_path(path, "apiVersion"), f"expected {API}, got {value.get('apiVersion')!r}"
        )
        return None
    kind = value.get("kind")
    if kind not in ("SLO", "SLI", "DataSource", *IGNORED_KINDS):
        ctx.error_at(child_path(path, "kind"), f"unknown OpenSLO kind {kind!r}")
        return None
    name = text(
        ctx, value.get("metadata") or {}, child_path(path, "metadata"), "name", "metadata.name"
    )
    if name is None:
        return None
    return Document(str(kind), name, value, path, ctx)
