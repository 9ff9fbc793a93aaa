"""The value cells of the request series, updated without prometheus_client's per-call checks.

A request updates nine values: the counter, the sum and one bucket of three
histograms, and the in-progress gauge up and down. prometheus_client's public
methods re-check labels and arguments on every call before they reach the
same cells, and each cell takes its own lock: under a server that was half of
zwobs's cost per request. Here the cells are looked up once per series.
In-process cells (``MutexValue``) are written under one zwobs lock per
request instead of seven cell locks (zwobs writes its own series only, and
every zwobs write to them holds that lock), and the in-progress gauge reads
the length of a deque that requests enter and leave (atomic, no lock). Other
cells (multiprocess files) are updated through their own ``inc``; if a
prometheus_client stores its values differently, the public methods are
used. Exemplars always go through the public methods, which validate and
store them.
"""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Final, Protocol

from prometheus_client import Counter, Gauge, Histogram, values

__all__ = ["InFlight", "Series", "in_flight"]

_Cells = tuple[Any, Sequence[Any], Sequence[float]]  # sum, buckets, upper bounds

_MUTEX_VALUE: Final = getattr(values, "MutexValue", None)
_LOCK: Final = threading.Lock()
"""Held by every zwobs write to an in-process request series (never by readers)."""

_PUBLIC, _CELLS, _LOCKED = 0, 1, 2


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


def _in_process(cell: Any) -> bool:
    """A plain in-process float cell: ``_value`` may be written under ``_LOCK``."""
    return (
        _MUTEX_VALUE is not None
        and type(cell) is _MUTEX_VALUE
        and isinstance(getattr(cell, "_value", None), float)
    )


class InFlight(Protocol):
    """The requests in progress: each one ``append``s as it starts and ``pop``s as it ends."""

    def append(self, request: None, /) -> None: ...

    def pop(self) -> object: ...


class _Adding:
    """An in-flight count kept in the gauge's own value (multiprocess files, unknown layouts)."""

    __slots__ = ("_inc",)

    def __init__(self, inc: Callable[[float], None]) -> None:
        self._inc = inc

    def append(self, request: None, /) -> None:
        self._inc(1)

    def pop(self) -> object:
        self._inc(-1)
        return None


# One deque per gauge child, shared by every middleware that counts into it.
_IN_FLIGHT: Final[weakref.WeakKeyDictionary[Gauge, deque[None]]] = weakref.WeakKeyDictionary()


def in_flight(gauge: Gauge) -> InFlight:
    """Where requests counted by the in-progress ``gauge`` (a labelled child) enter and leave.

    In-process, the gauge reports the length of a deque: ``append`` and ``pop``
    are atomic, so a request costs no lock and no Python call. Elsewhere the
    gauge's value cell (or its public ``inc``) is updated.
    """
    cell = _value_cell(gauge)
    if cell is None or getattr(gauge, "_is_most_recent", False):
        return _Adding(gauge.inc)
    if not _in_process(cell):
        return _Adding(cell.inc)
    with _LOCK:
        requests = _IN_FLIGHT.get(gauge)
        if requests is None:
            requests = _IN_FLIGHT[gauge] = deque()
            gauge.set_function(requests.__len__)
    return requests


class Series:
    """A request's counter and histograms for one (method, path, status)."""

    __slots__ = ("_cells", "_counter", "_duration", "_histograms", "_mode")

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
        found = [_histogram_cells(child) for child in self._histograms]
        sizes = [cells for cells in found if cells is not None]
        self._mode = _PUBLIC
        self._cells: tuple[Any, ...] = ()
        if count is not None and len(sizes) == len(found):
            (dsum, dbuckets, dbounds), (qsum, qbuckets, qbounds), (ssum, sbuckets, sbounds) = sizes
            self._cells = (count, dsum, dbuckets, dbounds, qsum, qbuckets, qbounds)
            self._cells += (ssum, sbuckets, sbounds)
            every = [count, dsum, qsum, ssum, *dbuckets, *qbuckets, *sbuckets]
            self._mode = _LOCKED if all(_in_process(cell) for cell in every) else _CELLS

    def record(
        self,
        seconds: float,
        request_bytes: int,
        response_bytes: int,
        exemplar: dict[str, str] | None,
    ) -> None:
        mode = self._mode
        if mode == _PUBLIC:
            self._counter.inc(1, exemplar)
            duration, request_size, response_size = self._histograms
            duration.observe(seconds, exemplar)
            request_size.observe(request_bytes)
            response_size.observe(response_bytes)
            return
        count, dsum, dbuckets, dbounds, qsum, qbuckets, qbounds, ssum, sbuckets, sbounds = (
            self._cells
        )
        request_bucket = qbuckets[bisect_left(qbounds, request_bytes)]
        response_bucket = sbuckets[bisect_left(sbounds, response_bytes)]
        if mode == _LOCKED:
            duration_bucket = dbuckets[bisect_left(dbounds, seconds)]
            with _LOCK:
                if exemplar is None:
                    count._value += 1
                    dsum._value += seconds
                    duration_bucket._value += 1
                else:
                    self._counter.inc(1, exemplar)
                    self._duration.observe(seconds, exemplar)
                qsum._value += request_bytes
                request_bucket._value += 1
                ssum._value += response_bytes
                response_bucket._value += 1
            return
        if exemplar is None:
            count.inc(1)
            dsum.inc(seconds)
            dbuckets[bisect_left(dbounds, seconds)].inc(1)
        else:
            self._counter.inc(1, exemplar)
            self._duration.observe(seconds, exemplar)
        # An empty body (most requests) adds 0 to the sum: one file write saved.
        if request_bytes:
            qsum.inc(request_bytes)
        request_bucket.inc(1)
        if response_bytes:
            ssum.inc(response_bytes)
        response_bucket.inc(1)
