"""THE only writer of PromQL: every query the rules, dashboards, canaries and gate ask.

A leaf module like names.py and slo.py (it imports nothing else of zwobs but those), so
the runtime-free ``zwobs verify`` and the generators in render/ ask Prometheus the very
same questions, and a change of a query (a grouping label, a guard) happens here once.

Two families:

* service queries (``error_ratio``, ``latency_quantile``, ...) read the raw series of one
  service, optionally scoped to some of its targets (a canary) and grouped ``by`` labels;
* rule expressions (``rule_*``) are the fleet recording rules and alert conditions, each
  taking its grouping labels ``by`` (``service`` plus the catalog's location labels).

Scoping to one version or pod (a canary) joins through ``zwobs_build_info``: version and
commit are its own labels, and every target label Prometheus attaches
(``pod_template_hash``, ``pod``, ``namespace``) is on it too, so one mechanism covers both
ways of selecting a canary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from prometheus_client.utils import floatToGoString

from zwobs import names
from zwobs.durations import parse_duration

__all__ = [
    "SERVER_ERRORS",
    "Matcher",
    "bucket_label",
    "burn_rate",
    "error_ratio",
    "fast_ratio",
    "grouping",
    "imported_complement",
    "imported_counter",
    "imported_errors_from_good",
    "imported_events",
    "imported_raw",
    "latency_quantile",
    "on_targets",
    "quote",
    "rate_sum",
    "request_count",
    "request_rate",
    "rule_budget_remaining",
    "rule_burn_condition",
    "rule_constant",
    "rule_custom_errors",
    "rule_error_ratio",
    "rule_errors",
    "rule_latency_p95",
    "rule_location_guard",
    "rule_location_slo_errors",
    "rule_location_slo_requests",
    "rule_or_default",
    "rule_over_locations",
    "rule_period_ratio",
    "rule_ratio",
    "rule_route",
    "rule_slo_errors",
    "rule_slo_requests",
    "rule_sum_rate",
    "rule_threshold_alert",
    "rule_window_rate",
    "scoped_rate",
    "selector",
    "success_ratio",
]

_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
_JOIN_LABELS = "instance, job"
"""The labels that identify one scraped process (a target), on every series it exports."""
_TILE = "5m"
_TILE_SECONDS = 300


def quote(value: str) -> str:
    """A PromQL double-quoted string literal for ``value``."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def bucket_label(bound: float) -> str:
    """The ``le`` label value prometheus_client writes for a bucket bound (``0.5``, ``1.0``)."""
    return str(floatToGoString(bound))  # type: ignore[no-untyped-call]


def _num(value: float) -> str:
    """Shortest text that keeps 15 significant digits: 0.99999999999 stays itself, while
    99.9 / 100 (0.9990000000000001 in binary) prints as 0.999."""
    return f"{value:.15g}"


def grouping(by: Sequence[str]) -> str:
    """``a, b`` for ``by (...)`` and ``on (...)`` clauses."""
    return ", ".join(by)


@dataclass(frozen=True, slots=True)
class Matcher:
    """One label matcher ``name op "value"``; the value may be an ``{{args.x}}`` placeholder."""

    name: str
    value: str
    op: str = "="

    def __post_init__(self) -> None:
        if not _LABEL_NAME.match(self.name) and not self.name.startswith("{{"):
            raise ValueError(f"invalid label name {self.name!r}: expected [a-zA-Z_][a-zA-Z0-9_]*")
        if self.op not in ("=", "!=", "=~", "!~"):
            raise ValueError(f"invalid matcher operator {self.op!r}: expected =, !=, =~ or !~")

    def render(self) -> str:
        return f"{self.name}{self.op}{quote(self.value)}"


SERVER_ERRORS = Matcher(names.LABEL_STATUS, "5..", "=~")
"""THE definition of a failed request: a 5xx status (499 and 4xx are the client's)."""


def selector(service: str, *extra: Matcher) -> str:
    """``{service="x", ...}`` for the service's own series."""
    parts = [Matcher(names.LABEL_SERVICE, service).render(), *(m.render() for m in extra)]
    return "{" + ", ".join(parts) + "}"


