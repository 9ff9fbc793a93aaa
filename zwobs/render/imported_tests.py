"""promtool tests for imported SLOs: synthetic series fed to the spec's own selectors.

An imported SLI is arbitrary PromQL, but most are sums and differences of
``rate(selector[window])`` terms (Sloth's events, OpenSLO's good/bad/total). For those the
error and total queries are linear in the rates of the series each selector matches, so
two synthetic series (labels chosen to satisfy or miss each matcher) can be given rates
that make the SLI read any error ratio exactly: a page at a 20x burn, a ticket only at
2x, silence at half the budget, silence once traffic stops (and no NaN left), silence
for a handful of requests under the traffic guard. The assertions read ``ALERTS``, so
every label the spec routes on is checked on the firing alert.

Other shapes (subqueries over gauges, raw ratios) get no generated test; neither does
anything without the ``promql-parser`` package (``zwobs[promql]``) to read the queries.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

from zwobs import names, slo
from zwobs.catalog.model import Catalog, Service, Slo
from zwobs.durations import parse_duration
from zwobs.render.rules import alert_for

__all__ = ["imported_tests", "linear_terms"]

_WINDOW: Final = "{{.window}}"
_STEPS: Final = 60
_IDLE_STEPS: Final = 150
_MAX_COMBINATIONS: Final = 64
_MAX_SELECTORS: Final = 8
"""Bounds the label combinations tried (a spec is user input)."""


@dataclass(frozen=True, slots=True)
class _Selector:
    name: str
    matchers: tuple[tuple[str, str, str], ...]
    """(label, operator, value) with operators =, !=, =~, !~."""

    def matches(self, series: dict[str, str]) -> bool:
        if series.get("__name__") != self.name:
            return False
        for label, op, value in self.matchers:
            actual = series.get(label, "")
            hit = actual == value if op in ("=", "!=") else re.fullmatch(value, actual) is not None
            if hit != (op in ("=", "=~")):
                return False
        return True


_OPS: Final = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}


def _selector(node: Any) -> _Selector | None:
    name = node.name
    matchers: list[tuple[str, str, str]] = []
    for matcher in node.matchers.matchers:
        if matcher.name == "__name__" and str(matcher.op).endswith("Equal"):
            name = name or matcher.value
            continue
        matchers.append((matcher.name, _OPS[str(matcher.op).rsplit(".", 1)[-1]], matcher.value))
    if not name or node.matchers.or_matchers or node.offset is not None or node.at is not None:
        return None
    return _Selector(str(name), tuple(matchers))


Linear = dict[_Selector, Fraction]


def _combine(left: Linear, right: Linear, sign: int) -> Linear:
    out = dict(left)
    for key, value in right.items():
        out[key] = out.get(key, Fraction(0)) + sign * value
    return out


def _linear(node: Any) -> Linear | None:
    """``node`` as a sum of ``coefficient x rate(selector)``, or None for other shapes."""
    import promql_parser as p  # type: ignore[import-not-found,unused-ignore]

    if isinstance(node, p.ParenExpr):
        return _linear(node.expr)
    if isinstance(node, p.AggregateExpr) and str(node.op) == "sum":
        return _linear(node.expr)
    if isinstance(node, p.Call) and node.func.name == "rate":
        (arg,) = node.args
        if isinstance(arg, p.MatrixSelector):
            found = _selector(arg.vector_selector)
            return None if found is None else {found: Fraction(1)}
        return None
    if isinstance(node, p.BinaryExpr):
        op = str(node.op)
        if op == "or" and _is_zero(node.rhs):
            return _linear(node.lhs)
        left, right = _linear(node.lhs), _linear(node.rhs)
        if left is None or right is None or op not in ("+", "-"):
            return None
        return _combine(left, right, 1 if op == "+" else -1)
    return None


def _is_zero(node: Any) -> bool:
    """``vector(0)`` or ``0 * <anything>``: what an absent error series is replaced by."""
    import promql_parser as p

    if isinstance(node, p.ParenExpr):
        return _is_zero(node.expr)
    if isinstance(node, p.Call) and node.func.name == "vector":
        return isinstance(node.args[0], p.NumberLiteral) and node.args[0].val == 0
    if isinstance(node, p.BinaryExpr) and str(node.op) == "*":
        return isinstance(node.lhs, p.NumberLiteral) and node.lhs.val == 0
    return False


def linear_terms(query: str) -> Linear | None:
    """The rate terms of an imported query (None: another shape, or no parser installed)."""
    try:
        import promql_parser as p
    except ImportError:
        return None
    try:
        return _linear(p.parse(query.replace(_WINDOW, "5m")))
    except (ValueError, RecursionError):  # a spec is user input: 2,000 nested sums parse
        return None


def _examples(pattern: str) -> list[str]:
    """A few strings a simple regex (alternatives of literals, ``.``, ``\\d``, classes)
    matches; every one is checked with the regex itself before use."""
    body = pattern[1:-1] if pattern.startswith("(") and pattern.endswith(")") else pattern
    out = []
    for alternative in body.split("|"):
        text = re.sub(r"\\d|\.", "0", alternative.replace(".*", "").replace(".+", "0"))
        text = re.sub(r"\[(.)[^\]]*\]", r"\1", text)
        text = re.sub(r"[()^$?*+]", "", text)
        out.append(text)
    return [value for value in out if re.fullmatch(pattern, value)]


def _values(selectors: list[_Selector], label: str) -> list[str]:
    values = ["", "zwobs"]
    for selector in selectors:
        for name, op, value in selector.matchers:
            if name == label:
                values.extend([value] if op in ("=", "!=") else _examples(value))
    return list(dict.fromkeys(values))


def _series(selectors: list[_Selector]) -> list[dict[str, str]]:
    """Label sets, one per distinct way of matching the selectors (first found kept)."""
    found: dict[tuple[bool, ...], dict[str, str]] = {}
    for selector in selectors:
        own = {name for name, _, _ in selector.matchers}
        others = sorted(
            {n for s in selectors if s.name == selector.name for n, _, _ in s.matchers} - own
        )
        labels = [*sorted(own), *others]
        options = [_values(selectors, name) for name in labels]
        for combination in itertools.islice(itertools.product(*options), 4096):
            series = {"__name__": selector.name}
            series.update({k: v for k, v in zip(labels, combination, strict=True) if v})
            if not selector.matches(series):
                continue
            signature = tuple(s.matches(series) for s in selectors)
            found.setdefault(signature, series)
            if len(found) >= _MAX_COMBINATIONS:
                break
    return list(found.values())


@dataclass(frozen=True, slots=True)
class _Model:
    """Two series and their rates per unit of total as a function of the error ratio."""

    series: tuple[dict[str, str], dict[str, str]]
    at_zero: tuple[Fraction, Fraction]
    at_one: tuple[Fraction, Fraction]

    def rates(self, ratio: float, total: float) -> tuple[float, float]:
        return tuple(  # type: ignore[return-value]
            total * (float(z) + ratio * float(o - z))
            for z, o in zip(self.at_zero, self.at_one, strict=True)
        )


def _model(errors: Linear, total: Linear) -> _Model | None:
    selectors = sorted({*errors, *total}, key=repr)
    if len(selectors) > _MAX_SELECTORS:
        return None
    try:
        return _solve(errors, total, selectors)
    except re.error:  # a regex Python reads differently from Prometheus (RE2)
        return None


def _solve(errors: Linear, total: Linear, selectors: list[_Selector]) -> _Model | None:
    candidates = _series(selectors)

    def weight(terms: Linear, series: dict[str, str]) -> Fraction:
        return sum((c for s, c in terms.items() if s.matches(series)), Fraction(0))

    a = [weight(errors, s) for s in candidates]
    b = [weight(total, s) for s in candidates]
    for i, j in itertools.combinations(range(len(candidates)), 2):
        det = a[i] * b[j] - a[j] * b[i]
        if det == 0:
            continue
        # errors = r, total = 1 at r = 0 and r = 1; linear in between, so both ends >= 0
        # means every ratio in [0, 1] has non-negative rates
        ends = [((r * b[j] - a[j]) / det, (a[i] - r * b[i]) / det) for r in (0, 1)]
        if all(x >= 0 for end in ends for x in end):
            return _Model((candidates[i], candidates[j]), ends[0], ends[1])
    return None


def _num(value: float) -> str:
    return f"{value:.10g}"


def _counter(per_minute: float, steps: int, idle_after: int | None) -> str:
    if idle_after is None:
        return f"0+{_num(per_minute)}x{steps}"
    active = [_num(round(per_minute * i, 6)) for i in range(idle_after + 1)]
    return f"{' '.join(active)} {active[-1]}+0x{steps - idle_after - 1}"


def _series_text(labels: dict[str, str]) -> str:
    inner = ",".join(
        f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in sorted(labels.items())
        if k != "__name__"
    )
    return f"{labels['__name__']}{{{inner}}}"


class _Cases:
    def __init__(self, catalog: Catalog, service: Service, objective: Slo, model: _Model) -> None:
        self.catalog, self.service, self.slo, self.model = catalog, service, objective, model
        self.days = service.slo_period_days
        guard = objective.min_requests
        self.guard = catalog.defaults.slo_min_requests if guard is None else guard
        longest_for = max(
            parse_duration(alert_for(catalog, k)) / 60
            for k in (names.ALERT_FOR_BURN_PAGE, names.ALERT_FOR_BURN_TICKET)
        )
        self.steps = max(_STEPS, int(longest_for) + 30)

    def inputs(self, ratio: float, rps: float, idle_after: int | None, steps: int) -> list[Any]:
        rates = self.model.rates(ratio, rps)
        return [
            {"series": _series_text(labels), "values": _counter(rate * 60, steps, idle_after)}
            for labels, rate in zip(self.model.series, rates, strict=True)
        ]

    def firing(self, ratio: float) -> list[str]:
        budget = self.slo.error_budget
        out = []
        for severity, rows in slo.severities(self.days).items():
            alert = self.slo.page if severity == slo.PAGE else self.slo.ticket
            if alert is None or alert.disabled:
                continue
            if any(ratio > slo.burn_factor(r, self.days) * budget for r in rows):
                out.append(self.alert_series(severity))
        return out

    def alert_series(self, severity: str) -> str:
        n = names
        alert = self.slo.page if severity == slo.PAGE else self.slo.ticket
        labels = {
            "alertname": self.slo.alert_name or n.ALERT_ERROR_BUDGET_BURN,
            "alertstate": "firing",
            n.LABEL_SERVICE: self.service.name,
            n.LABEL_SLO: self.slo.name,
            n.LABEL_SLI: self.slo.kind.value,
            n.LABEL_SLO_PERIOD: slo.period_label(self.days),
            n.LABEL_SEVERITY: severity,
            n.LABEL_TEAM: self.service.team,
            **dict(alert.labels if alert else ()),
        }
        return _series_text({"__name__": "ALERTS", **labels})

    def alerts_test(self, eval_minute: int, expected: list[str]) -> dict[str, Any]:
        selector = _series_text(
            {
                "__name__": "ALERTS",
                names.LABEL_SERVICE: self.service.name,
                names.LABEL_SLO: self.slo.name,
                "alertstate": "firing",
            }
        )
        return {
            "expr": selector,
            "eval_time": f"{eval_minute}m",
            "exp_samples": [{"labels": labels, "value": 1} for labels in sorted(expected)],
        }

    def case(self, name: str, ratio: float, rps: float, **extra: Any) -> dict[str, Any]:
        idle_after: int | None = extra.pop("idle_after", None)
        steps = self.steps if idle_after is None else _IDLE_STEPS
        expected = (
            [] if idle_after is not None or extra.pop("silent", False) else self.firing(ratio)
        )
        checks = [self.alerts_test(steps - 5, expected), *extra.pop("checks", [])]
        return {
            "name": f"{self.service.name}: SLO {self.slo.name} {name}",
            "interval": "1m",
            "input_series": self.inputs(ratio, rps, idle_after, steps),
            "promql_expr_test": checks,
        }

    def no_nan(self, eval_minute: int) -> list[dict[str, Any]]:
        sel = _series_text(
            {"__name__": "", names.LABEL_SERVICE: self.service.name, names.LABEL_SLO: self.slo.name}
        )
        windows = slo.recorded_windows((self.days,))
        return [
            {
                "expr": f"count({m}{sel} != {m}{sel})",
                "eval_time": f"{eval_minute}m",
                "exp_samples": [],
            }
            for m in (*(names.slo_error_ratio(w) for w in windows), names.SLO_ERROR_RATIO_PERIOD)
        ]

    def all(self) -> list[dict[str, Any]]:
        budget = self.slo.error_budget
        rps = max(10.0, 4 * self.guard / 3600)
        cases = [
            self.case("pages at a 20x burn", min(1.0, 20 * budget), rps),
            self.case("tickets only at a 2x burn", 2 * budget, rps),
            self.case("stays silent at half its budget", 0.5 * budget, rps),
            self.case(
                "stays silent once traffic stops, and no ratio turns NaN",
                0.5 * budget,
                rps,
                idle_after=30,
                checks=self.no_nan(_IDLE_STEPS - 5),
            ),
        ]
        if self.guard > 1:
            handful = self.guard / (4 * 60 * self.steps)
            cases.append(
                self.case(
                    "does not page on a handful of requests, all bad (traffic guard)",
                    1.0,
                    handful,
                    silent=True,
                )
            )
        return cases


def imported_tests(
    catalog: Catalog, service: Service, rule_files: list[str]
) -> dict[str, Any] | None:
    """The promtool test file of an imported service (None when no SLO has a linear SLI)."""
    tests: list[dict[str, Any]] = []
    for objective in service.slos:
        errors = linear_terms(objective.errors_query)
        total = linear_terms(objective.total_query)
        model = None if errors is None or total is None else _model(errors, total)
        if model is not None:
            tests.extend(_Cases(catalog, service, objective, model).all())
    if not tests:
        return None
    return {"rule_files": rule_files, "evaluation_interval": "1m", "tests": tests}
