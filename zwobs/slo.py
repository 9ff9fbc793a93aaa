"""THE SLO math: multi-window multi-burn-rate (MWMBR) windows as data, burn factors, feasibility.

A leaf module beside names.py: the catalog, the rules and their tests, the dashboards,
the canary analysis and ``zwobs verify`` all ask it, so a burn factor is computed in one
place only. A row says "alert at ``severity`` when both windows show the error budget
burning fast enough to spend ``budget_share`` of the period's budget within ``long``";
its burn factor follows: ``share x period / long``.

Sources of the tables:

* 30 days: Google SRE Workbook, chapter 5 "Alerting on SLOs", table 5-8 (2% of the budget
  in 1h and 5% in 6h page, 10% in 3d tickets), plus the 10%-in-1d ticket that Sloth's
  ``prometheus/v1`` rules add: burn factors 14.4, 6, 3, 1.
* 28 days: Pyrra's windows (``slo/rules.go``, ``Windows``): burn factors 14, 7, 2, 1 on
  1h/5m, 6h/30m, 1d/2h and 4d/6h.
* Any other period from 7 to 90 days (7d among them): Pyrra's rule, which keeps the 28-day
  factors and scales the windows with the period (rounded up to whole 5m tiles, the
  resolution of the recorded rates). Factors never drop below 1, so no period alerts while
  its SLO is being met: scaling the factors with the period instead (Sloth's rule, and
  zwobs's before) tickets a 7d SLO at a burn rate of 0.23.

Shorter periods are refused: their windows would be shorter than one 5m tile.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from zwobs import names
from zwobs.durations import format_duration, parse_duration

__all__ = [
    "MAX_PERIOD_DAYS",
    "MIN_PERIOD_DAYS",
    "PAGE",
    "TICKET",
    "BurnRow",
    "burn_factor",
    "burn_rows",
    "check_period",
    "deploy_max_error_ratio",
    "deploy_min_good_ratio",
    "page_can_fire",
    "page_factor",
    "page_windows",
    "period_label",
    "period_windows",
    "recorded_windows",
    "severities",
]

PAGE: Final = names.SEVERITY_PAGE
TICKET: Final = names.SEVERITY_TICKET
MIN_PERIOD_DAYS: Final = 7
MAX_PERIOD_DAYS: Final = 90
_TILE: Final = 300
"""Seconds per tile: long windows are sums of recorded 5m rates."""


@dataclass(frozen=True, slots=True)
class BurnRow:
    """One multi-window pair of one period's table."""

    severity: str
    short: str
    long: str
    budget_share: Fraction
    """Share of the period's budget the long window spends at the row's burn factor."""
    for_: str
    """Default ``for`` of the alert (the catalog's ``alerting.for`` overrides it)."""


def _row(severity: str, short: str, long: str, share: Fraction) -> BurnRow:
    key = names.ALERT_FOR_BURN_PAGE if severity == PAGE else names.ALERT_FOR_BURN_TICKET
    return BurnRow(severity, short, long, share, names.DEFAULT_ALERT_FOR[key])


_TABLES: Final[dict[int, tuple[BurnRow, ...]]] = {
    30: (
        _row(PAGE, "5m", "1h", Fraction(2, 100)),
        _row(PAGE, "30m", "6h", Fraction(5, 100)),
        _row(TICKET, "2h", "1d", Fraction(10, 100)),
        _row(TICKET, "6h", "3d", Fraction(10, 100)),
    ),
    28: (
        _row(PAGE, "5m", "1h", Fraction(14, 672)),
        _row(PAGE, "30m", "6h", Fraction(7 * 6, 672)),
        _row(TICKET, "2h", "1d", Fraction(2 * 24, 672)),
        _row(TICKET, "6h", "4d", Fraction(96, 672)),
    ),
    7: (
        _row(PAGE, "5m", "15m", Fraction(14 * 15, 7 * 24 * 60)),
        _row(PAGE, "10m", "1h30m", Fraction(7 * 90, 7 * 24 * 60)),
        _row(TICKET, "30m", "6h", Fraction(2 * 6, 7 * 24)),
        _row(TICKET, "1h30m", "1d", Fraction(1, 7)),
    ),
}


_memo: Final = functools.lru_cache(maxsize=1024)
"""Tables and factors are pure functions of a few periods, asked for once per SLO: a fleet
of 20,000 SLOs would otherwise redo the same exact-fraction arithmetic 20,000 times."""


