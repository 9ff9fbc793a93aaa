"""Prometheus rules from the catalog: shared fleet rules plus constant per-service series.

Why this shape (see the README section "Catalog and alert rules"):

* The expensive rules are written once for the whole fleet, aggregated ``by (service)``;
  objectives, thresholds and routing labels are constant series joined in with
  ``on(service) group_left``. Adding a service adds constants, never a rate/quantile rule.
* Ratios are recorded from separately recorded numerator and denominator rates, and a
  ratio is absent (not NaN) while its window has no traffic, so nothing downstream is
  poisoned by 0/0.
* Long windows are sums of non-overlapping 5m tiles (``sum_over_time(x[W:5m])``) of the
  5m rates: ratios of counts, never averages of ratios.
* Burn-rate factors are scaled to each SLO period; an SLO alert needs a minimum number of
  requests in its long window (the traffic guard).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from zwobs import names
from zwobs.catalog.model import Catalog, Service, Slo, SloKind
from zwobs.promql import bucket_label

__all__ = [
    "BURN_WINDOWS",
    "DEFAULT_FOR",
    "BurnWindow",
    "alert_for",
    "burn_factor",
    "fleet_groups",
    "period_label",
    "service_group",
    "window_seconds",
]

Rule = dict[str, Any]
Group = dict[str, Any]


@dataclass(frozen=True, slots=True)
class BurnWindow:
    """One multi-window pair: alert when both windows burn faster than ``factor`` (30d)."""

    severity: str
    short: str
    long: str
    factor_30d: float


BURN_WINDOWS: Final = (
    BurnWindow("page", "5m", "1h", 14.4),
    BurnWindow("page", "30m", "6h", 6.0),
    BurnWindow("ticket", "2h", "1d", 3.0),
    BurnWindow("ticket", "6h", "3d", 1.0),
)
DEFAULT_FOR: Final = {
    "HighErrorRate": "5m",
    "HighLatency": "10m",
    "LowThroughput": "10m",
    "ErrorBudgetBurnPage": "2m",
    "ErrorBudgetBurnTicket": "15m",
}
_UNIT_SECONDS: Final = {"m": 60, "h": 3600, "d": 86400}


def window_seconds(window: str) -> int:
    return int(window[:-1]) * _UNIT_SECONDS[window[-1]]


def period_label(days: int) -> str:
    return f"{days}d"


def burn_factor(window: BurnWindow, period_days: int) -> float:
    """The window's factor scaled to the SLO period (28d: 13.44, 5.6, 2.8, 0.933)."""
    return float(f"{window.factor_30d * period_days / 30:.6g}")


def alert_for(catalog: Catalog, key: str) -> str:
    return dict(catalog.alert_for).get(key, DEFAULT_FOR[key])


def _num(value: float) -> str:
    return f"{value:.10g}"


def _routing_labels(catalog: Catalog) -> list[str]:
    keys = {names.LABEL_TEAM}
    for service in catalog.services:
        keys.update(k for k, _ in service.labels)
    return sorted(keys)


def _one(*selectors: str) -> str:
    return " or ".join(f"(0 * {s} + 1)" for s in selectors)


# --- fleet groups -------------------------------------------------------------------