def on_targets(
    vector: str, service: str, scope: Sequence[Matcher] = (), copy: Sequence[str] = ()
) -> str:
    """``vector`` joined per target with the service's build info: kept only for targets matching
    ``scope``, and given the build-info labels in ``copy`` (``version``) to group by."""
    info = f"{names.BUILD_INFO}{selector(service, *scope)}"
    keys = ", ".join([_JOIN_LABELS, *copy])
    return f"{vector} * on({_JOIN_LABELS}) group_left({', '.join(copy)}) max by ({keys}) ({info})"


def _scoped(vector: str, service: str, scope: Sequence[Matcher], copy: Sequence[str]) -> str:
    """``vector`` kept only for targets whose build info matches ``scope`` (all if empty)."""
    return on_targets(vector, service, scope, copy) if scope or copy else vector


def scoped_rate(
    metric: str,
    service: str,
    window: str,
    scope: Sequence[Matcher] = (),
    *extra: Matcher,
    copy: Sequence[str] = (),
) -> str:
    """``rate(metric{service="x", extra...}[window])``, restricted to ``scope``'s targets."""
    return _scoped(f"rate({metric}{selector(service, *extra)}[{window}])", service, scope, copy)


def _sum(vector: str, by: Sequence[str]) -> str:
    return f"sum by ({grouping(by)}) ({vector})" if by else f"sum({vector})"


def rate_sum(
    metric: str,
    service: str,
    window: str,
    scope: Sequence[Matcher] = (),
    *,
    extra: Sequence[Matcher] = (),
    by: Sequence[str] = (),
    copy: Sequence[str] = (),
) -> str:
    """Per-second rate of ``metric`` summed over the service (``by`` some labels)."""
    return _sum(scoped_rate(metric, service, window, scope, *extra, copy=copy), by)


# --- service queries: the gate, the canary analysis and the service dashboards ------------


def request_rate(
    service: str,
    window: str,
    scope: Sequence[Matcher] = (),
    *,
    extra: Sequence[Matcher] = (),
    by: Sequence[str] = (),
    copy: Sequence[str] = (),
) -> str:
    """Requests per second of the service (or of its scoped targets)."""
    return rate_sum(names.REQUESTS_TOTAL, service, window, scope, extra=extra, by=by, copy=copy)


def request_count(service: str, window: str, scope: Sequence[Matcher] = ()) -> str:
    """Requests served during ``window`` (empty when the service exported nothing)."""
    vector = _scoped(
        f"increase({names.REQUESTS_TOTAL}{selector(service)}[{window}])", service, scope, ()
    )
    return f"sum({vector})"


def error_ratio(
    service: str,
    window: str,
    scope: Sequence[Matcher] = (),
    *,
    extra: Sequence[Matcher] = (),
    by: Sequence[str] = (),
    copy: Sequence[str] = (),
) -> str:
    """5xx / all requests over ``window``; an empty vector (never NaN) when there was no traffic.

    "No 5xx series yet" counts as 0 (``or vector(0)``, or ``or total * 0`` per group), and
    ``> 0`` on the denominator turns "no traffic" into no result instead of 0/0 = NaN.
    """
    errors = rate_sum(
        names.REQUESTS_TOTAL,
        service,
        window,
        scope,
        extra=(*extra, SERVER_ERRORS),
        by=by,
        copy=copy,
    )
    total = request_rate(service, window, scope, extra=extra, by=by, copy=copy)
    zero = f"{total} * 0" if by else "vector(0)"
    return f"(({errors} or {zero}) / ({total} > 0))"


def success_ratio(service: str, window: str, scope: Sequence[Matcher] = ()) -> str:
    """1 - error ratio; empty when there was no traffic."""
    return f"(1 - {error_ratio(service, window, scope)})"


def latency_quantile(
    quantile: float,
    service: str,
    window: str,
    scope: Sequence[Matcher] = (),
    *,
    by: Sequence[str] = (),
    extra: Sequence[Matcher] = (),
    copy: Sequence[str] = (),
    metric: str = names.REQUEST_DURATION,
) -> str:
    """The ``quantile`` of a histogram (request duration by default); NaN when idle."""
    rates = scoped_rate(f"{metric}_bucket", service, window, scope, *extra, copy=copy)
    return f"histogram_quantile({quantile:g}, sum by ({grouping(['le', *by])}) ({rates}))"


