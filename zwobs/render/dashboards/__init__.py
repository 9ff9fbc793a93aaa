"""Grafana dashboards per service and one fleet overview, built with grafana-foundation-sdk.

The official SDK (pinned ``==0.0.21``: schemaVersion 42, Grafana >= 12; a plain
install resolves an old Grafana 10.1 epoch) gives typed builders and current
panel models; grafanalib is unmaintained and emits the legacy row/span model.
Every query comes from names.py and promql.py, so the panels draw exactly what
the middleware exports and the recording rules record.

The panel vocabulary (ids, refIds, datasource variable) is in ``render/grafana.py`` and
``dashboard_lint`` checks the result. This package is the content, one module per
what it draws: ``service.py`` (one service), ``runtime.py`` (its flags and secrets
rows), ``fleet.py`` (the overview) and ``base.py`` (the frame they share).
"""

from __future__ import annotations

from zwobs.extras import missing_extra

try:
    import grafana_foundation_sdk  # noqa: F401  (the render extra, checked once for all modules)
except ModuleNotFoundError as _missing:
    raise missing_extra(_missing, "render", "rendering dashboards") from None

from zwobs.catalog.model import Catalog, Rollout
from zwobs.render import RenderOptions
from zwobs.render.dashboards.base import FLEET_UID, SERVICE_TAG, dashboard_uid
from zwobs.render.dashboards.fleet import fleet_dashboard
from zwobs.render.dashboards.runtime import OPTIONAL_ROWS
from zwobs.render.dashboards.service import service_dashboard, service_json
from zwobs.render.dashboards.templated import TEMPLATED_UID, templated_dashboard
from zwobs.render.grafana import DATASOURCE_VARIABLE, dump

__all__ = [
    "DATASOURCE_VARIABLE",
    "FLEET_UID",
    "OPTIONAL_ROWS",
    "SERVICE_TAG",
    "TEMPLATED_UID",
    "dashboard_uid",
    "fleet_dashboard",
    "render_dashboards",
    "service_dashboard",
    "templated_dashboard",
]

_DEFAULT_ROLLOUT = Rollout()


def _templated(catalog: Catalog, options: RenderOptions) -> bool:
    if options.dashboards == "auto":
        return bool(catalog.topology.location_labels)
    return options.dashboards == "templated"


def render_dashboards(catalog: Catalog, options: RenderOptions | None = None) -> dict[str, bytes]:
    """``dashboards/<service>.json`` for every service and ``dashboards/fleet-overview.json``;
    templated (a catalog ``topology`` by default): ``dashboards/service.json`` for every
    service instead, so the files do not grow with the fleet.

    Rendered once per service shape (see shapes.py): 10,000 services in seconds.
    """
    options = options or RenderOptions()  # dashboards use neither rule format nor namespace
    if _templated(catalog, options):
        templated = templated_dashboard(catalog.topology.location_labels)
        return {
            "dashboards/service.json": dump(templated).encode(),
            "dashboards/fleet-overview.json": dump(fleet_dashboard(catalog, True)).encode(),
        }
    files = {
        f"dashboards/{service.name}.json": options.shapes.render(
            "dashboards",
            service,
            service_json,
            eligible=dashboard_uid(service.name) == f"zwobs-{service.name}",
            owners=(),
            labels=(),
            registries=(),
            description="",
            rollout=_DEFAULT_ROLLOUT,
        )
        for service in catalog.services
    }
    files["dashboards/fleet-overview.json"] = dump(fleet_dashboard(catalog)).encode()
    return files