def _sli_group() -> Group:
    n = names
    svc = n.LABEL_SERVICE
    errors = f'{n.REQUESTS_TOTAL}{{{n.LABEL_STATUS}=~"5.."}}'
    rules: list[Rule] = [
        {
            "record": n.SERVICE_REQUESTS_RATE5M,
            "expr": f"sum by ({svc}) (rate({n.REQUESTS_TOTAL}[5m]))",
        },
        {
            "record": n.SERVICE_ERRORS_RATE5M,
            "expr": f"sum by ({svc}) (rate({errors}[5m]))\n"
            f"  or on({svc}) (0 * {n.SERVICE_REQUESTS_RATE5M})",
        },
        {
            "record": n.SERVICE_ERROR_RATIO_RATE5M,
            "expr": f"{n.SERVICE_ERRORS_RATE5M}\n  / on({svc}) ({n.SERVICE_REQUESTS_RATE5M} > 0)",
        },
        {
            "record": n.SERVICE_LATENCY_BUCKET_RATE5M,
            "expr": f"sum by ({svc}, {n.LABEL_LE}) (rate({n.REQUEST_DURATION}_bucket[5m]))",
        },
        {
            "record": n.SERVICE_LATENCY_COUNT_RATE5M,
            "expr": f"sum by ({svc}) (rate({n.REQUEST_DURATION}_count[5m]))",
        },
        {
            "record": n.SERVICE_LATENCY_P95_5M,
            "expr": f"histogram_quantile(0.95, {n.SERVICE_LATENCY_BUCKET_RATE5M}) >= 0",
        },
    ]
    avail = f'{n.SLO_OBJECTIVE}{{{n.LABEL_SLI}="availability"}}'
    latency = f'{n.SLO_OBJECTIVE}{{{n.LABEL_SLI}="latency"}}'
    good_latency = (
        f"sum by ({svc}, {n.LABEL_SLO}) (\n"
        f"      {n.SERVICE_LATENCY_BUCKET_RATE5M}\n"
        f"      * on({svc}, {n.LABEL_LE}) group_right() {_one(n.SLO_LATENCY_THRESHOLD)}\n"
        f"    )"
    )
    rules += [
        {
            "record": n.SLO_REQUESTS_RATE["5m"],
            "expr": f"{n.SERVICE_REQUESTS_RATE5M} * on({svc}) group_right() {_one(avail)}\n"
            f"or\n"
            f"{n.SERVICE_LATENCY_COUNT_RATE5M} * on({svc}) group_right() {_one(latency)}",
        },
        {
            "record": n.SLO_ERRORS_RATE["5m"],
            "expr": f"{n.SERVICE_ERRORS_RATE5M} * on({svc}) group_right() {_one(avail)}\n"
            f"or\n"
            f"(\n"
            f"  {n.SERVICE_LATENCY_COUNT_RATE5M} * on({svc}) group_right() {_one(latency)}\n"
            f"  - on({svc}, {n.LABEL_SLO}) group_left()\n"
            f"    {good_latency}\n"
            f")",
        },
    ]
    return {"name": "zwobs-sli", "rules": rules}


def _windows_group() -> Group:
    n = names
    rules: list[Rule] = [
        {
            "record": n.SLO_ERROR_RATIO["5m"],
            "expr": f"{n.SLO_ERRORS_RATE['5m']} / ({n.SLO_REQUESTS_RATE['5m']} > 0)",
        }
    ]
    for window in n.SLO_WINDOWS[1:]:
        seconds = window_seconds(window)
        # A range includes both ends: [1h:5m] holds 13 tiles when the evaluation falls on a
        # 5m boundary. One second less always holds exactly seconds/300 tiles.
        for table in (n.SLO_REQUESTS_RATE, n.SLO_ERRORS_RATE):
            rules.append(
                {
                    "record": table[window],
                    "expr": f"sum_over_time({table['5m']}[{seconds - 1}s:5m]) / {seconds // 300}",
                }
            )
        rules.append(
            {
                "record": n.SLO_ERROR_RATIO[window],
                "expr": f"{n.SLO_ERRORS_RATE[window]} / ({n.SLO_REQUESTS_RATE[window]} > 0)",
            }
        )
    return {"name": "zwobs-slo-windows", "rules": rules}


def _period_group(periods: Iterable[int]) -> Group:
    n = names
    rules: list[Rule] = []
    for days in sorted(set(periods)):
        label = period_label(days)
        sel = f'{{{n.LABEL_SLO_PERIOD}="{label}"}}'
        rules.append(
            {
                "record": n.SLO_ERROR_RATIO_PERIOD,
                "expr": f"sum_over_time({n.SLO_ERRORS_RATE['1h']}{sel}[{label}:1h])\n"
                f"  / (sum_over_time({n.SLO_REQUESTS_RATE['1h']}{sel}[{label}:1h]) > 0)",
                "labels": {n.LABEL_SLO_PERIOD: label},
            }
        )
    if rules:
        rules.append(
            {
                "record": n.SLO_BUDGET_REMAINING,
                "expr": f"1 - {n.SLO_ERROR_RATIO_PERIOD}\n"
                f"  / on({n.LABEL_SERVICE}, {n.LABEL_SLO}) group_left() (1 - {n.SLO_OBJECTIVE})",
            }
        )
    return {"name": "zwobs-slo-period", "interval": "1m", "rules": rules}


def _threshold(metric: str, default: float) -> str:
    svc = names.LABEL_SERVICE
    return f"({metric} or on({svc}) (0 * {names.SERVICE_INFO} + {_num(default)}))"


def _route(expr: str, routing: list[str]) -> str:
    svc = names.LABEL_SERVICE
    return f"(\n{expr}\n)\n* on({svc}) group_left({', '.join(routing)}) {names.SERVICE_INFO}"


def _runbook_base(catalog: Catalog) -> str | None:
    """The common ``<base>`` when every service's runbook is ``<base>/<service>``."""
    bases = {
        s.runbook_url[: -len(s.name) - 1]
        for s in catalog.services
        if s.runbook_url.endswith(f"/{s.name}")
    }
    if len(bases) == 1 and all(s.runbook_url for s in catalog.services):
        return bases.pop()
    return None


