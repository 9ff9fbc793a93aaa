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
* Burn-rate windows and factors come from the period's table (zwobs/slo.py); an SLO alert
  needs a minimum number of requests in its long window (the traffic guard).
* With a catalog ``topology`` (see the README section "Fleet topology") the 5m rates are
  recorded per (service, location) next to the raw series (the *edge* layer); everything
  else reads recorded series only (the *global* layer): HighErrorRate, HighLatency and the
  page-severity burn alert fire per location, budgets and tickets stay per (service, SLO).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from zwobs import names, promql, slo
from zwobs.catalog.model import Catalog, Service, Slo, SloKind

__all__ = [
    "alert_for",
    "burn_description",
    "crossing_series",
    "fleet_groups",
    "service_group",
    "subject",
]

Rule = dict[str, Any]
Group = dict[str, Any]

_BY_SERVICE = (names.LABEL_SERVICE,)
_SLO_KEYS = (names.LABEL_SERVICE, names.LABEL_SLO, names.LABEL_SLI, names.LABEL_SLO_PERIOD)
_EDGE, _GLOBAL = "edge", "global"


def alert_for(catalog: Catalog, key: str) -> str:
    """The catalog's ``for`` of an alert, or its default (names.DEFAULT_ALERT_FOR)."""
    return dict(catalog.alert_for).get(key, names.DEFAULT_ALERT_FOR[key])


def _routing_labels(catalog: Catalog) -> list[str]:
    keys = {names.LABEL_TEAM}
    for service in catalog.services:
        keys.update(k for k, _ in service.labels)
    return sorted(keys)


def subject(locations: Iterable[str] = ()) -> str:
    """Who an alert is about, in its summary: the service, and its location when per-location."""
    where = ", ".join(f"{label}={{{{ $labels.{label} }}}}" for label in locations)
    return "{{ $labels.service }}" + (f" in {where}" if where else "")


# --- fleet groups -------------------------------------------------------------------


def _sli_group() -> Group:
    n, by = names, _BY_SERVICE
    rules: list[Rule] = [
        {
            "record": n.SERVICE_REQUESTS_RATE5M,
            "expr": promql.rule_sum_rate(n.REQUESTS_TOTAL, by),
        },
        {
            "record": n.SERVICE_ERRORS_RATE5M,
            "expr": promql.rule_errors(n.SERVICE_REQUESTS_RATE5M, by),
        },
        {
            "record": n.SERVICE_ERROR_RATIO_RATE5M,
            "expr": promql.rule_error_ratio(n.SERVICE_ERRORS_RATE5M, n.SERVICE_REQUESTS_RATE5M, by),
        },
        {
            "record": n.SERVICE_LATENCY_BUCKET_RATE5M,
            "expr": promql.rule_sum_rate(f"{n.REQUEST_DURATION}_bucket", (*by, n.LABEL_LE)),
        },
        {
            "record": n.SERVICE_LATENCY_COUNT_RATE5M,
            "expr": promql.rule_sum_rate(f"{n.REQUEST_DURATION}_count", by),
        },
        {
            "record": n.SERVICE_LATENCY_P95_5M,
            "expr": promql.rule_latency_p95(n.SERVICE_LATENCY_BUCKET_RATE5M),
        },
        {
            "record": n.slo_requests_rate("5m"),
            "expr": promql.rule_slo_requests(
                n.SERVICE_REQUESTS_RATE5M, n.SERVICE_LATENCY_COUNT_RATE5M, by
            ),
        },
        {
            "record": n.slo_errors_rate("5m"),
            "expr": promql.rule_slo_errors(
                n.SERVICE_ERRORS_RATE5M,
                n.SERVICE_LATENCY_COUNT_RATE5M,
                n.SERVICE_LATENCY_BUCKET_RATE5M,
                by,
            ),
        },
    ]
    return {"name": "zwobs-sli", "rules": rules}


def _windows_group(periods: Iterable[int]) -> Group:
    n = names
    rules: list[Rule] = [
        {
            "record": n.slo_error_ratio("5m"),
            "expr": promql.rule_ratio(n.slo_errors_rate("5m"), n.slo_requests_rate("5m")),
        }
    ]
    for window in slo.recorded_windows(periods)[1:]:
        for record in (n.slo_requests_rate, n.slo_errors_rate):
            rules.append(
                {"record": record(window), "expr": promql.rule_window_rate(record("5m"), window)}
            )
        rules.append(
            {
                "record": n.slo_error_ratio(window),
                "expr": promql.rule_ratio(n.slo_errors_rate(window), n.slo_requests_rate(window)),
            }
        )
    return {"name": "zwobs-slo-windows", "rules": rules}


