"""The gate's pure decision: every edge between pass, fail and inconclusive."""

from __future__ import annotations

import math

from zwobs.verify.decision import Measurement, Outcome, Thresholds, decide

LIMITS = Thresholds(max_error_ratio=0.05, max_latency_seconds=0.5, min_requests=10)


def test_healthy_service_within_both_limits_passes() -> None:
    verdict = decide(Measurement(1000, 0.01, 0.1), LIMITS)
    assert verdict.outcome is Outcome.PASS


def test_error_ratio_above_limit_fails_and_says_by_how_much() -> None:
    verdict = decide(Measurement(1000, 0.2, 0.1), LIMITS)
    assert verdict.outcome is Outcome.FAIL
    assert verdict.reasons == ("error ratio 20.00% above 5.00%",)


def test_error_ratio_exactly_at_limit_passes() -> None:
    assert decide(Measurement(1000, 0.05, 0.1), LIMITS).outcome is Outcome.PASS


def test_slow_service_fails_on_latency() -> None:
    verdict = decide(Measurement(1000, 0.0, 0.9), LIMITS)
    assert verdict.outcome is Outcome.FAIL
    assert "p95 latency 0.900s above 0.500s" in verdict.reasons


def test_both_signals_bad_reports_both_reasons() -> None:
    verdict = decide(Measurement(1000, 0.5, 2.0), LIMITS)
    assert verdict.outcome is Outcome.FAIL
    assert len(verdict.reasons) == 2


def test_no_traffic_at_all_is_inconclusive_not_a_pass() -> None:
    verdict = decide(Measurement(None, None, None), LIMITS)
    assert verdict.outcome is Outcome.INCONCLUSIVE
    assert "too little traffic: 0 requests" in verdict.reasons[0]


def test_nan_latency_and_ratio_from_an_idle_window_are_inconclusive() -> None:
    verdict = decide(Measurement(0.0, math.nan, math.nan), LIMITS)
    assert verdict.outcome is Outcome.INCONCLUSIVE


def test_a_handful_of_failing_requests_is_inconclusive_rather_than_a_rollback() -> None:
    verdict = decide(Measurement(3, 1.0, 0.1), LIMITS)
    assert verdict.outcome is Outcome.INCONCLUSIVE


def test_traffic_without_latency_data_is_inconclusive_unless_errors_already_fail() -> None:
    assert decide(Measurement(100, 0.0, None), LIMITS).outcome is Outcome.INCONCLUSIVE
    assert decide(Measurement(100, 0.9, None), LIMITS).outcome is Outcome.FAIL


def test_latency_check_can_be_disabled() -> None:
    limits = Thresholds(max_latency_seconds=None, min_requests=10)
    assert decide(Measurement(100, 0.0, None), limits).outcome is Outcome.PASS


def test_infinite_latency_quantile_fails() -> None:
    assert decide(Measurement(100, 0.0, math.inf), LIMITS).outcome is Outcome.FAIL


def test_traffic_without_an_error_ratio_is_inconclusive_and_says_so_not_too_little_traffic() -> (
    None
):
    verdict = decide(Measurement(1000, None, 0.1), LIMITS)
    assert verdict.outcome is Outcome.INCONCLUSIVE
    assert verdict.reasons == ("error ratio unknown: no data for the window",)


def test_a_measured_latency_failure_fails_even_when_the_error_ratio_is_unknown() -> None:
    verdict = decide(Measurement(1000, math.nan, 0.9), LIMITS)
    assert verdict.outcome is Outcome.FAIL
    assert verdict.reasons == ("p95 latency 0.900s above 0.500s",)