def _runbook(catalog: Catalog, anchor: str) -> str:
    """A static template when the catalog follows one runbook base; otherwise the service's
    own URL looked up from SERVICE_INFO (one small query per firing alert and evaluation)."""
    base = _runbook_base(catalog)
    if base is not None:
        return f"{base}/{{{{ $labels.service }}}}#{anchor}"
    return (
        f'{{{{ with printf "{names.SERVICE_INFO}{{service=%q}}" $labels.service | query }}}}'
        f'{{{{ . | first | label "runbook_url" }}}}{{{{ end }}}}#{anchor}'
    )


def _red_alerts(catalog: Catalog, routing: list[str]) -> list[Rule]:
    n = names
    svc = n.LABEL_SERVICE
    d = catalog.defaults
    high_error = (
        f"  {n.SERVICE_ERROR_RATIO_RATE5M}\n"
        f"  > on({svc}) group_left() {_threshold(n.ALERT_THRESHOLD_ERROR_RATIO, d.error_rate)}"
    )
    high_latency = (
        f"  {n.SERVICE_LATENCY_P95_5M}\n  > on({svc}) group_left() "
        f"{_threshold(n.ALERT_THRESHOLD_LATENCY_P95, d.latency_p95_seconds)}"
    )
    low_throughput = (
        f"  {n.SERVICE_REQUESTS_RATE5M}\n"
        f"  < on({svc}) group_left() {_threshold(n.ALERT_THRESHOLD_MIN_RPS, d.min_rps)}"
    )
    return [
        {
            "alert": n.ALERT_HIGH_ERROR_RATE,
            "expr": _route(high_error, routing),
            "for": alert_for(catalog, "HighErrorRate"),
            "labels": {n.LABEL_SEVERITY: "critical"},
            "annotations": {
                "summary": "{{ $labels.service }}: {{ $value | humanizePercentage }} of"
                " requests fail with 5xx",
                "description": "The 5xx ratio of {{ $labels.service }} over 5m is"
                " {{ $value | humanizePercentage }}, above the error_rate of its catalog entry.",
                "runbook_url": _runbook(catalog, "higherrorrate"),
            },
        },
        {
            "alert": n.ALERT_HIGH_LATENCY,
            "expr": _route(high_latency, routing),
            "for": alert_for(catalog, "HighLatency"),
            "labels": {n.LABEL_SEVERITY: "warning"},
            "annotations": {
                "summary": '{{ $labels.service }}: p95 latency {{ printf "%.3g" $value }}s',
                "description": "The p95 latency of {{ $labels.service }} over 5m is"
                ' {{ printf "%.3g" $value }}s, above the latency_p95_seconds of its'
                " catalog entry.",
                "runbook_url": _runbook(catalog, "highlatency"),
            },
        },
        {
            "alert": n.ALERT_LOW_THROUGHPUT,
            "expr": _route(low_throughput, routing),
            "for": alert_for(catalog, "LowThroughput"),
            "labels": {n.LABEL_SEVERITY: "warning"},
            "annotations": {
                "summary": '{{ $labels.service }}: {{ printf "%.3g" $value }} requests/s',
                "description": "{{ $labels.service }} serves"
                ' {{ printf "%.3g" $value }} requests/s over 5m, below the min_rps of its'
                " catalog entry.",
                "runbook_url": _runbook(catalog, "lowthroughput"),
            },
        },
    ]


def _burn_condition(window: BurnWindow, days: int, min_requests: float) -> str:
    n = names
    on = f"on({n.LABEL_SERVICE}, {n.LABEL_SLO})"
    label = period_label(days)
    factor = _num(burn_factor(window, days))
    sel = f'{{{n.LABEL_SLO_PERIOD}="{label}"}}'
    threshold = f"{on} group_left() ({factor} * (1 - {n.SLO_OBJECTIVE}))"
    guard = (
        f"{n.SLO_REQUESTS_RATE[window.long]}{sel} * {window_seconds(window.long)}\n"
        f"      >= on({n.LABEL_SERVICE}) group_left() "
        f"{_threshold(n.SLO_MIN_REQUESTS, min_requests)}"
    )
    return (
        f"  (\n"
        f"    ({n.SLO_ERROR_RATIO[window.short]}{sel} > {threshold})\n"
        f"    and {on}\n"
        f"    ({n.SLO_ERROR_RATIO[window.long]}{sel} > {threshold})\n"
        f"    and {on}\n"
        f"    ({guard})\n"
        f"  )"
    )


