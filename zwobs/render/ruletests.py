"""promtool unit tests for one service's rules: every SLO fires at a fast burn and stays
silent at a slow burn, with a handful of requests, and once traffic stops (no NaN left).
With a catalog ``topology``: one location down pages naming it while the others stay
silent, all locations healthy fire nothing, and a tiny location failing every one of its
3 requests an hour does not page.

The inputs are synthetic counters and histograms with constant rates, so every expected
value (ratios, p95, annotations) is known exactly in advance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zwobs import names
from zwobs.catalog.model import Catalog, Service, Slo, SloKind
from zwobs.durations import parse_duration
from zwobs.promql import bucket_label
from zwobs.render.imported_tests import imported_tests
from zwobs.render.rules import alert_for, burn_description, subject
from zwobs.slo import (
    PAGE,
    TICKET,
    burn_factor,
    page_factor,
    page_windows,
    period_label,
    recorded_windows,
    severities,
)

__all__ = ["service_tests"]


def _minutes(duration: str) -> float:
    return parse_duration(duration) / 60


def _num(value: float) -> str:
    return f"{value:.10g}"


def _counter(per_minute: float, steps: int, idle_after: int | None = None) -> str:
    """promtool series values; an idle tail repeats the exact last value (no false reset)."""
    if idle_after is None:
        return f"0+{_num(per_minute)}x{steps}"
    active = [_num(round(per_minute * i, 6)) for i in range(idle_after + 1)]
    return f"{' '.join(active)} {active[-1]}+0x{steps - idle_after - 1}"


def _pct(value: float) -> str:
    return f"{value * 100:.4g}%"


@dataclass(frozen=True, slots=True)
class _Traffic:
    """Requests per second of one scenario, and which fraction is bad for which SLI."""

    rps: float
    error_ratio: float = 0.0
    slow_ratio: float = 0.0
    slow_threshold: float | None = None
    """Requests slower than this are the ``slow_ratio``; None: no histogram traffic."""
    idle_after: int | None = None
    minutes: int | None = None
    """Length of the input series (default: long enough for every ``for``)."""


class _Builder:
    def __init__(self, catalog: Catalog, service: Service) -> None:
        self.catalog = catalog
        self.service = service
        self.buckets = catalog.latency_buckets
        self.windows = recorded_windows((service.slo_period_days,))
        self.steps = int(
            20
            + max(
                _minutes(alert_for(catalog, key))
                for key in (
                    names.ALERT_FOR_BURN_PAGE,
                    names.ALERT_FOR_BURN_TICKET,
                    names.ALERT_HIGH_ERROR_RATE,
                )
            )
            + max(
                _minutes(alert_for(catalog, key))
                for key in (names.ALERT_HIGH_LATENCY, names.ALERT_LOW_THROUGHPUT)
            )
        )
        self.eval_minute = self.steps - 5
        routing = {k: v for k, v in service.labels}
        self.route = {names.LABEL_TEAM: service.team, **routing}
        self.topology = catalog.topology
        self.locations = catalog.topology.location_labels
        self.place = self.at("a")
        """The location of the single-location cases (empty without a topology)."""

    def at(self, name: str) -> dict[str, str]:
        """Location ``name``'s labels (``region="region-a"``)."""
        return {label: f"{label}-{name}" for label in self.locations}

    def who(self, place: dict[str, str]) -> str:
        """An alert's subject as its summary renders it (rules.subject, expanded)."""
        text = subject(place)
        text = text.replace("{{ $labels.service }}", self.service.name)
        for label, value in place.items():
            text = text.replace(f"{{{{ $labels.{label} }}}}", value)
        return text

    # -- inputs -------------------------------------------------------------------------

    def _series(self, metric: str, labels: dict[str, str], values: str) -> dict[str, str]:
        inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        return {"series": f"{metric}{{{inner}}}", "values": values}

    def inputs(
        self, traffic: _Traffic, place: dict[str, str] | None = None
    ) -> list[dict[str, str]]:
        n = names
        base = {
            n.LABEL_SERVICE: self.service.name,
            n.LABEL_METHOD: "GET",
            n.LABEL_PATH: "/",
            **(self.place if place is None else place),
        }
        per_minute = traffic.rps * 60
        steps = traffic.minutes or self.steps
        out: list[dict[str, str]] = []
        if traffic.slow_threshold is None or self.locations:
            # per-location guards read the request counter: the latency scenarios export it too
            for status, share in (("200", 1 - traffic.error_ratio), ("500", traffic.error_ratio)):
                out.append(
                    self._series(
                        n.REQUESTS_TOTAL,
                        {**base, n.LABEL_STATUS: status},
                        _counter(per_minute * share, steps, traffic.idle_after),
                    )
                )
        if traffic.slow_threshold is None:
            return out
        hist = {k: v for k, v in base.items() if k != n.LABEL_STATUS}
        for bound in (*self._bounds(traffic), float("inf")):
            share = self._cumulative(traffic, bound)
            le = "+Inf" if bound == float("inf") else bucket_label(bound)
            out.append(
                self._series(
                    f"{n.REQUEST_DURATION}_bucket",
                    {**hist, n.LABEL_LE: le},
                    _counter(per_minute * share, steps, traffic.idle_after),
                )
            )
        out.append(
            self._series(
                f"{n.REQUEST_DURATION}_count",
                hist,
                _counter(per_minute, steps, traffic.idle_after),
            )
        )
        return out

    def _next_bucket(self, bound: float) -> float:
        above = [b for b in self.buckets if b > bound + 1e-12]
        return above[0] if above else float("inf")

    def _bounds(self, traffic: _Traffic) -> list[float]:
        """The buckets the rules read in this scenario (every latency SLO threshold, the
        scenario's slow bucket and the p95 interpolation bounds); others add only bytes."""
        wanted = {
            slo.latency_threshold_seconds
            for slo in self.service.slos
            if slo.kind is SloKind.LATENCY and slo.latency_threshold_seconds is not None
        }
        threshold = traffic.slow_threshold or 0.0
        wanted.update({threshold, self._next_bucket(threshold)})
        return sorted(b for b in self.buckets if any(abs(b - w) < 1e-12 for w in wanted))

    def _cumulative(self, traffic: _Traffic, bound: float) -> float:
        """Fraction of requests at or below ``bound``: good ones in the threshold's bucket,
        slow ones in the next bucket up."""
        threshold = traffic.slow_threshold or 0.0
        slow_bucket = self._next_bucket(threshold)
        if bound + 1e-12 < threshold:
            return 0.0
        if bound + 1e-12 < slow_bucket:
            return 1 - traffic.slow_ratio
        return 1.0

    # -- expectations -------------------------------------------------------------------

    def _bad_ratio(self, slo: Slo, traffic: _Traffic) -> float | None:
        if slo.kind is SloKind.AVAILABILITY and traffic.slow_threshold is None:
            return traffic.error_ratio
        if slo.kind is SloKind.LATENCY and traffic.slow_threshold is not None:
            threshold = slo.latency_threshold_seconds or 0.0
            return 1 - self._cumulative(traffic, threshold)
        return None

    def _runbook(self, anchor: str) -> str:
        return f"{self.service.runbook_url}#{anchor}"

    def _window_requests(self, traffic: _Traffic, window: str) -> float:
        """Requests inside ``window`` at the evaluation time (0: the window saw no traffic)."""
        evaluate = (traffic.minutes or self.steps) - 5
        minutes = _minutes(window)
        active_until = evaluate if traffic.idle_after is None else traffic.idle_after
        if evaluate - minutes >= active_until - 1:
            return 0.0
        return traffic.rps * 60 * min(active_until, minutes)

    def _fires(self, slo: Slo, bad: float, traffic: _Traffic, severity: str) -> bool:
        days = self.service.slo_period_days
        guard = self.service.alerts.slo_min_requests
        if self.locations and severity == PAGE:
            guard = self.topology.min_location_requests
        for pair in severities(days)[severity]:
            short = self._window_requests(traffic, pair.short)
            long = self._window_requests(traffic, pair.long)
            if (
                short > 0
                and long >= max(guard, 1e-9)
                and bad > burn_factor(pair, days) * slo.error_budget
            ):
                return True
        return False

    def burn_alert(
        self, slo: Slo, severity: str, bad: float, place: dict[str, str]
    ) -> dict[str, Any]:
        """The expected ErrorBudgetBurn of ``slo`` (a page names its location, a ticket not)."""
        n = names
        days = self.service.slo_period_days
        at = place if severity == PAGE else {}
        who = self.who(at)
        speed, factors = burn_description(days, severity)
        return {
            "exp_labels": {
                n.LABEL_SERVICE: self.service.name,
                n.LABEL_SLO: slo.name,
                n.LABEL_SLI: slo.kind.value,
                n.LABEL_SLO_PERIOD: period_label(days),
                n.LABEL_SEVERITY: severity,
                **self.route,
                **at,
            },
            "exp_annotations": {
                "summary": f"{who}: SLO {slo.name} burns its error budget {speed}",
                "description": f"{who} fails SLO {slo.name} on"
                f" {_pct(bad)} of requests: the budget of the"
                f" {period_label(days)} period burns above {factors} in both"
                " windows.",
                "runbook_url": self._runbook("errorbudgetburn"),
            },
        }

    def burn_alerts(self, traffic: _Traffic) -> list[dict[str, Any]]:
        alerts: list[dict[str, Any]] = []
        for slo in self.service.slos:
            bad = self._bad_ratio(slo, traffic)
            if bad is None:
                continue
            for severity in (PAGE, TICKET):
                if self._fires(slo, bad, traffic, severity):
                    alerts.append(self.burn_alert(slo, severity, bad, self.place))
        return alerts

    def red_alert(
        self,
        alert: str,
        severity: str,
        annotations: dict[str, str],
        place: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        return {
            "exp_labels": {
                names.LABEL_SERVICE: self.service.name,
                names.LABEL_SEVERITY: severity,
                **self.route,
                **(self.place if place is None else place),
            },
            "exp_annotations": {**annotations, "runbook_url": self._runbook(alert.lower())},
        }

    # -- test cases ---------------------------------------------------------------------

    def eval_time(self, traffic: _Traffic) -> str:
        return f"{(traffic.minutes or self.steps) - 5}m"

    def case(self, name: str, traffic: _Traffic, **extra: Any) -> dict[str, Any]:
        alert_tests = [
            {
                "eval_time": self.eval_time(traffic),
                "alertname": names.ALERT_ERROR_BUDGET_BURN,
                "exp_alerts": self.burn_alerts(traffic),
            }
        ]
        alert_tests.extend(extra.pop("alert_tests", []))
        case: dict[str, Any] = {
            "name": f"{self.service.name}: {name}",
            "interval": "1m",
            "input_series": self.inputs(traffic),
            "alert_rule_test": alert_tests,
        }
        case.update(extra)
        return case

    def guard_rps(self) -> float:
        """Comfortably above the traffic guard in the shortest long window (1h)."""
        return max(
            10.0,
            4 * self.service.alerts.slo_min_requests / 3600,
            self.service.alerts.min_rps * 2,
            2 * self.topology.min_location_requests / 300 if self.locations else 0.0,
        )

    def slo_cases(self, slo: Slo) -> list[dict[str, Any]]:
        budget = slo.error_budget
        fast = min(1.0, 2 * page_factor(self.service.slo_period_days) * budget)
        slow = 0.5 * budget  # every table's factors are >= 1: half the budget rate never alerts
        threshold = slo.latency_threshold_seconds if slo.kind is SloKind.LATENCY else None

        def traffic(ratio: float, rps: float, idle_after: int | None = None) -> _Traffic:
            minutes = None if idle_after is None else max(self.steps, 130)
            if threshold is None:
                return _Traffic(rps, error_ratio=ratio, idle_after=idle_after, minutes=minutes)
            return _Traffic(
                rps,
                slow_ratio=ratio,
                slow_threshold=threshold,
                idle_after=idle_after,
                minutes=minutes,
            )

        rps = self.guard_rps()
        cases = [
            self.case(f"SLO {slo.name} pages at a fast burn", traffic(fast, rps)),
            self.case(f"SLO {slo.name} stays silent at a slow burn", traffic(slow, rps)),
        ]
        if self.service.alerts.slo_min_requests > 1:
            handful = self.service.alerts.slo_min_requests / (4 * 3600 * max(1, self.steps / 60))
            cases.append(
                self.case(
                    f"SLO {slo.name}: a handful of requests, all bad, does not page",
                    traffic(1.0, handful),
                )
            )
        idle = traffic(slow, rps, idle_after=30)
        evaluate = self.eval_time(idle)
        nan_checks = [
            {
                "expr": f'count({m}{{service="{self.service.name}"}} != {m})',
                "eval_time": evaluate,
                "exp_samples": [],
            }
            for m in (
                *(names.slo_error_ratio(w) for w in self.windows),
                names.SLO_ERROR_RATIO_PERIOD,
                names.SLO_BUDGET_REMAINING,
                names.SERVICE_ERROR_RATIO_RATE5M,
                names.SERVICE_LATENCY_P95_5M,
                *self.location_ratios(),
            )
        ]
        budget_check = {
            "expr": f'count by (slo) ({names.SLO_BUDGET_REMAINING}{{service="{self.service.name}",'
            f' slo="{slo.name}"}} > 0 < 1)',
            "eval_time": evaluate,
            "exp_samples": [{"labels": f'{{slo="{slo.name}"}}', "value": 1}],
        }
        cases.append(
            self.case(
                f"SLO {slo.name}: traffic stops, nothing fires and no ratio turns NaN",
                idle,
                promql_expr_test=[*nan_checks, budget_check],
            )
        )
        return cases

    def red_cases(self) -> list[dict[str, Any]]:
        a = self.service.alerts
        rps = self.guard_rps()
        error_ratio = min(1.0, 2 * a.error_rate)
        evaluate = f"{self.eval_minute}m"
        cases = [
            self.case(
                "HighErrorRate fires above error_rate",
                _Traffic(rps, error_ratio=error_ratio),
                alert_tests=[
                    {
                        "eval_time": evaluate,
                        "alertname": names.ALERT_HIGH_ERROR_RATE,
                        "exp_alerts": [
                            self.red_alert(
                                names.ALERT_HIGH_ERROR_RATE,
                                names.SEVERITY_CRITICAL,
                                self.error_text(self.place, error_ratio),
                            )
                        ],
                    },
                    {"eval_time": evaluate, "alertname": names.ALERT_LOW_THROUGHPUT},
                ],
            ),
        ]
        if a.min_rps > 0:
            low = a.min_rps / 2
            throughput_place = self.place if self.topology.min_rps_per_location else {}
            throughput = self.who(throughput_place)
            cases.append(
                self.case(
                    "LowThroughput fires below min_rps",
                    _Traffic(low),
                    alert_tests=[
                        {
                            "eval_time": evaluate,
                            "alertname": names.ALERT_LOW_THROUGHPUT,
                            "exp_alerts": [
                                self.red_alert(
                                    names.ALERT_LOW_THROUGHPUT,
                                    names.SEVERITY_WARNING,
                                    {
                                        "summary": f"{throughput}: {low:.3g} requests/s",
                                        "description": f"{throughput} serves {low:.3g}"
                                        " requests/s over 5m, below the min_rps of its catalog"
                                        " entry.",
                                    },
                                    throughput_place,
                                )
                            ],
                        },
                        {"eval_time": evaluate, "alertname": names.ALERT_HIGH_ERROR_RATE},
                    ],
                )
            )
        latency = self._latency_case(rps, evaluate)
        if latency is not None:
            cases.append(latency)
        return cases

    def _latency_case(self, rps: float, evaluate: str) -> dict[str, Any] | None:
        limit = self.service.alerts.latency_p95_seconds
        lows = [b for b in self.buckets if b >= limit]
        highs = [b for b in self.buckets if lows and b > lows[0]]
        if not lows or not highs:
            return None
        low, high = lows[0], highs[0]
        p95 = low + (high - low) * ((0.95 * rps) / rps)
        # every request lands in (low, high]: a "slow" share of 1 above the bucket ``low``
        traffic = _Traffic(rps, slow_ratio=1.0, slow_threshold=low)
        return self.case(
            "HighLatency fires above latency_p95_seconds",
            traffic,
            alert_tests=[
                {
                    "eval_time": evaluate,
                    "alertname": names.ALERT_HIGH_LATENCY,
                    "exp_alerts": [
                        self.red_alert(
                            names.ALERT_HIGH_LATENCY,
                            names.SEVERITY_WARNING,
                            {
                                "summary": f"{self.who(self.place)}: p95 latency {p95:.3g}s",
                                "description": f"The p95 latency of {self.who(self.place)} over"
                                f" 5m is {p95:.3g}s, above the latency_p95_seconds of its"
                                " catalog entry.",
                            },
                        )
                    ],
                }
            ],
        )

    def location_ratios(self) -> list[str]:
        if not self.locations:
            return []
        loc = names.location_level
        windows = page_windows((self.service.slo_period_days,)) if self.service.slos else ()
        return [
            loc(names.SERVICE_ERROR_RATIO_RATE5M),
            loc(names.SERVICE_LATENCY_P95_5M),
            *(loc(names.slo_error_ratio(w)) for w in windows),
        ]

    def error_text(self, place: dict[str, str], ratio: float) -> dict[str, str]:
        who = self.who(place)
        return {
            "summary": f"{who}: {_pct(ratio)} of requests fail with 5xx",
            "description": f"The 5xx ratio of {who} over 5m is {_pct(ratio)}, above the"
            " error_rate of its catalog entry.",
        }

    def location_cases(self) -> list[dict[str, Any]]:
        """Three locations: one down pages naming it, all healthy fire nothing, a tiny one
        failing every one of its 3 requests an hour does not page."""
        if not self.locations:
            return []
        avail = [s for s in self.service.slos if s.kind is SloKind.AVAILABILITY]
        rps = self.guard_rps()
        minutes = max(self.steps, 130)  # the period budget starts after the first whole hour
        healthy = _Traffic(rps, minutes=minutes)
        down = _Traffic(rps, error_ratio=1.0, minutes=minutes)
        tiny = _Traffic(3 / 3600, error_ratio=1.0, minutes=minutes)
        evaluate = self.eval_time(healthy)
        places = [self.at(name) for name in ("a", "b", "c")]
        cases = []
        for name, first, burns, high_error in (
            (
                "one location of three down pages naming it, the others stay silent",
                down,
                True,
                True,
            ),
            ("all locations healthy: nothing fires", healthy, False, False),
            ("a tiny location at 100% 5xx with 3 requests/hour does not page", tiny, False, False),
        ):
            series = self.inputs(first, places[0])
            for place in places[1:]:
                series += self.inputs(healthy, place)
            expected: list[dict[str, Any]] = []
            overall = _Traffic(
                first.rps + 2 * rps,
                error_ratio=first.rps * first.error_ratio / (first.rps + 2 * rps),
                minutes=minutes,
            )
            for slo in avail if burns else ():
                expected.append(self.burn_alert(slo, PAGE, 1.0, places[0]))
                if self._fires(slo, overall.error_ratio, overall, TICKET):
                    expected.append(self.burn_alert(slo, TICKET, overall.error_ratio, places[0]))
            errors = []
            if high_error and self.service.alerts.error_rate < 1.0:
                errors.append(
                    self.red_alert(
                        names.ALERT_HIGH_ERROR_RATE,
                        names.SEVERITY_CRITICAL,
                        self.error_text(places[0], 1.0),
                        places[0],
                    )
                )
            # one budget per SLO over all locations, never one per location
            budgets = [
                {
                    "expr": f"count by ({names.LABEL_SLO}) ({names.SLO_BUDGET_REMAINING}"
                    f'{{{names.LABEL_SERVICE}="{self.service.name}"}})',
                    "eval_time": evaluate,
                    "exp_samples": [
                        {"labels": f'{{{names.LABEL_SLO}="{slo.name}"}}', "value": 1}
                        for slo in sorted(avail, key=lambda s: s.name)
                    ],
                }
            ]
            for slo in avail:
                # the budget spends the share of all locations' requests that failed
                left = 1 - overall.error_ratio / slo.error_budget
                budget = (
                    f"{names.SLO_BUDGET_REMAINING}{{{names.LABEL_SERVICE}="
                    f'"{self.service.name}", {names.LABEL_SLO}="{slo.name}"}}'
                )
                budgets.append(
                    {
                        "expr": f"count(({budget} > {left - 1e-9:.12g}) < {left + 1e-9:.12g})",
                        "eval_time": evaluate,
                        "exp_samples": [{"labels": "{}", "value": 1}],
                    }
                )
            cases.append(
                {
                    "name": f"{self.service.name}: {name}",
                    "interval": "1m",
                    "input_series": series,
                    "promql_expr_test": budgets,
                    "alert_rule_test": [
                        {
                            "eval_time": evaluate,
                            "alertname": names.ALERT_ERROR_BUDGET_BURN,
                            "exp_alerts": expected,
                        },
                        {
                            "eval_time": evaluate,
                            "alertname": names.ALERT_HIGH_ERROR_RATE,
                            "exp_alerts": errors,
                        },
                    ],
                }
            )
        return cases


def service_tests(
    catalog: Catalog, service: Service, rule_files: list[str]
) -> dict[str, Any] | None:
    """The promtool test file of a service (imported ones: see render.imported_tests)."""
    if service.origin != "catalog":
        return imported_tests(catalog, service, rule_files)
    builder = _Builder(catalog, service)
    tests = builder.red_cases()
    for slo in service.slos:
        tests.extend(builder.slo_cases(slo))
    tests.extend(builder.location_cases())
    return {"rule_files": rule_files, "evaluation_interval": "1m", "tests": tests}
