"""The shared PromQL builders: quoting, durations, bucket labels, canary scoping."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from zwobs import names, promql


def test_quote_escapes_backslashes_quotes_and_newlines() -> None:
    assert promql.quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'


@pytest.mark.parametrize(
    ("text", "ok"),
    [("5m", True), ("1h30m", True), ("90s", True), ("5", False), ("5 m", False), ("m", False)],
)
def test_is_duration_accepts_prometheus_durations_only(text: str, ok: bool) -> None:
    assert promql.is_duration(text) is ok


def test_bucket_label_matches_what_prometheus_client_exports() -> None:
    registry = CollectorRegistry()
    Histogram("h", "h", buckets=names.DEFAULT_LATENCY_BUCKETS, registry=registry).observe(0.1)
    exported = generate_latest(registry).decode()
    for bound in names.DEFAULT_LATENCY_BUCKETS:
        assert f'le="{promql.bucket_label(bound)}"' in exported


def test_matcher_rejects_bad_label_names_and_operators() -> None:
    with pytest.raises(ValueError, match="invalid label name"):
        promql.Matcher("ver-sion", "x")
    with pytest.raises(ValueError, match="invalid matcher operator"):
        promql.Matcher("version", "x", "==")


def test_unscoped_queries_select_the_service_only() -> None:
    assert promql.request_rate("svc", "5m") == 'sum(rate(http_requests_total{service="svc"}[5m]))'


def test_scoped_queries_join_through_build_info_per_target() -> None:
    query = promql.error_ratio("svc", "1m", (promql.Matcher("version", "v2"),))
    join = (
        "* on(instance, job) group_left() max by (instance, job) "
        '(zwobs_build_info{service="svc", version="v2"})'
    )
    assert query.count(join) == 2


def test_error_ratio_is_empty_not_nan_without_traffic() -> None:
    query = promql.error_ratio("svc", "5m")
    assert query.startswith("((sum(") and "or vector(0)" in query and query.endswith("> 0))")