def fast_ratio(service: str, threshold: float, window: str, scope: Sequence[Matcher] = ()) -> str:
    """Share of requests at or below the ``threshold`` bucket; empty when idle."""
    le = Matcher(names.LABEL_LE, bucket_label(threshold))
    fast = scoped_rate(f"{names.REQUEST_DURATION}_bucket", service, window, scope, le)
    count = scoped_rate(f"{names.REQUEST_DURATION}_count", service, window, scope)
    return f"(sum({fast}) / (sum({count}) > 0))"


def burn_rate(window: str, labels: str = "", *, location: str | None = None) -> str:
    """How fast SLOs burn their budget over ``window`` (1 = exactly on budget), from the
    recorded ratios; ``labels`` (``{service="x", slo="y"}``) narrows both sides. With
    ``location`` (a selector with location matchers too), per location: the ratios are the
    per-location ones narrowed by it, the objective (which has no location) by ``labels``."""
    on = grouping((names.LABEL_SERVICE, names.LABEL_SLO))
    ratio = names.slo_error_ratio(window)
    if location is not None:
        ratio = f"{names.location_level(ratio)}{location}"
    else:
        ratio = f"{ratio}{labels}"
    return f"{ratio} / on({on}) group_left() (1 - {names.SLO_OBJECTIVE}{labels})"


# --- rule expressions: the fleet recording rules and alert conditions ---------------------


def rule_sum_rate(metric: str, by: Sequence[str], *matchers: Matcher) -> str:
    """``sum by (by) (rate(metric{...}[5m]))``: a recorded 5m rate."""
    inner = "{" + ", ".join(m.render() for m in matchers) + "}" if matchers else ""
    return f"sum by ({grouping(by)}) (rate({metric}{inner}[{_TILE}]))"


def rule_errors(requests: str, by: Sequence[str]) -> str:
    """5xx per second, 0 (not absent) while the group has traffic."""
    errors = rule_sum_rate(names.REQUESTS_TOTAL, by, SERVER_ERRORS)
    return f"{errors}\n  or on({grouping(by)}) (0 * {requests})"


def rule_error_ratio(errors: str, requests: str, by: Sequence[str]) -> str:
    """``errors / requests``; absent (never NaN) while the group has no traffic."""
    return f"{errors}\n  / on({grouping(by)}) ({requests} > 0)"


def rule_latency_p95(buckets: str) -> str:
    """p95 from recorded bucket rates; ``>= 0`` drops the NaN of an idle group."""
    return f"histogram_quantile(0.95, {buckets}) >= 0"


def _one(selector_text: str) -> str:
    """1 for each series of ``selector_text`` (its labels kept)."""
    return f"(0 * {selector_text} + 1)"


def rule_slo_requests(requests: str, latency_count: str, by: Sequence[str]) -> str:
    """SLI events per second per (service, SLO): requests for availability SLOs, histogram
    observations for latency SLOs, joined with the objectives that name them."""
    on = grouping(by)
    avail = f'{names.SLO_OBJECTIVE}{{{names.LABEL_SLI}="availability"}}'
    latency = f'{names.SLO_OBJECTIVE}{{{names.LABEL_SLI}="latency"}}'
    return (
        f"{requests} * on({on}) group_right() {_one(avail)}\n"
        f"or\n"
        f"{latency_count} * on({on}) group_right() {_one(latency)}"
    )


def rule_slo_errors(errors: str, latency_count: str, buckets: str, by: Sequence[str]) -> str:
    """Bad SLI events per second: 5xx for availability SLOs, observations above the
    threshold bucket for latency SLOs (count minus the threshold bucket's rate)."""
    on = grouping(by)
    slo_on = grouping((*by, names.LABEL_SLO))
    avail = f'{names.SLO_OBJECTIVE}{{{names.LABEL_SLI}="availability"}}'
    latency = f'{names.SLO_OBJECTIVE}{{{names.LABEL_SLI}="latency"}}'
    good = (
        f"sum by ({slo_on}) (\n"
        f"      {buckets}\n"
        f"      * on({grouping((*by, names.LABEL_LE))}) group_right()"
        f" {_one(names.SLO_LATENCY_THRESHOLD)}\n"
        f"    )"
    )
    return (
        f"{errors} * on({on}) group_right() {_one(avail)}\n"
        f"or\n"
        f"(\n"
        f"  {latency_count} * on({on}) group_right() {_one(latency)}\n"
        f"  - on({slo_on}) group_left()\n"
        f"    {good}\n"
        f")"
    )


