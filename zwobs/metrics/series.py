"""The value cells of one request series, updated without prometheus_client's per-call checks.

A request updates nine values: the counter, the sum and one bucket of three
histograms, and the in-progress gauge up and down. prometheus_client's public
methods re-check labels and arguments on every call before they reach the
same cells, which is about a third of zwobs's own cost per request. Here the
cells are looked up once per series and updated directly, in-process or
multiprocess alike (the cells are prometheus_client's own value classes). If a
prometheus_client stores its values differently, the public methods are used.
Exemplars always go through the public methods, which validate and store them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

__all__ = ["Series", "adder"]

_Cells = tuple[Any, Sequence[Any], Sequence[float]]  # sum, buckets, upper bounds


def _histogram_cells(child: Histogram) -> _Cells | None:
    cells = getattr(child, "_sum", None), getattr(child, "_buckets", None)
    bounds = getattr(child, "_upper_bounds", None)
    if cells[0] is None or not isinstance(cells[1], list) or not isinstance(bounds, list):
        return None
    if len(cells[1]) != len(bounds) or bounds[-1] != float("inf"):
        return None
    return cells[0], cells[1], bounds


def _value_cell(child: Counter | Gauge) -> Any:
    cell = getattr(child, "_value", None)
    return cell if callable(getattr(cell, "inc", None)) else None


def adder(gauge: Gauge) -> Callable[[float], None]:
    """``gauge.inc`` without the per-call checks, when the gauge's cell is reachable."""
    cell = _value_cell(gauge)
    if cell is None or getattr(gauge, "_is_most_recent", False):
        return gauge.inc
    return cell.inc  # type: ignore[no-any-return]


class Series:
    """A request's counter and histograms for one (method, path, status)."""

    __slots__ = ("_count", "_counter", "_direct", "_duration", "_histograms", "_sizes")

    def __init__(
        self,
        counter: Counter,
        duration: Histogram,
        request_size: Histogram,
        response_size: Histogram,
    ) -> None:
        self._counter = counter
        self._duration = duration
        self._histograms = (duration, request_size, response_size)
        count = _value_cell(counter)
        cells = [_histogram_cells(child) for child in self._histograms]
        self._direct = count is not None and all(cell is not None for cell in cells)
        self._count = count
        self._sizes: list[_Cells] = [cell for cell in cells if cell is not None]

    def record(
        self,
        seconds: float,
        request_bytes: int,
        response_bytes: int,
        exemplar: dict[str, str] | None,
    ) -> None:
        if not self._direct:
            self._counter.inc(1, exemplar)
            duration, request_size, response_size = self._histograms
            duration.observe(seconds, exemplar)
            request_size.observe(request_bytes)
            response_size.observe(response_bytes)
            return
        duration_cells, request_cells, response_cells = self._sizes
        if exemplar is None:
            self._count.inc(1)
            total, buckets, bounds = duration_cells
            total.inc(seconds)
            buckets[bisect_left(bounds, seconds)].inc(1)
        else:
            self._counter.inc(1, exemplar)
            self._duration.observe(seconds, exemplar)
        total, buckets, bounds = request_cells
        total.inc(request_bytes)
        buckets[bisect_left(bounds, request_bytes)].inc(1)
        total, buckets, bounds = response_cells
        total.inc(response_bytes)
        buckets[bisect_left(bounds, response_bytes)].inc(1)