def _burn_alerts(catalog: Catalog, routing: list[str], periods: Iterable[int]) -> list[Rule]:
    n = names
    rules: list[Rule] = []
    for days in sorted(set(periods)):
        for severity in ("page", "ticket"):
            pairs = [w for w in BURN_WINDOWS if w.severity == severity]
            conditions = "\n  or\n".join(
                _burn_condition(w, days, catalog.defaults.slo_min_requests) for w in pairs
            )
            speed = "fast" if severity == "page" else "steadily"
            factors = " / ".join(f"{burn_factor(w, days):g}x" for w in pairs)
            rules.append(
                {
                    "alert": n.ALERT_ERROR_BUDGET_BURN,
                    "expr": _route(conditions, routing),
                    "for": alert_for(catalog, f"ErrorBudgetBurn{severity.title()}"),
                    "labels": {n.LABEL_SEVERITY: severity, n.LABEL_SLO_PERIOD: period_label(days)},
                    "annotations": {
                        "summary": "{{ $labels.service }}: SLO {{ $labels.slo }} burns its"
                        f" error budget {speed}",
                        "description": "{{ $labels.service }} fails SLO {{ $labels.slo }} on"
                        " {{ $value | humanizePercentage }} of requests: the budget of the"
                        f" {period_label(days)} period burns above {factors} in both windows.",
                        "runbook_url": _runbook(catalog, "errorbudgetburn"),
                    },
                }
            )
    return rules


def _periods(catalog: Catalog) -> list[int]:
    return sorted({s.slo_period_days for s in catalog.services if s.slos})


def fleet_groups(catalog: Catalog) -> list[Group]:
    """The shared groups: their number of rules depends on the SLO periods, not services."""
    routing = _routing_labels(catalog)
    periods = _periods(catalog)
    groups = [_sli_group(), _windows_group()]
    if periods:
        groups.append(_period_group(periods))
    groups.append(
        {
            "name": "zwobs-alerts",
            "rules": _red_alerts(catalog, routing) + _burn_alerts(catalog, routing, periods),
        }
    )
    return groups


# --- per-service group --------------------------------------------------------------


def _constant(metric: str, value: float, labels: dict[str, str]) -> Rule:
    return {"record": metric, "expr": f"vector({_num(value)})", "labels": labels}


def _custom_rules(slo: Slo, labels: dict[str, str]) -> list[Rule]:
    errors = slo.errors_query.replace("{{.window}}", "5m")
    total = slo.total_query.replace("{{.window}}", "5m")
    return [
        {"record": names.SLO_REQUESTS_RATE["5m"], "expr": total, "labels": labels},
        {
            "record": names.SLO_ERRORS_RATE["5m"],
            "expr": f"({errors})\nor\n0 * ({total})",
            "labels": labels,
        },
    ]


def service_group(catalog: Catalog, service: Service) -> Group:
    """Constant series of one service (plus base rules of imported SLOs)."""
    n = names
    svc = {n.LABEL_SERVICE: service.name}
    info = {
        **svc,
        n.LABEL_TEAM: service.team,
        n.LABEL_TIER: str(service.tier),
        **dict(service.labels),
    }
    if service.runbook_url:
        info["runbook_url"] = service.runbook_url
    rules: list[Rule] = [_constant(n.SERVICE_INFO, 1, dict(sorted(info.items())))]
    d, a = catalog.defaults, service.alerts
    if service.origin == "catalog":
        for metric, value, default in (
            (n.ALERT_THRESHOLD_ERROR_RATIO, a.error_rate, d.error_rate),
            (n.ALERT_THRESHOLD_LATENCY_P95, a.latency_p95_seconds, d.latency_p95_seconds),
            (n.ALERT_THRESHOLD_MIN_RPS, a.min_rps, d.min_rps),
        ):
            if value != default:
                rules.append(_constant(metric, value, svc))
    if a.slo_min_requests != d.slo_min_requests:
        rules.append(_constant(n.SLO_MIN_REQUESTS, a.slo_min_requests, svc))
    period = period_label(service.slo_period_days)
    for slo in service.slos:
        labels = {
            **svc,
            n.LABEL_SLI: slo.kind.value,
            n.LABEL_SLO: slo.name,
            n.LABEL_SLO_PERIOD: period,
        }
        rules.append(_constant(n.SLO_OBJECTIVE, slo.objective / 100, labels))
        if slo.kind is SloKind.LATENCY and slo.latency_threshold_seconds is not None:
            threshold = slo.latency_threshold_seconds
            rules.append(
                _constant(
                    n.SLO_LATENCY_THRESHOLD,
                    threshold,
                    {**svc, n.LABEL_LE: bucket_label(threshold), n.LABEL_SLO: slo.name},
                )
            )
        if slo.kind is SloKind.CUSTOM:
            rules.extend(_custom_rules(slo, labels))
    return {"name": f"zwobs-service-{service.name}", "rules": rules}
