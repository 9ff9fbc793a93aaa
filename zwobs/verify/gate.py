"""The deployment gate: measure a service (or one version of it) in Prometheus and judge it.

The seed's blue-green ``get_error_rate`` divided two raw rates and crashed or
passed on no traffic; here no traffic is an explicit inconclusive, latency
counts too, an unreachable Prometheus is retried and then inconclusive, and a
selector (``version=v2``) scopes the check to the new deployment only.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

from zwobs import promql
from zwobs.printable import printable
from zwobs.verify.client import InvalidResponseError, PrometheusClient, UnreachableError
from zwobs.verify.decision import Measurement, Outcome, Thresholds, Verdict, decide

__all__ = ["Check", "measure", "parse_selector", "render_json", "render_text", "run"]

_SELECTOR = re.compile(r"\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*\Z", re.S)


@dataclass(frozen=True, slots=True)
class Check:
    """What to verify: a service, a window and optionally the targets of one version."""

    service: str
    window: str = "5m"
    scope: tuple[promql.Matcher, ...] = ()
    thresholds: Thresholds = field(default_factory=Thresholds)
    origin: tuple[str, ...] = ()
    """Where the limits came from (``--catalog``), printed with the verdict."""


def parse_selector(text: str) -> promql.Matcher:
    """``version=v2``, ``version="v2"`` or ``pod=~"web-.*"`` -> a matcher; ValueError if not."""
    match = _SELECTOR.match(text)
    if match is None:
        raise ValueError(
            f"invalid selector {text!r}: expected LABEL=VALUE (or !=, =~, !~), e.g. version=v2"
        )
    name, op, value = match.groups()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return promql.Matcher(name, value, op)


def _single(client: PrometheusClient, what: str, query: str) -> float | None:
    """The one value of an aggregated query; None when it has no series. Several series
    mean the answer is not the one asked for (a proxy, a federation clash): taking the
    first would judge an arbitrary one, so it is InvalidResponseError."""
    samples = client.query(query)
    if len(samples) > 1:
        shown = "; ".join(
            "{" + ", ".join(f"{k}={v!r}" for k, v in sorted(s.labels.items())) + "}"
            for s in samples[:3]
        )
        raise InvalidResponseError(
            f"the {what} query returned {len(samples)} series where one was expected"
            f" ({printable(shown)}{'; ...' if len(samples) > 3 else ''})"
        )
    return samples[0].value if samples else None


def measure(client: PrometheusClient, check: Check) -> Measurement:
    """Run the three queries of the gate (raises UnreachableError, InvalidResponseError or
    QueryRejectedError)."""
    service, window, scope = check.service, check.window, check.scope
    latency: float | None = None
    if check.thresholds.max_latency_seconds is not None:
        latency = _single(
            client,
            "latency",
            promql.latency_quantile(check.thresholds.quantile, service, window, scope),
        )
    return Measurement(
        requests=_single(client, "request count", promql.request_count(service, window, scope)),
        error_ratio=_single(client, "error ratio", promql.error_ratio(service, window, scope)),
        latency_seconds=latency,
    )


def run(client: PrometheusClient, check: Check) -> Verdict:
    """Measure and decide; an unreachable Prometheus or an answer that cannot be
    interpreted is inconclusive, never a pass and never a fail (which means roll back)."""
    try:
        measured = measure(client, check)
    except UnreachableError as error:
        return Verdict(Outcome.INCONCLUSIVE, (str(error),))
    except InvalidResponseError as error:
        return Verdict(Outcome.INCONCLUSIVE, (f"answer not understood: {error}",))
    return decide(measured, check.thresholds)


def _scope_text(check: Check) -> str:
    if not check.scope:
        return ""
    return " {" + ", ".join(m.render() for m in check.scope) + "}"


def _fmt(value: float | None, fmt: str) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return format(value, fmt)


def render_text(check: Check, verdict: Verdict) -> str:
    """A short summary for a human reading deploy logs."""
    limits, measured = check.thresholds, verdict.measurement
    rows = [
        ("requests", _fmt(measured.requests, ".0f"), f"min {limits.min_requests:g}"),
        (
            "error ratio",
            _fmt(measured.error_ratio, ".2%"),
            f"max {limits.max_error_ratio:.2%}",
        ),
    ]
    if limits.max_latency_seconds is not None:
        latency = _fmt(measured.latency_seconds, ".3f")
        rows.append(
            (
                f"p{limits.quantile * 100:g} latency",
                latency if latency == "n/a" else f"{latency}s",
                f"max {limits.max_latency_seconds:.3f}s",
            )
        )
    lines = [
        f"zwobs verify {printable(check.service + _scope_text(check))} over {check.window}:"
        f" {verdict.outcome.value.upper()}",
        *(f"  {name:<12}{value:>10}   {limit}" for name, value, limit in rows),
        *(f"  - {printable(reason)}" for reason in verdict.reasons),
        *(f"  {printable(line)}" for line in check.origin),
    ]
    return "\n".join(lines)


def _json_number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) or math.isinf(value) else value


def render_json(check: Check, verdict: Verdict) -> str:
    """The verdict as one JSON object, for scripts that want the numbers."""
    measured, limits = verdict.measurement, check.thresholds
    return json.dumps(
        {
            "service": check.service,
            "window": check.window,
            "selector": [m.render() for m in check.scope],
            "outcome": verdict.outcome.value,
            "reasons": list(verdict.reasons),
            "requests": _json_number(measured.requests),
            "error_ratio": _json_number(measured.error_ratio),
            "latency_seconds": _json_number(measured.latency_seconds),
            "limits_from": list(check.origin),
            "limits": {
                "max_error_ratio": limits.max_error_ratio,
                "max_latency_seconds": limits.max_latency_seconds,
                "quantile": limits.quantile,
                "min_requests": limits.min_requests,
            },
        },
        sort_keys=True,
    )
