"""The one retry/renewal schedule of flags, secrets and verify."""

from __future__ import annotations

import pytest

from zwobs.lifecycle.schedule import (
    MIN_DELAY,
    WARN_EVERY,
    Backoff,
    Renewal,
    Throttle,
    jittered,
    poll_delay,
    renew_point,
)


def test_backoff_is_full_jitter_under_an_exponential_ceiling() -> None:
    backoff = Backoff(base=0.1, cap=1.0)
    ceilings = [backoff.delay(n, rng=lambda: 1.0) for n in range(1, 7)]
    assert ceilings == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0])
    assert backoff.delay(3, rng=lambda: 0.0) == 0.0
    assert backoff.delay(3, rng=lambda: 0.5) == pytest.approx(0.2)


def test_a_retry_after_failures_waits_at_least_the_floor() -> None:
    backoff = Backoff(base=0.1, cap=2.0)
    assert backoff.retry_in(1, rng=lambda: 0.0) == MIN_DELAY
    assert backoff.retry_in(1, rng=lambda: 1.0) == pytest.approx(MIN_DELAY + 0.2)


def test_renewal_point_is_two_thirds_of_the_ttl_minus_up_to_ten_percent_jitter() -> None:
    assert renew_point(30, rng=lambda: 0.0) == pytest.approx(20)
    assert renew_point(30, rng=lambda: 1.0) == pytest.approx(18)


def test_polls_are_jittered_ten_percent_either_way() -> None:
    assert jittered(10, rng=lambda: 0.0) == pytest.approx(9)
    assert jittered(10, rng=lambda: 1.0) == pytest.approx(11)


def test_a_renewal_granted_below_ninety_percent_of_the_request_is_the_last() -> None:
    renewal = Renewal()
    renewal.start(100, now=0)
    assert renewal.expires_at == 100 and renewal.renew_at is not None
    assert 60 <= renewal.renew_at <= 100 * 2 / 3
    renewal.renewed(91, now=60)
    assert not renewal.final and renewal.expires_at == 151
    renewal.renewed(89, now=120)
    assert renewal.final


def test_a_grant_without_expiry_is_never_renewed() -> None:
    renewal = Renewal()
    renewal.start(0, now=5)
    assert renewal.expires_at is None and renewal.renew_at is None
    assert not renewal.expired(10**9)


def test_a_failed_renewal_retries_with_backoff_but_well_before_expiry() -> None:
    renewal = Renewal()
    renewal.start(3, now=0)
    retry_at = renewal.failed(now=2.7, backoff=Backoff(base=10, cap=10))
    assert renewal.failures == 1
    assert retry_at == pytest.approx(2.8)  # a third of the 0.3 s left, floored at MIN_DELAY


def test_warnings_about_one_failure_are_throttled() -> None:
    throttle = Throttle()
    assert throttle.ready(100)
    assert not throttle.ready(100 + WARN_EVERY - 1)
    assert throttle.ready(100 + WARN_EVERY)


def test_a_failing_renewal_warns_once_per_throttle_period() -> None:
    renewal, warned = Renewal(), []
    for now in (1.0, 2.0, 3.0, 2.0 + WARN_EVERY):
        renewal.failed(now, Backoff(), warned.append)
    assert warned == [1, 4]


def test_a_failing_poll_doubles_its_interval_up_to_a_minute() -> None:
    delays = [poll_delay(15, failures, rng=lambda: 0.5) for failures in range(5)]
    assert delays == pytest.approx([15, 15, 30, 60, 60])
    assert poll_delay(120, 3, rng=lambda: 0.5) == pytest.approx(120)