def _tiles(seconds: float) -> str:
    """``seconds`` rounded up to whole 5m tiles, as a duration."""
    return format_duration(max(1, math.ceil(seconds / _TILE - 1e-9)) * _TILE)


def _derived(days: int) -> tuple[BurnRow, ...]:
    """Pyrra's rule: the 28-day rows with windows scaled by ``days / 28``, factors kept."""
    rows = []
    for base in _TABLES[28]:
        factor = base.budget_share * 28 * 86400 / Fraction(int(parse_duration(base.long)))
        short = _tiles(parse_duration(base.short) * days / 28)
        long = _tiles(parse_duration(base.long) * days / 28)
        share = factor * Fraction(int(parse_duration(long))) / (days * 86400)
        rows.append(_row(base.severity, short, long, share))
    return tuple(rows)


def check_period(days: int) -> str | None:
    """None for a supported SLO period, else what is expected (for the catalog's message)."""
    if MIN_PERIOD_DAYS <= days <= MAX_PERIOD_DAYS:
        return None
    return (
        f"expected an SLO period from {MIN_PERIOD_DAYS}d to {MAX_PERIOD_DAYS}d"
        f" (multi-window burn-rate alerts need windows of whole 5m tiles), got {days}d"
    )


@_memo
def burn_rows(days: int) -> tuple[BurnRow, ...]:
    """The table of a period (ValueError for an unsupported one; the catalog refuses those)."""
    problem = check_period(days)
    if problem is not None:
        raise ValueError(problem)
    return _TABLES.get(days) or _derived(days)


def severities(days: int) -> dict[str, tuple[BurnRow, ...]]:
    """The rows of a period grouped by severity, page first."""
    rows = burn_rows(days)
    return {s: tuple(r for r in rows if r.severity == s) for s in (PAGE, TICKET)}


@_memo
def burn_factor(row: BurnRow, days: int) -> float:
    """How many times faster than "exactly on budget" the row's windows must burn."""
    factor = row.budget_share * days * 86400 / Fraction(int(parse_duration(row.long)))
    return float(f"{float(factor):.6g}")


@_memo
def page_factor(days: int) -> float:
    """The fastest page burn factor of the period (the canary's and the dashboard's line)."""
    return max(burn_factor(r, days) for r in burn_rows(days) if r.severity == PAGE)


def deploy_min_good_ratio(objective: float, days: int) -> float:
    """The lowest good ratio a new version may show against an SLO: below it, it burns the
    budget faster than the period's fastest page factor, so it would page once promoted."""
    return max(0.0, 1.0 - page_factor(days) * (1 - objective / 100))


def deploy_max_error_ratio(
    alert_error_rate: float, success_rate: float, availability: Iterable[float], days: int
) -> float:
    """The highest 5xx ratio a new version may show (the canary's and ``zwobs verify``'s one
    number): the strictest of the HighErrorRate threshold, ``1 - rollout.success_rate`` and,
    per availability objective, what pages at the fastest burn. 6 significant digits."""
    limits = [alert_error_rate, 1 - success_rate]
    limits += [1 - deploy_min_good_ratio(objective, days) for objective in availability]
    return float(f"{min(limits):.6g}")


def page_can_fire(objective: float, days: int) -> bool:
    """Whether every page row can fire: an error ratio above ``factor x budget`` must be
    possible, so ``factor x (1 - objective/100)`` has to stay below 1."""
    return page_factor(days) * (1 - objective / 100) < 1


def period_windows(days: int) -> tuple[str, ...]:
    """Every window the period's rows read, shortest first."""
    windows = {w for r in burn_rows(days) for w in (r.short, r.long)}
    return tuple(sorted(windows, key=parse_duration))


def period_label(days: int) -> str:
    """The ``slo_period`` label value (``30d``)."""
    return f"{days}d"


def recorded_windows(periods: Iterable[int]) -> tuple[str, ...]:
    """Windows the rules record for these periods: the standard set plus any a table adds."""
    windows = set(names.SLO_WINDOWS).union(*(period_windows(days) for days in periods))
    return tuple(sorted(windows, key=parse_duration))


def page_windows(periods: Iterable[int]) -> tuple[str, ...]:
    """Windows the page rows of these periods read, shortest first (5m always among them):
    what per-location rules record, since only pages fire per location."""
    windows = {"5m"}.union(*({r.short, r.long} for days in periods for r in severities(days)[PAGE]))
    return tuple(sorted(windows, key=parse_duration))
