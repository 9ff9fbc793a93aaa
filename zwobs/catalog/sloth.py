"""Sloth specs: ``version: prometheus/v1`` files and the ``PrometheusServiceLevel`` CRD.

Both hold the same SLO shape (the CRD spells keys in camelCase under ``spec``). What each
field becomes is the README's "Migrating from Sloth / OpenSLO" table: events and raw SLIs,
objectives, labels, the alert name, page/ticket labels, annotations and ``disable`` are
honoured; plugins are refused; ``interval`` is ignored with a warning.
"""

from __future__ import annotations

import re
from typing import Any, Final

from yaml.nodes import Node

from zwobs import promql
from zwobs.catalog.imported import (
    Imported,
    check_keys,
    fixed_label_problems,
    imported_service,
    label_map,
    min_requests,
    objective,
    plain,
    query,
    ref,
    service_name,
    text,
    with_window,
)
from zwobs.catalog.model import Slo, SloAlert, SloKind
from zwobs.catalog.spec import Context, child_path

__all__ = ["CRD_API", "CRD_KIND", "PLUGINS_REFUSED", "VERSION", "import_sloth"]

VERSION: Final = "prometheus/v1"
CRD_API: Final = "sloth.slok.dev/v1"
CRD_KIND: Final = "PrometheusServiceLevel"
PLUGINS_REFUSED: Final = (
    "Sloth plugins are not supported: zwobs reads events and raw SLIs and writes its own"
    " rules (write the SLI as sli.events or sli.raw, and remove the plugin chain)"
)
_ALERT_NAME: Final = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_CAMEL: Final = {
    "slo_plugins": "sloPlugins",
    "error_query": "errorQuery",
    "total_query": "totalQuery",
    "page_alert": "pageAlert",
    "ticket_alert": "ticketAlert",
}


class _Keys:
    """Key spelling of one document: snake_case (prometheus/v1) or camelCase (the CRD)."""

    def __init__(self, crd: bool) -> None:
        self.crd = crd

    def __call__(self, key: str) -> str:
        return _CAMEL.get(key, key) if self.crd else key


def _plugins(ctx: Context, doc: dict[str, Any], path: str, keys: tuple[str, ...]) -> bool:
    found = [key for key in keys if key in doc]
    for key in found:
        ctx.error_at(child_path(path, key), PLUGINS_REFUSED)
    return bool(found)


def _alert(
    ctx: Context, raw: Any, path: str, labels: dict[str, str], annotations: dict[str, str]
) -> SloAlert:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        ctx.error_at(path, "expected a mapping (disable, labels, annotations)")
        return SloAlert()
    check_keys(ctx, raw, path, ("disable", "labels", "annotations"))
    disable = raw.get("disable", False)
    if not isinstance(disable, bool):
        ctx.error_at(child_path(path, "disable"), f"expected true or false, got {disable!r}")
    own = label_map(ctx, raw.get("labels"), child_path(path, "labels"))
    fixed_label_problems(ctx, own, child_path(path, "labels"))
    notes = {
        **annotations,
        **label_map(ctx, raw.get("annotations"), child_path(path, "annotations")),
    }
    return SloAlert(
        disabled=disable is True,
        labels=tuple(sorted({**labels, **own}.items())),
        annotations=tuple(sorted(notes.items())),
    )


def _sli(
    ctx: Context, sli: Any, path: str, key: _Keys, out: Imported
) -> tuple[str, str, bool] | None:
    """(errors, total, ratio_only) PromQL of an SLI, each query queued for parsing."""
    if not isinstance(sli, dict):
        ctx.error_at(path, "expected sli: a mapping with events or raw")
        return None
    if _plugins(ctx, sli, path, ("plugin",)):
        return None
    check_keys(ctx, sli, path, ("events", "raw"))
    events, raw = sli.get("events"), sli.get("raw")
    if isinstance(events, dict) and raw is None:
        events_path = child_path(path, "events")
        check_keys(ctx, events, events_path, (key("error_query"), key("total_query")))
        errors = text(ctx, events, events_path, key("error_query"), f"{key('error_query')}: PromQL")
        total = text(ctx, events, events_path, key("total_query"), f"{key('total_query')}: PromQL")
        if errors is None or total is None:
            return None
        errors, total = with_window(errors), with_window(total)
        out.queries.append(query(ctx, child_path(events_path, key("error_query")), errors))
        out.queries.append(query(ctx, child_path(events_path, key("total_query")), total))
        return promql.imported_events(errors), promql.imported_events(total), False
    if isinstance(raw, dict) and events is None:
        raw_path = child_path(path, "raw")
        names = ("errorRatioQuery", "error_ratio_query")
        check_keys(ctx, raw, raw_path, names)
        present = [n for n in names if n in raw] or [names[0]]
        ratio = text(ctx, raw, raw_path, present[0], "errorRatioQuery: PromQL of the error ratio")
        if ratio is None:
            return None
        ratio = with_window(ratio)
        out.queries.append(query(ctx, child_path(raw_path, present[0]), ratio))
        return (*promql.imported_raw(ratio), True)
    ctx.error_at(path, "expected exactly one of sli.events (error_query, total_query) or sli.raw")
    return None