def _period_group(periods: Iterable[int]) -> Group:
    n = names
    rules: list[Rule] = []
    for days in sorted(set(periods)):
        label = slo.period_label(days)
        rules.append(
            {
                "record": n.SLO_ERROR_RATIO_PERIOD,
                "expr": promql.rule_period_ratio(
                    n.slo_errors_rate("1h"), n.slo_requests_rate("1h"), label
                ),
                "labels": {n.LABEL_SLO_PERIOD: label},
            }
        )
    if rules:
        rules.append({"record": n.SLO_BUDGET_REMAINING, "expr": promql.rule_budget_remaining()})
    return {"name": "zwobs-slo-period", "interval": "1m", "rules": rules}


def _runbook_base(catalog: Catalog) -> str | None:
    """The common ``<base>`` when every service's runbook is ``<base>/<service>``; None as
    soon as one service has its own URL (or none), which the static template would lose."""
    bases = {
        s.runbook_url[: -len(s.name) - 1] if s.runbook_url.endswith(f"/{s.name}") else None
        for s in catalog.services
    }
    base = bases.pop() if len(bases) == 1 else None
    return base or None


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
    d = catalog.defaults
    topology = catalog.topology
    locations = topology.location_labels
    level = n.location_level if locations else str
    by = (n.LABEL_SERVICE, *locations)

    def guarded(condition: str) -> str:
        if not locations:
            return condition
        requests = level(n.SERVICE_REQUESTS_RATE5M)
        return promql.rule_location_guard(condition, requests, by, topology.min_location_requests)

    high_error = guarded(
        promql.rule_threshold_alert(
            level(n.SERVICE_ERROR_RATIO_RATE5M), ">", n.ALERT_THRESHOLD_ERROR_RATIO, d.error_rate
        )
    )
    high_latency = guarded(
        promql.rule_threshold_alert(
            level(n.SERVICE_LATENCY_P95_5M),
            ">",
            n.ALERT_THRESHOLD_LATENCY_P95,
            d.latency_p95_seconds,
        )
    )
    throughput_level = level if topology.min_rps_per_location else str
    low_throughput = promql.rule_threshold_alert(
        throughput_level(n.SERVICE_REQUESTS_RATE5M), "<", n.ALERT_THRESHOLD_MIN_RPS, d.min_rps
    )
    who = subject(locations)
    who_throughput = subject(locations if topology.min_rps_per_location else ())
    return [
        {
            "alert": n.ALERT_HIGH_ERROR_RATE,
            "expr": promql.rule_route(high_error, routing),
            "for": alert_for(catalog, n.ALERT_HIGH_ERROR_RATE),
            "labels": {n.LABEL_SEVERITY: n.SEVERITY_CRITICAL},
            "annotations": {
                "summary": f"{who}: {{{{ $value | humanizePercentage }}}} of"
                " requests fail with 5xx",
                "description": f"The 5xx ratio of {who} over 5m is"
                " {{ $value | humanizePercentage }}, above the error_rate of its catalog entry.",
                "runbook_url": _runbook(catalog, n.ALERT_HIGH_ERROR_RATE.lower()),
            },
        },
        {
            "alert": n.ALERT_HIGH_LATENCY,
            "expr": promql.rule_route(high_latency, routing),
            "for": alert_for(catalog, n.ALERT_HIGH_LATENCY),
            "labels": {n.LABEL_SEVERITY: n.SEVERITY_WARNING},
            "annotations": {
                "summary": f'{who}: p95 latency {{{{ printf "%.3g" $value }}}}s',
                "description": f"The p95 latency of {who} over 5m is"
                ' {{ printf "%.3g" $value }}s, above the latency_p95_seconds of its'
                " catalog entry.",
                "runbook_url": _runbook(catalog, n.ALERT_HIGH_LATENCY.lower()),
            },
        },
        {
            "alert": n.ALERT_LOW_THROUGHPUT,
            "expr": promql.rule_route(low_throughput, routing),
            "for": alert_for(catalog, n.ALERT_LOW_THROUGHPUT),
            "labels": {n.LABEL_SEVERITY: n.SEVERITY_WARNING},
            "annotations": {
                "summary": f'{who_throughput}: {{{{ printf "%.3g" $value }}}} requests/s',
                "description": f"{who_throughput} serves"
                ' {{ printf "%.3g" $value }} requests/s over 5m, below the min_rps of its'
                " catalog entry.",
                "runbook_url": _runbook(catalog, n.ALERT_LOW_THROUGHPUT.lower()),
            },
        },
    ]


