"""PromQL text for the golden signals, shared by the gate, the canary analysis and the dashboards.

A leaf module like names.py (it imports nothing else of zwobs), so the
runtime-free ``zwobs verify`` and the generators in render/ ask Prometheus the
very same questions. Scoping to one version or pod (a canary) joins through
``zwobs_build_info``: version and commit are its own labels, and every target
label Prometheus attaches (``pod_template_hash``, ``pod``, ``namespace``) is on
it too, so one mechanism covers both ways of selecting a canary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from prometheus_client.utils import floatToGoString

from zwobs import names

__all__ = [
    "Matcher",
    "bucket_label",
    "error_ratio",
    "is_duration",
    "latency_quantile",
    "on_targets",
    "quote",
    "request_count",
    "request_rate",
    "scoped_rate",
    "selector",
    "success_ratio",
]

_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
_DURATION = re.compile(r"(?:\d+(?:ms|s|m|h|d|w|y))+\Z")
_JOIN_LABELS = "instance, job"
"""The labels that identify one scraped process (a target), on every series it exports."""


def quote(value: str) -> str:
    """A PromQL double-quoted string literal for ``value``."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def bucket_label(bound: float) -> str:
    """The ``le`` label value prometheus_client writes for a bucket bound (``0.5``, ``1.0``)."""
    return str(floatToGoString(bound))  # type: ignore[no-untyped-call]


def is_duration(text: str) -> bool:
    """True for a Prometheus duration such as ``5m`` or ``1h30m``."""
    return bool(_DURATION.match(text))


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


def _scoped(vector: str, service: str, scope: Sequence[Matcher]) -> str:
    """``vector`` kept only for targets whose build info matches ``scope`` (all if empty)."""
    return on_targets(vector, service, scope) if scope else vector


def scoped_rate(
    metric: str, service: str, window: str, scope: Sequence[Matcher] = (), *extra: Matcher
) -> str:
    """``rate(metric{service="x", extra...}[window])``, restricted to ``scope``'s targets."""
    return _scoped(f"rate({metric}{selector(service, *extra)}[{window}])", service, scope)


_ERRORS = Matcher(names.LABEL_STATUS, "5..", "=~")


def request_rate(service: str, window: str, scope: Sequence[Matcher] = ()) -> str:
    """Requests per second of the service (or of its scoped targets)."""
    return f"sum({scoped_rate(names.REQUESTS_TOTAL, service, window, scope)})"


def request_count(service: str, window: str, scope: Sequence[Matcher] = ()) -> str:
    """Requests served during ``window`` (empty when the service exported nothing)."""
    vector = _scoped(
        f"increase({names.REQUESTS_TOTAL}{selector(service)}[{window}])", service, scope
    )
    return f"sum({vector})"


def error_ratio(service: str, window: str, scope: Sequence[Matcher] = ()) -> str:
    """5xx / all requests over ``window``; an empty vector (never NaN) when there was no traffic.

    ``or vector(0)`` makes "no 5xx series yet" a 0, and ``> 0`` on the
    denominator turns "no traffic" into no result instead of 0/0 = NaN.
    """
    errors = f"sum({scoped_rate(names.REQUESTS_TOTAL, service, window, scope, _ERRORS)})"
    return f"(({errors} or vector(0)) / ({request_rate(service, window, scope)} > 0))"


def success_ratio(service: str, window: str, scope: Sequence[Matcher] = ()) -> str:
    """1 - error ratio; empty when there was no traffic."""
    return f"(1 - {error_ratio(service, window, scope)})"


def latency_quantile(
    quantile: float,
    service: str,
    window: str,
    scope: Sequence[Matcher] = (),
    by: Sequence[str] = (),
) -> str:
    """The ``quantile`` of request duration (seconds) from the histogram; NaN when idle."""
    bucket = f"{names.REQUEST_DURATION}_bucket"
    groups = ", ".join(["le", *by])
    return (
        f"histogram_quantile({quantile:g}, "
        f"sum by ({groups}) ({scoped_rate(bucket, service, window, scope)}))"
    )