def _slo(
    ctx: Context, raw: Any, path: str, key: _Keys, *, spec_labels: dict[str, str], out: Imported
) -> Slo | None:
    if not isinstance(raw, dict):
        ctx.error_at(path, "expected a mapping")
        return None
    refused = _plugins(ctx, raw, path, ("plugins", key("slo_plugins")))
    known = ("name", "objective", "description", "labels", "sli", "alerting", "interval")
    check_keys(ctx, raw, path, (*known, "plugins", key("slo_plugins")))
    if "interval" in raw:
        line = ctx.positions.get(child_path(path, "interval"), (1, 1))[0]
        out.notes.append(
            f"{ctx.file}:{line}: {child_path(path, 'interval')}: ignored (zwobs evaluates"
            " every SLO in its own fixed-interval rule groups)"
        )
    name = text(ctx, raw, path, "name", "name: the SLO's name")
    value = objective(ctx, child_path(path, "objective"), raw.get("objective"), 1)
    slo_labels = label_map(ctx, raw.get("labels"), child_path(path, "labels"))
    guard = min_requests(ctx, slo_labels, child_path(path, "labels"))
    fixed_label_problems(ctx, slo_labels, child_path(path, "labels"))
    labels = {**spec_labels, **slo_labels}
    sli = _sli(ctx, raw.get("sli"), child_path(path, "sli"), key, out)
    alerting = raw.get("alerting") or {}
    alerting_path = child_path(path, "alerting")
    if not isinstance(alerting, dict):
        ctx.error_at(alerting_path, "expected a mapping")
        alerting = {}
    check_keys(
        ctx,
        alerting,
        alerting_path,
        ("name", "labels", "annotations", key("page_alert"), key("ticket_alert")),
    )
    alert_labels = label_map(ctx, alerting.get("labels"), child_path(alerting_path, "labels"))
    fixed_label_problems(ctx, alert_labels, child_path(alerting_path, "labels"))
    notes = label_map(ctx, alerting.get("annotations"), child_path(alerting_path, "annotations"))
    merged = {**labels, **alert_labels}
    page, ticket = (
        _alert(ctx, alerting.get(key(k)), child_path(alerting_path, key(k)), merged, notes)
        for k in ("page_alert", "ticket_alert")
    )
    alert_name = alerting.get("name", "")
    if not isinstance(alert_name, str) or (alert_name and not _ALERT_NAME.fullmatch(alert_name)):
        ctx.error_at(
            child_path(alerting_path, "name"),
            f"expected an alert name ([a-zA-Z_:][a-zA-Z0-9_:]*, as Prometheus), got {alert_name!r}",
        )
        alert_name = ""
    if refused or name is None or value is None or sli is None:
        return None
    errors, total, ratio_only = sli
    return Slo(
        name=name,
        kind=SloKind.CUSTOM,
        objective=value,
        description=str(raw.get("description") or ""),
        errors_query=errors,
        total_query=total,
        source=ref(ctx, path),
        alert_name=alert_name,
        page=page,
        ticket=ticket,
        min_requests=guard,
        ratio_only=ratio_only,
    )


def import_sloth(node: Node, prefix: str, ctx: Context, out: Imported) -> None:
    """The service of one Sloth document (a spec file's or a CRD's), added to ``out``."""
    doc = plain(node, prefix, ctx)
    if not isinstance(doc, dict):
        ctx.error_at(prefix, "expected a mapping")
        return
    crd = "apiVersion" in doc
    key = _Keys(crd)
    path = prefix
    if crd:
        # status: what a cluster wrote back (an export of the object), not a spec field
        check_keys(ctx, doc, prefix, ("apiVersion", "kind", "metadata", "spec", "status"))
        if doc.get("kind") != CRD_KIND:
            ctx.error_at(
                child_path(prefix, "kind"), f"expected {CRD_KIND} (the SLO kind of {CRD_API})"
            )
            return
        path = child_path(prefix, "spec")
        doc = doc.get("spec")
        if not isinstance(doc, dict):
            ctx.error_at(path, "expected spec: a mapping with service and slos")
            return
        check_keys(ctx, doc, path, ("service", "labels", "slos", key("slo_plugins")))
    else:
        check_keys(ctx, doc, path, ("version", "service", "labels", "slos", key("slo_plugins")))
    refused = _plugins(ctx, doc, path, (key("slo_plugins"),))
    name = service_name(ctx, doc, path, "service")
    labels = label_map(ctx, doc.get("labels"), child_path(path, "labels"))
    fixed_label_problems(ctx, labels, child_path(path, "labels"))
    team = labels.get("team") or labels.get("owner") or "unknown"
    tier = labels.get("tier", "3")
    slos: list[Slo] = []
    raw_slos = doc.get("slos")
    slos_path = child_path(path, "slos")
    if not isinstance(raw_slos, list) or not raw_slos:
        ctx.error_at(slos_path if "slos" in doc else path, "expected slos: a non-empty list")
        raw_slos = []
    for index, raw in enumerate(raw_slos):
        slo_path = child_path(slos_path, index)
        slo = _slo(ctx, raw, slo_path, key, spec_labels=labels, out=out)
        if slo is not None and slo.name in {s.name for s in slos}:
            ctx.error_at(child_path(slo_path, "name"), "duplicate SLO name")
        elif slo is not None:
            slos.append(slo)
    if name and not refused:
        out.services.append(
            imported_service(
                name,
                slos,
                ref(ctx, path),
                "sloth",
                team=team,
                tier=int(tier) if tier.isdigit() else 3,
            )
        )
