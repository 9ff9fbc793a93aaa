"""The burn-rate tables: published values, Pyrra's derivation rule, never below burn rate 1."""

from __future__ import annotations

from fractions import Fraction

import pytest

from zwobs import slo
from zwobs.durations import parse_duration


def _factors(days: int) -> list[tuple[str, str, str, float]]:
    return [(r.severity, r.short, r.long, slo.burn_factor(r, days)) for r in slo.burn_rows(days)]


def test_30d_is_the_sre_workbook_table_with_sloths_one_day_ticket() -> None:
    assert _factors(30) == [
        ("page", "5m", "1h", 14.4),
        ("page", "30m", "6h", 6.0),
        ("ticket", "2h", "1d", 3.0),
        ("ticket", "6h", "3d", 1.0),
    ]
    assert [r.budget_share for r in slo.burn_rows(30)] == [
        Fraction(2, 100),
        Fraction(5, 100),
        Fraction(10, 100),
        Fraction(10, 100),
    ]


def test_28d_is_pyrras_table() -> None:
    assert _factors(28) == [
        ("page", "5m", "1h", 14.0),
        ("page", "30m", "6h", 7.0),
        ("ticket", "2h", "1d", 2.0),
        ("ticket", "6h", "4d", 1.0),
    ]


def test_7d_scales_pyrras_windows_to_whole_tiles_and_keeps_its_factors() -> None:
    assert _factors(7) == [
        ("page", "5m", "15m", 14.0),
        ("page", "10m", "1h30m", 7.0),
        ("ticket", "30m", "6h", 2.0),
        ("ticket", "1h30m", "1d", 1.0),
    ]


@pytest.mark.parametrize("days", [7, 28])
def test_the_derivation_rule_reproduces_the_written_tables(days: int) -> None:
    assert slo._derived(days) == slo.burn_rows(days)


@pytest.mark.parametrize("days", range(slo.MIN_PERIOD_DAYS, slo.MAX_PERIOD_DAYS + 1))
def test_no_period_alerts_below_burn_rate_one_and_windows_are_whole_tiles(days: int) -> None:
    rows = slo.burn_rows(days)
    assert min(slo.burn_factor(r, days) for r in rows) >= 1
    for row in rows:
        short, long = parse_duration(row.short), parse_duration(row.long)
        assert short % 300 == 0 and long % 300 == 0 and 0 < short < long <= days * 86400
    pages = [slo.burn_factor(r, days) for r in rows if r.severity == slo.PAGE]
    assert slo.page_factor(days) == max(pages)


@pytest.mark.parametrize("days", [1, 6, 91, 365])
def test_periods_outside_the_tables_are_refused_with_what_is_expected(days: int) -> None:
    problem = slo.check_period(days)
    assert problem is not None and "expected an SLO period from 7d to 90d" in problem
    with pytest.raises(ValueError, match="expected an SLO period"):
        slo.burn_rows(days)


@pytest.mark.parametrize(
    ("objective", "days", "fires"),
    [(99.9, 30, True), (93.1, 30, True), (93.0, 30, False), (92.8, 28, False), (93.0, 7, True)],
)
def test_page_can_fire_only_when_the_fastest_factor_fits_the_budget(
    objective: float, days: int, fires: bool
) -> None:
    assert slo.page_can_fire(objective, days) is fires


def test_recorded_windows_add_only_what_a_table_needs_to_the_standard_set() -> None:
    assert slo.recorded_windows([30]) == ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
    assert slo.recorded_windows([28, 7]) == (
        "5m", "10m", "15m", "30m", "1h", "1h30m", "2h", "6h", "1d", "3d", "4d",
    )  # fmt: skip