def burn_description(days: int, severity: str) -> tuple[str, str]:
    """(speed, factors) of a burn alert's text, such as ``fast`` and the period's page factors."""
    rows = slo.severities(days)[severity]
    speed = "fast" if severity == slo.PAGE else "steadily"
    return speed, " / ".join(f"{slo.burn_factor(r, days):g}x" for r in rows)


def _burn_annotations(
    catalog: Catalog, days: int, severity: str, locations: Iterable[str] = ()
) -> dict[str, str]:
    speed, factors = burn_description(days, severity)
    who = subject(locations)
    return {
        "summary": f"{who}: SLO {{{{ $labels.slo }}}} burns its error budget {speed}",
        "description": f"{who} fails SLO {{{{ $labels.slo }}}} on"
        " {{ $value | humanizePercentage }} of requests: the budget of the"
        f" {slo.period_label(days)} period burns above {factors} in both windows.",
        "runbook_url": _runbook(catalog, names.ALERT_ERROR_BUDGET_BURN.lower()),
    }


def _burn_for(catalog: Catalog, severity: str, rows: tuple[slo.BurnRow, ...]) -> str:
    n = names
    key = n.ALERT_FOR_BURN_PAGE if severity == slo.PAGE else n.ALERT_FOR_BURN_TICKET
    return dict(catalog.alert_for).get(key, rows[0].for_)


def _has_imports(catalog: Catalog) -> bool:
    return any(s.origin != "catalog" for s in catalog.services)


def _burn_alerts(catalog: Catalog, routing: list[str], periods: Iterable[int]) -> list[Rule]:
    n = names
    rules: list[Rule] = []
    locations = catalog.topology.location_labels
    # imported SLOs burn through their own rules (their alert names, labels, disables)
    match = (
        (promql.Matcher(n.LABEL_SLI, SloKind.CUSTOM.value, "!="),) if _has_imports(catalog) else ()
    )
    for days in sorted(set(periods)):
        label = slo.period_label(days)
        for severity, rows in slo.severities(days).items():
            # pages name the failing location; tickets (the budget) stay per (service, SLO)
            at = locations if severity == slo.PAGE else ()
            guard = (
                catalog.topology.min_location_requests if at else catalog.defaults.slo_min_requests
            )
            conditions = _burn_conditions(rows, days, guard, location=at, match=match)
            rules.append(
                {
                    "alert": n.ALERT_ERROR_BUDGET_BURN,
                    "expr": promql.rule_route(conditions, routing),
                    "for": _burn_for(catalog, severity, rows),
                    "labels": {n.LABEL_SEVERITY: severity, n.LABEL_SLO_PERIOD: label},
                    "annotations": _burn_annotations(catalog, days, severity, at),
                }
            )
    return rules


def _burn_conditions(rows: Sequence[slo.BurnRow], days: int, guard: float, **options: Any) -> str:
    """Any row of a severity burning: the rows' conditions joined with ``or``."""
    period = slo.period_label(days)
    return "\n  or\n".join(
        promql.rule_burn_condition(
            r.short, r.long, slo.burn_factor(r, days), period, guard, **options
        )
        for r in rows
    )


def _imported_alerts(catalog: Catalog, service: Service, objective: Slo) -> list[Rule]:
    """An imported SLO's page and ticket alerts: the same burn conditions as the fleet's,
    narrowed to the SLO, with its source's alert name, labels, annotations and disables."""
    n = names
    days = service.slo_period_days
    label = slo.period_label(days)
    match = (
        promql.Matcher(n.LABEL_SERVICE, service.name),
        promql.Matcher(n.LABEL_SLO, objective.name),
    )
    guard = catalog.defaults.slo_min_requests
    if objective.min_requests is not None:
        guard = objective.min_requests
    rules: list[Rule] = []
    for severity, rows in slo.severities(days).items():
        alert = objective.page if severity == slo.PAGE else objective.ticket
        if alert is None or alert.disabled:
            continue
        conditions = _burn_conditions(rows, days, guard, match=match, fixed_guard=True)
        labels = {n.LABEL_SEVERITY: severity, n.LABEL_TEAM: service.team, **dict(alert.labels)}
        rules.append(
            {
                "alert": objective.alert_name or n.ALERT_ERROR_BUDGET_BURN,
                "expr": conditions,
                "for": _burn_for(catalog, severity, rows),
                "labels": dict(sorted({**labels, n.LABEL_SLO_PERIOD: label}.items())),
                "annotations": {
                    **_burn_annotations(catalog, days, severity),
                    **dict(alert.annotations),
                },
            }
        )
    return rules


