"""Rules in the shape Sloth's ``prometheus/v1`` generator writes for one events SLO (its
``examples/_gen`` output: per-window ratio records, metadata records, page and ticket
alerts), so zwobs's rules can be run beside them in one promtool run.

No Sloth binary installs from the registries this machine reaches; this reproduces the
generated shape for the 30-day period (windows and factors of the SRE Workbook table).
"""

from __future__ import annotations

from typing import Any

__all__ = ["sloth_rules"]

_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
_PAGE = (("5m", "1h", 14.4), ("30m", "6h", 6))
_TICKET = (("2h", "1d", 3), ("6h", "3d", 1))


def sloth_rules(
    service: str,
    slo: dict[str, Any],
    labels: dict[str, str],
) -> dict[str, Any]:
    """The groups Sloth generates for ``slo`` (a prometheus/v1 SLO mapping)."""
    sloth_id = f"{service}-{slo['name']}"
    ids = {"sloth_id": sloth_id, "sloth_service": service, "sloth_slo": slo["name"]}
    sel = "{" + ", ".join(f'{k}="{v}"' for k, v in ids.items()) + "}"
    events = slo["sli"]["events"]
    budget = 1 - slo["objective"] / 100
    base = {**labels, **slo.get("labels", {}), **ids}
    records: list[dict[str, Any]] = [
        {
            "record": f"slo:sli_error:ratio_rate{w}",
            "expr": f"({events['error_query'].replace('{{.window}}', w)})\n/\n"
            f"({events['total_query'].replace('{{.window}}', w)})",
            "labels": {**base, "sloth_window": w},
        }
        for w in _WINDOWS
    ]
    records.append(
        {
            "record": "slo:sli_error:ratio_rate30d",
            "expr": f"sum_over_time(slo:sli_error:ratio_rate5m{sel}[30d])\n"
            f"/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m{sel}[30d])",
            "labels": {"sloth_window": "30d"},
        }
    )
    meta = [
        {"record": "slo:objective:ratio", "expr": f"vector({slo['objective'] / 100})"},
        {"record": "slo:error_budget:ratio", "expr": f"vector(1-{slo['objective'] / 100})"},
        {"record": "slo:time_period:days", "expr": "vector(30)"},
        {
            "record": "slo:current_burn_rate:ratio",
            "expr": f"slo:sli_error:ratio_rate5m{sel}\n/ on(sloth_id, sloth_slo, sloth_service)"
            f" group_left\nslo:error_budget:ratio{sel}",
        },
        {
            "record": "slo:period_burn_rate:ratio",
            "expr": f"slo:sli_error:ratio_rate30d{sel}\n/ on(sloth_id, sloth_slo, sloth_service)"
            f" group_left\nslo:error_budget:ratio{sel}",
        },
        {
            "record": "slo:period_error_budget_remaining:ratio",
            "expr": f"1 - slo:period_burn_rate:ratio{sel}",
        },
        {"record": "sloth_slo_info", "expr": "vector(1)"},
    ]
    for rule in meta:
        rule["labels"] = dict(base)
    alerting = slo.get("alerting", {})

    def alert(severity: str, rows: tuple[tuple[str, str, float], ...]) -> dict[str, Any]:
        own = alerting.get(f"{severity}_alert", {})
        expr = "\nor ignoring (sloth_window)\n".join(
            f"((slo:sli_error:ratio_rate{short}{sel} > ({factor} * {budget!r}))\n"
            f"and ignoring (sloth_window)\n"
            f"(slo:sli_error:ratio_rate{long}{sel} > ({factor} * {budget!r})))"
            for short, long, factor in rows
        )
        return {
            "alert": alerting["name"],
            "expr": expr,
            "labels": {
                **alerting.get("labels", {}),
                **own.get("labels", {}),
                "sloth_severity": severity,
            },
            "annotations": {
                "title": f"({severity}) {{{{$labels.sloth_service}}}} {{{{$labels.sloth_slo}}}}"
                " SLO error budget burn rate is too fast.",
                **alerting.get("annotations", {}),
                **own.get("annotations", {}),
            },
        }

    alerts = [
        alert(severity, rows)
        for severity, rows in (("page", _PAGE), ("ticket", _TICKET))
        if not alerting.get(f"{severity}_alert", {}).get("disable")
    ]
    return {
        "groups": [
            {"name": f"sloth-slo-sli-recordings-{sloth_id}", "rules": records},
            {"name": f"sloth-slo-meta-recordings-{sloth_id}", "rules": meta},
            {"name": f"sloth-slo-alerts-{sloth_id}", "rules": alerts},
        ]
    }
