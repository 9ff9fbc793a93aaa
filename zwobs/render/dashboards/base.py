"""The frame every zwobs dashboard shares: uids, tags, the data source variable, links."""

from __future__ import annotations

import hashlib
import re
from typing import Final

from grafana_foundation_sdk.builders import dashboard as gdb
from grafana_foundation_sdk.models import dashboard as gmodel

from zwobs.render.grafana import DATASOURCE_VARIABLE

__all__ = [
    "FLEET_UID",
    "RATE",
    "SERVICE_TAG",
    "UID_MAX",
    "base",
    "dashboard_uid",
]

SERVICE_TAG: Final = "zwobs-service"
FLEET_UID: Final = "zwobs-fleet"
UID_MAX: Final = 40
"""Grafana rejects dashboard uids longer than 40 characters."""
_UID_CHARS: Final = re.compile(r"[A-Za-z0-9_-]+\Z")
RATE: Final = "$__rate_interval"
"""The rate window of every panel: Grafana's, at least four scrape intervals."""


def dashboard_uid(service: str) -> str:
    """``zwobs-<service>``; a name too long or with characters Grafana rejects in uids
    (only letters, digits, ``-`` and ``_``) keeps a cleaned prefix plus a hash, so uids stay
    unique and stable."""
    uid = f"zwobs-{service}"
    if len(uid) <= UID_MAX and _UID_CHARS.match(uid):
        return uid
    digest = hashlib.sha256(service.encode()).hexdigest()[:8]
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", uid)
    return f"{cleaned[: UID_MAX - 9]}-{digest}"


# --- per-service dashboard ---------------------------------------------------------------


def base(title: str, uid: str, tags: list[str], description: str) -> gdb.Dashboard:
    return (
        gdb.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(tags)
        .editable()
        .refresh("1m")
        .time("now-6h", "now")
        .timezone("browser")
        .tooltip(gmodel.DashboardCursorSync.CROSSHAIR)
        .annotation(
            gdb.AnnotationQuery()
            .name("Annotations & Alerts")
            .datasource(gmodel.DataSourceRef(type_val="grafana", uid="-- Grafana --"))
            .built_in(1)
            .enable(True)
            .hide(True)
            .icon_color("rgba(0, 211, 255, 1)")
            .type("dashboard")
        )
        .with_variable(
            gdb.DatasourceVariable(DATASOURCE_VARIABLE).label("Data source").type("prometheus")
        )
        .link(
            gdb.DashboardLink("Services")
            .type(gmodel.DashboardLinkType.DASHBOARDS)
            .tags([SERVICE_TAG])
            .as_dropdown(True)
            .include_vars(False)
            .keep_time(True)
        )
    )