def _periods(catalog: Catalog) -> list[int]:
    return sorted({s.slo_period_days for s in catalog.services if s.slos})


def _slots(catalog: Catalog) -> int:
    """SLO slots the per-location rules join (the most SLOs one service has)."""
    return max((len(s.slos) for s in catalog.services if s.origin == "catalog"), default=0)


def _location_sli_group(catalog: Catalog) -> Group:
    """Edge: 5m rates per (service, location) from the raw series, and per-location SLI rates."""
    n, loc = names, names.location_level
    by = (n.LABEL_SERVICE, *catalog.topology.location_labels)
    requests, errors = loc(n.SERVICE_REQUESTS_RATE5M), loc(n.SERVICE_ERRORS_RATE5M)
    buckets, count = loc(n.SERVICE_LATENCY_BUCKET_RATE5M), loc(n.SERVICE_LATENCY_COUNT_RATE5M)
    rules: list[Rule] = [
        {"record": requests, "expr": promql.rule_sum_rate(n.REQUESTS_TOTAL, by)},
        {"record": errors, "expr": promql.rule_errors(requests, by)},
        {
            "record": buckets,
            "expr": promql.rule_sum_rate(f"{n.REQUEST_DURATION}_bucket", (*by, n.LABEL_LE)),
        },
        {"record": count, "expr": promql.rule_sum_rate(f"{n.REQUEST_DURATION}_count", by)},
        {"record": loc(n.SERVICE_LATENCY_P95_5M), "expr": promql.rule_latency_p95(buckets)},
    ]
    slots = _slots(catalog)
    if slots:
        rules += [
            {
                "record": loc(n.slo_requests_rate("5m")),
                "expr": promql.rule_location_slo_requests(requests, count, slots),
            },
            {
                "record": loc(n.slo_errors_rate("5m")),
                "expr": promql.rule_location_slo_errors(errors, count, buckets, by, slots),
            },
        ]
    return {"name": "zwobs-sli", "rules": rules}


def crossing_series(catalog: Catalog) -> tuple[str, ...]:
    """The recorded series the edge layer sends to the global layer (remote write or
    federation keeps these names only): the per-location 5m rates the global rules read."""
    n, loc = names, names.location_level
    if not catalog.topology.location_labels:
        return tuple(r["record"] for r in _sli_group()["rules"])
    sent = [
        loc(n.SERVICE_REQUESTS_RATE5M),
        loc(n.SERVICE_ERRORS_RATE5M),
        loc(n.SERVICE_LATENCY_P95_5M),
    ]
    if _slots(catalog):
        sent += [loc(n.slo_requests_rate("5m")), loc(n.slo_errors_rate("5m"))]
    return tuple(sent)


def _service_from_locations(catalog: Catalog) -> Group:
    """Global: per-location 5m ratios, and the service-level 5m rates as sums over locations
    (the slowest location's p95 stands for the service's: quantiles do not add up)."""
    n, loc = names, names.location_level
    by = (n.LABEL_SERVICE, *catalog.topology.location_labels)
    over = promql.rule_over_locations
    rules: list[Rule] = [
        {
            "record": loc(n.SERVICE_ERROR_RATIO_RATE5M),
            "expr": promql.rule_error_ratio(
                loc(n.SERVICE_ERRORS_RATE5M), loc(n.SERVICE_REQUESTS_RATE5M), by
            ),
        },
        {
            "record": n.SERVICE_REQUESTS_RATE5M,
            "expr": over(loc(n.SERVICE_REQUESTS_RATE5M), _BY_SERVICE),
        },
        {
            "record": n.SERVICE_ERRORS_RATE5M,
            "expr": over(loc(n.SERVICE_ERRORS_RATE5M), _BY_SERVICE),
        },
        {
            "record": n.SERVICE_ERROR_RATIO_RATE5M,
            "expr": promql.rule_error_ratio(
                n.SERVICE_ERRORS_RATE5M, n.SERVICE_REQUESTS_RATE5M, _BY_SERVICE
            ),
        },
        {
            "record": n.SERVICE_LATENCY_P95_5M,
            "expr": over(loc(n.SERVICE_LATENCY_P95_5M), _BY_SERVICE, "max"),
        },
    ]
    if _slots(catalog):
        for record in (n.slo_requests_rate("5m"), n.slo_errors_rate("5m")):
            rules.append({"record": record, "expr": over(loc(record), _SLO_KEYS)})
    return {"name": "zwobs-locations", "rules": rules}


