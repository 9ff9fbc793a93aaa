"""The shared PromQL builders: quoting, bucket labels, canary scoping."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from zwobs import names, promql


def test_quote_escapes_backslashes_quotes_and_newlines() -> None:
    assert promql.quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'


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


def test_location_level_names_the_per_location_twin_of_a_recording_rule() -> None:
    assert names.location_level(names.SERVICE_REQUESTS_RATE5M) == (
        "service_location:http_requests:rate5m"
    )
    assert names.location_level(names.SERVICE_LATENCY_BUCKET_RATE5M) == (
        "service_location_le:http_request_duration_seconds_bucket:rate5m"
    )
    assert (
        names.location_level(names.slo_error_ratio("1h")) == "slo_location:sli_errors:ratio_rate1h"
    )


def test_per_location_burn_rate_narrows_the_ratios_by_location_not_the_objective() -> None:
    query = promql.burn_rate("1h", '{service="s"}', location='{service="s", region=~"eu"}')
    ratio, objective = query.split(" / on(service, slo) group_left() ")
    assert ratio == 'slo_location:sli_errors:ratio_rate1h{service="s", region=~"eu"}'
    assert objective == '(1 - zwobs_slo_objective_ratio{service="s"})'
    assert promql.burn_rate("1h", '{service="s"}').startswith(
        'slo:sli_errors:ratio_rate1h{service="s"}'
    )


def test_location_burn_condition_joins_per_location_with_a_constant_guard() -> None:
    text = promql.rule_burn_condition("5m", "1h", 14.4, "30d", 50, location=("region",))
    assert text.count("and on(service, slo, region)") == 2
    assert "slo_location:sli_requests:rate1h" in text and ">= 50)" in text
    assert "zwobs_slo_min_requests" not in text  # the service override is for service windows