def rule_ratio(errors: str, requests: str) -> str:
    """A window's ratio of counts; absent while the window saw no traffic."""
    return f"{errors} / ({requests} > 0)"


def rule_window_rate(tile_rate: str, window: str) -> str:
    """The rate over ``window`` as the mean of its 5m tiles (a ratio of counts, never an
    average of ratios). A range includes both ends: ``[1h:5m]`` holds 13 tiles when the
    evaluation falls on a 5m boundary; one second less always holds exactly W/5m."""
    seconds = int(parse_duration(window))
    return f"sum_over_time({tile_rate}[{seconds - 1}s:{_TILE}]) / {seconds // _TILE_SECONDS}"


def rule_period_ratio(errors_1h: str, requests_1h: str, period: str) -> str:
    """Bad/total over the whole SLO period from the recorded 1h rates of that period."""
    sel = f'{{{names.LABEL_SLO_PERIOD}="{period}"}}'
    return (
        f"sum_over_time({errors_1h}{sel}[{period}:1h])\n"
        f"  / (sum_over_time({requests_1h}{sel}[{period}:1h]) > 0)"
    )


def rule_budget_remaining() -> str:
    """1 - spent/allowed over the SLO period, one per (service, SLO)."""
    on = grouping((names.LABEL_SERVICE, names.LABEL_SLO))
    return (
        f"1 - {names.SLO_ERROR_RATIO_PERIOD}\n  / on({on}) group_left() (1 - {names.SLO_OBJECTIVE})"
    )


def rule_or_default(metric: str, default: float) -> str:
    """A per-service override series, or ``default`` for every service that has none."""
    svc = names.LABEL_SERVICE
    return f"({metric} or on({svc}) (0 * {names.SERVICE_INFO} + {_num(default)}))"


def rule_route(expr: str, routing: Sequence[str]) -> str:
    """``expr`` given the service's routing labels from its info series."""
    svc = names.LABEL_SERVICE
    return f"(\n{expr}\n)\n* on({svc}) group_left({', '.join(routing)}) {names.SERVICE_INFO}"


def rule_threshold_alert(series: str, op: str, metric: str, default: float) -> str:
    """``series op threshold`` with a per-service override or the fleet default."""
    svc = names.LABEL_SERVICE
    return f"  {series}\n  {op} on({svc}) group_left() {rule_or_default(metric, default)}"


def rule_burn_condition(
    short: str,
    long: str,
    factor: float,
    period: str,
    min_requests: float,
    *,
    location: Sequence[str] = (),
    match: Sequence[Matcher] = (),
    fixed_guard: bool = False,
) -> str:
    """Both windows burn faster than ``factor`` and the long window holds enough requests.

    ``match`` narrows the recorded series (the fleet alerts leave imported SLOs to their
    own rules; an imported SLO's rule selects itself); ``fixed_guard`` uses
    ``min_requests`` as is instead of the service's override series. With ``location``
    labels the windows are the per-location ones, the condition holds per (service, SLO,
    location) and ``min_requests`` is the location's own guard (a constant)."""
    n = names
    level = n.location_level if location else str
    on = f"on({grouping((n.LABEL_SERVICE, n.LABEL_SLO, *location))})"
    sel = "{" + ", ".join(m.render() for m in (Matcher(n.LABEL_SLO_PERIOD, period), *match)) + "}"
    objective_on = f"on({grouping((n.LABEL_SERVICE, n.LABEL_SLO))})"
    threshold = f"{objective_on} group_left() ({_num(factor)} * (1 - {n.SLO_OBJECTIVE}))"
    overridable = rule_or_default(n.SLO_MIN_REQUESTS, min_requests)
    minimum = (
        _num(min_requests)
        if fixed_guard or location
        else f"on({n.LABEL_SERVICE}) group_left() {overridable}"
    )
    guard = (
        f"{level(n.slo_requests_rate(long))}{sel} * {int(parse_duration(long))}\n      >= {minimum}"
    )
    return (
        f"  (\n"
        f"    ({level(n.slo_error_ratio(short))}{sel} > {threshold})\n"
        f"    and {on}\n"
        f"    ({level(n.slo_error_ratio(long))}{sel} > {threshold})\n"
        f"    and {on}\n"
        f"    ({guard})\n"
        f"  )"
    )