def _location_windows_group(periods: Iterable[int]) -> Group:
    """Global: per-location windows of the page rows only (tickets and budgets are per
    service)."""
    n, loc = names, names.location_level
    rules: list[Rule] = []
    for window in slo.page_windows(periods):
        if window != "5m":
            for record in (n.slo_requests_rate, n.slo_errors_rate):
                rules.append(
                    {
                        "record": loc(record(window)),
                        "expr": promql.rule_window_rate(loc(record("5m")), window),
                    }
                )
        rules.append(
            {
                "record": loc(n.slo_error_ratio(window)),
                "expr": promql.rule_ratio(
                    loc(n.slo_errors_rate(window)), loc(n.slo_requests_rate(window))
                ),
            }
        )
    return {"name": "zwobs-location-windows", "rules": rules}


def _layered(catalog: Catalog) -> list[tuple[str, Group]]:
    routing = _routing_labels(catalog)
    periods = _periods(catalog)
    located = bool(catalog.topology.location_labels)
    groups: list[tuple[str, Group]] = []
    if located:
        groups.append((_EDGE, _location_sli_group(catalog)))
        groups.append((_GLOBAL, _service_from_locations(catalog)))
        if periods and _slots(catalog):
            groups.append((_GLOBAL, _location_windows_group(periods)))
    else:
        groups.append((_EDGE, _sli_group()))
    groups.append((_GLOBAL, _windows_group(periods)))
    if periods:
        groups.append((_GLOBAL, _period_group(periods)))
    groups.append(
        (
            _GLOBAL,
            {
                "name": "zwobs-alerts",
                "rules": _red_alerts(catalog, routing) + _burn_alerts(catalog, routing, periods),
            },
        )
    )
    return groups


def fleet_groups(catalog: Catalog, layer: str = "all") -> list[Group]:
    """The shared groups: their number of rules depends on the SLO periods, not services.
    ``layer`` picks the edge groups (read raw series), the global ones (read recorded series
    only) or both (one Prometheus holding everything)."""
    return [group for where, group in _layered(catalog) if layer in ("all", where)]


# --- per-service group --------------------------------------------------------------


def _constant(metric: str, value: float, labels: dict[str, str]) -> Rule:
    return {"record": metric, "expr": promql.rule_constant(value), "labels": labels}


def _custom_rules(objective: Slo, labels: dict[str, str]) -> list[Rule]:
    errors = objective.errors_query.replace("{{.window}}", "5m")
    total = objective.total_query.replace("{{.window}}", "5m")
    return [
        {"record": names.slo_requests_rate("5m"), "expr": total, "labels": labels},
        {
            "record": names.slo_errors_rate("5m"),
            "expr": promql.rule_custom_errors(errors, total),
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
    if service.origin == "catalog" and a.slo_min_requests != d.slo_min_requests:
        rules.append(_constant(n.SLO_MIN_REQUESTS, a.slo_min_requests, svc))
    period = slo.period_label(service.slo_period_days)
    located = bool(catalog.topology.location_labels)
    for index, objective in enumerate(service.slos):
        slot = {n.LABEL_SLO_SLOT: str(index)} if located else {}
        labels = {
            **svc,
            n.LABEL_SLI: objective.kind.value,
            n.LABEL_SLO: objective.name,
            n.LABEL_SLO_PERIOD: period,
        }
        rules.append(
            _constant(
                n.SLO_OBJECTIVE, objective.objective / 100, dict(sorted({**labels, **slot}.items()))
            )
        )
        threshold = objective.latency_threshold_seconds
        if objective.kind is SloKind.LATENCY and threshold is not None:
            le = promql.bucket_label(threshold)
            rules.append(
                _constant(
                    n.SLO_LATENCY_THRESHOLD,
                    threshold,
                    {**svc, n.LABEL_LE: le, n.LABEL_SLO: objective.name, **slot},
                )
            )
        if objective.kind is SloKind.CUSTOM:
            rules.extend(_custom_rules(objective, labels))
            rules.extend(_imported_alerts(catalog, service, objective))
    return {"name": f"zwobs-service-{service.name}", "rules": rules}
