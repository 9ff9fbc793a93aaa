"""Panel vocabulary on top of grafana-foundation-sdk: the few panel kinds zwobs draws.

The SDK gives typed builders but leaves panel ids and refIds unset and its
stat/legend defaults unhelpful (no legend, empty reducer); these helpers set
them once, so dashboards.py reads as content. Every panel and query takes its
datasource from the ``$datasource`` variable.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from zwobs.extras import missing_extra

try:
    from grafana_foundation_sdk.builders import dashboard as gdb
    from grafana_foundation_sdk.builders import prometheus as gprom
    from grafana_foundation_sdk.builders import stat as gstat
    from grafana_foundation_sdk.builders import table as gtable
    from grafana_foundation_sdk.builders import timeseries as gts
    from grafana_foundation_sdk.builders.common import (
        GraphThresholdsStyleConfig,
        ReduceDataOptions,
        VizLegendOptions,
    )
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.models import common as gcommon
    from grafana_foundation_sdk.models import dashboard as gmodel
    from grafana_foundation_sdk.models import prometheus as gpmodel
except ModuleNotFoundError as _missing:
    raise missing_extra(_missing, "render", "rendering dashboards") from None

__all__ = [
    "DATASOURCE",
    "DATASOURCE_VARIABLE",
    "Layout",
    "Query",
    "dump",
    "row",
    "stat",
    "table",
    "timeseries",
    "to_json",
]

DATASOURCE_VARIABLE = "datasource"
DATASOURCE = gmodel.DataSourceRef(type_val="prometheus", uid=f"${{{DATASOURCE_VARIABLE}}}")


@dataclass
class Layout:
    """Hands out panel ids in build order (the SDK leaves ``id`` unset)."""

    next_id: int = 1

    def take(self) -> int:
        taken = self.next_id
        self.next_id += 1
        return taken


@dataclass(frozen=True, slots=True)
class Query:
    """One query of a panel: PromQL, legend, and whether it is an instant (table/stat) query."""

    expr: str
    legend: str = ""
    instant: bool = False
    table: bool = False
    column: str = ""
    """In a table: the header of this query's value column (instead of ``Value #A``)."""


def _targets(queries: Sequence[Query]) -> list[gprom.Dataquery]:
    built = []
    for index, q in enumerate(queries):
        target = gprom.Dataquery().expr(q.expr).ref_id(_ref(index)).datasource(DATASOURCE)
        if q.legend:
            target = target.legend_format(q.legend)
        if q.instant:
            target = target.instant()
        if q.table:
            target = target.format(gpmodel.PromQueryFormat.TABLE)
        built.append(target)
    return built


def timeseries(
    layout: Layout,
    title: str,
    description: str,
    unit: str,
    queries: Sequence[Query],
    *,
    span: int = 12,
    thresholds: Sequence[float] = (),
) -> gts.Panel:
    panel = (
        gts.Panel()
        .id(layout.take())
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .span(span)
        .height(8)
        .fill_opacity(10)
        .legend(
            VizLegendOptions()
            .show_legend(True)
            .display_mode(gcommon.LegendDisplayMode.LIST)
            .placement(gcommon.LegendPlacement.BOTTOM)
        )
        .targets(list(_targets(queries)))
    )
    if thresholds:
        steps = [gmodel.Threshold(value=None, color="green")]
        steps += [gmodel.Threshold(value=v, color="red") for v in thresholds]
        panel = panel.thresholds(
            gdb.ThresholdsConfig().mode(gmodel.ThresholdsMode.ABSOLUTE).steps(steps)
        ).thresholds_style(_threshold_lines())
    return panel


def _threshold_lines() -> GraphThresholdsStyleConfig:
    return GraphThresholdsStyleConfig().mode(gcommon.GraphThresholdsStyleMode.DASHED)


def stat(
    layout: Layout,
    title: str,
    description: str,
    unit: str,
    query: Query,
    *,
    span: int = 6,
    text_mode: gcommon.BigValueTextMode = gcommon.BigValueTextMode.VALUE,
    steps: Sequence[tuple[float | None, str]] = ((None, "green"),),
) -> gstat.Panel:
    return (
        gstat.Panel()
        .id(layout.take())
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .span(span)
        .height(4)
        .no_value("no data")
        .text_mode(text_mode)
        .color_mode(gcommon.BigValueColorMode.VALUE)
        .graph_mode(gcommon.BigValueGraphMode.NONE)
        .reduce_options(ReduceDataOptions().calcs(["lastNotNull"]).values(False))
        .thresholds(
            gdb.ThresholdsConfig()
            .mode(gmodel.ThresholdsMode.ABSOLUTE)
            .steps([gmodel.Threshold(value=v, color=c) for v, c in steps])
        )
        .targets(list(_targets([query])))
    )


def table(
    layout: Layout,
    title: str,
    description: str,
    queries: Sequence[Query],
    *,
    span: int = 12,
    height: int = 8,
    unit: str = "",
    links: Sequence[gdb.DashboardLink] = (),
) -> gtable.Panel:
    panel = (
        gtable.Panel()
        .id(layout.take())
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .span(span)
        .height(height)
        .targets(list(_targets(queries)))
        .with_transformation(gmodel.DataTransformerConfig(id_val="merge", options={}))
        .with_transformation(
            gmodel.DataTransformerConfig(
                id_val="organize",
                options={"excludeByName": {"Time": True}, "renameByName": _columns(queries)},
            )
        )
    )
    if unit:
        panel = panel.unit(unit)
    if links:
        panel = panel.data_links(list(links))
    return panel


def _columns(queries: Sequence[Query]) -> dict[str, str]:
    """Grafana names a lone value column ``Value`` and several ``Value #<refId>``."""
    if len(queries) == 1:
        return {"Value": queries[0].column} if queries[0].column else {}
    return {f"Value #{_ref(index)}": q.column for index, q in enumerate(queries) if q.column}


def _ref(index: int) -> str:
    return chr(ord("A") + index)


def row(layout: Layout, title: str) -> gdb.Row:
    return gdb.Row(title).id(layout.take())


def to_json(dash: gdb.Dashboard) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(dash.build(), cls=JSONEncoder))
    return loaded


def dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
