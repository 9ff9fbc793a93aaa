"""Several workers serving one address without ``PROMETHEUS_MULTIPROC_DIR``: said once, loudly.

Each worker then counts only its own requests, and a scrape sees whichever
worker answers it. To notice, each instrumented process announces itself, at
its first request, as an abstract Unix socket named after its parent process
and the address it serves (Linux; the kernel drops the name when the process
dies, so nothing is left behind). A scrape looks for siblings' names in
``/proc/net/unix``, at most every ``_RECHECK`` seconds, and logs one error
when it finds any. Workers of one server share a parent and an address;
separate servers cannot share an address, so they never look like siblings.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
from pathlib import Path
from typing import Final

from zwobs.env import env_str

__all__ = ["CENSUS", "WorkerCensus"]

_log = logging.getLogger("zwobs.metrics")

_NET_UNIX: Final = Path("/proc/net/unix")
_RECHECK: Final = 30.0


def _group(address: object) -> str:
    digest = hashlib.sha256(repr(address).encode("utf-8", "replace")).hexdigest()[:16]
    return f"zwobs-metrics/{os.getppid()}/{digest}/"


class WorkerCensus:
    """This process's announcement, and whether the warning was given (one per process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.announced = False
        self._group = ""
        self._socket: socket.socket | None = None
        self._checked = float("-inf")
        self._warned = False

    def announce(self, address: object) -> None:
        """Bind this process's name once; the middleware calls it until ``announced``."""
        with self._lock:
            if self.announced:
                return
            self.announced = True
            if address is None or not _NET_UNIX.exists():
                return
            group = _group(address)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            try:
                sock.bind(f"\0{group}{os.getpid()}")
            except OSError:  # no abstract namespace here: no census, no warning
                sock.close()
                return
            self._socket, self._group = sock, group

    def after_fork(self) -> None:
        """A forked child announces itself anew (the inherited name is its parent's)."""
        if self._socket is not None:
            self._socket.close()
        self._lock = threading.Lock()
        self._reset()

    def check(self) -> None:
        """Called per scrape: log once if other workers serve this address unaggregated."""
        now = time.monotonic()
        if self._warned or not self._group or now - self._checked < _RECHECK:
            return
        self._checked = now
        others = _siblings(self._group) - {os.getpid()}
        if others and not env_str("PROMETHEUS_MULTIPROC_DIR"):
            self._warned = True
            _log.error(
                "zwobs: %d other worker process(es) serve this address (PIDs %s) and "
                "PROMETHEUS_MULTIPROC_DIR is not set: every scrape of /metrics shows only the "
                "counts of the worker that answers it. Set PROMETHEUS_MULTIPROC_DIR to an empty "
                "directory shared by all workers (logged once)",
                len(others),
                ", ".join(str(other) for other in sorted(others)),
            )


CENSUS: Final = WorkerCensus()
os.register_at_fork(after_in_child=CENSUS.after_fork)


def _siblings(group: str) -> set[int]:
    """PIDs announced under ``group`` in this network namespace."""
    prefix = "@" + group
    found: set[int] = set()
    try:
        with _NET_UNIX.open(errors="replace") as table:
            for line in table:
                path = line.rstrip("\n").rpartition(" ")[2]
                if path.startswith(prefix) and path[len(prefix) :].isdigit():
                    found.add(int(path[len(prefix) :]))
    except OSError:
        return set()
    return found