def rule_location_guard(
    condition: str, requests: str, by: Sequence[str], min_requests: float
) -> str:
    """``condition`` kept only where the location served ``min_requests`` in the 5m window of
    ``requests`` (a recorded 5m rate): a region with a handful of requests never alerts."""
    return (
        f"{condition}\n  and on({grouping(by)})\n"
        f"  ({requests} * {_TILE_SECONDS} >= {_num(min_requests)})"
    )


def rule_over_locations(metric: str, by: Sequence[str], how: str = "sum") -> str:
    """A per-location recorded series aggregated over the locations (``by`` what is kept)."""
    return f"{how} by ({grouping(by)}) ({metric})"


def _slot(metric: str, sli: str | None, slot: int) -> str:
    sli_matcher = f'{names.LABEL_SLI}="{sli}", ' if sli else ""
    return _one(f'{metric}{{{sli_matcher}{names.LABEL_SLO_SLOT}="{slot}"}}')


def _slo_labels() -> str:
    return grouping((names.LABEL_SLO, names.LABEL_SLI, names.LABEL_SLO_PERIOD))


def rule_location_slo_requests(requests: str, latency_count: str, slots: int) -> str:
    """SLI events per second per (service, location, SLO): as rule_slo_requests, joined with
    the objectives one SLO slot at a time (each slot names at most one SLO per service, so
    many locations meet one objective; PromQL refuses many-to-many joins)."""
    svc = names.LABEL_SERVICE
    parts = []
    for slot in range(slots):
        for rate, sli in ((requests, "availability"), (latency_count, "latency")):
            objective = _slot(names.SLO_OBJECTIVE, sli, slot)
            parts.append(f"{rate} * on({svc}) group_left({_slo_labels()}) {objective}")
    return "\nor\n".join(parts)


def rule_location_slo_errors(
    errors: str, latency_count: str, buckets: str, by: Sequence[str], slots: int
) -> str:
    """Bad SLI events per second per (service, location, SLO), slot by slot (see
    rule_location_slo_requests): 5xx, or observations above the SLO's threshold bucket."""
    svc, slo_name = names.LABEL_SERVICE, names.LABEL_SLO
    slo_on = grouping((*by, slo_name))
    parts = []
    for slot in range(slots):
        avail = _slot(names.SLO_OBJECTIVE, "availability", slot)
        latency = _slot(names.SLO_OBJECTIVE, "latency", slot)
        threshold = _slot(names.SLO_LATENCY_THRESHOLD, None, slot)
        parts.append(f"{errors} * on({svc}) group_left({_slo_labels()}) {avail}")
        parts.append(
            f"(\n"
            f"  {latency_count} * on({svc}) group_left({_slo_labels()}) {latency}\n"
            f"  - on({slo_on}) group_left()\n"
            f"    sum by ({slo_on}) (\n"
            f"      {buckets}\n"
            f"      * on({grouping((svc, names.LABEL_LE))}) group_left({slo_name}) {threshold}\n"
            f"    )\n"
            f")"
        )
    return "\nor\n".join(parts)


def imported_events(query: str) -> str:
    """An imported SLI query summed to one series per SLO, whatever the spec grouped by."""
    return f"sum({query})"


def imported_counter(selector_text: str, window: str) -> str:
    """Events per second of an imported counter selector over the ``window`` template."""
    return f"sum(rate({selector_text}[{window}]))"


def imported_errors_from_good(total: str, good: str) -> str:
    """Bad events from total and good ones; an absent good series (never created, or gone
    after a restart) while totals exist counts every event as bad, never as none."""
    return f"({total} - ({good} or 0 * {total}))"


def imported_raw(ratio: str) -> tuple[str, str]:
    """(errors, total) of a raw error-ratio SLI: the ratio as bad events out of one event per
    second, both absent while the ratio is NaN or absent (no data is no event, never NaN)."""
    errors = f"({imported_events(ratio)} >= 0)"
    return errors, f"(0 * {errors} + 1)"


def imported_complement(ratio: str) -> str:
    """The error ratio of a success ratio."""
    return f"(1 - {ratio})"


def rule_custom_errors(errors: str, total: str) -> str:
    """An imported SLO's bad events, 0 (not absent) while its total has series."""
    return f"({errors})\nor\n0 * ({total})"


def rule_constant(value: float) -> str:
    """A constant series (objectives, thresholds, routing info)."""
    return f"vector({_num(value)})"
