"""The background thread that runs refresh rounds on the shared schedule, and again after fork."""

from __future__ import annotations

import threading
from collections.abc import Callable

from zwobs.lifecycle.schedule import poll_delay

__all__ = ["Poller"]


class Poller:
    """Calls ``round()`` (True: success) every ``interval`` seconds, backing off on failures."""

    def __init__(
        self, round_: Callable[[], bool], failures: Callable[[], int], interval: float
    ) -> None:
        self._round = round_
        self._failures = failures
        self._interval = interval
        self.running = False
        self._generation = 0
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.running:
            return
        self.running = True
        self._spawn()

    def stop(self) -> None:
        self.running = False
        self._stop.set()

    def after_fork(self) -> None:
        """After ``os.fork`` only the forking thread survives: a running poller starts anew."""
        self._stop = threading.Event()
        self.thread = None
        if self.running:
            self._spawn()

    def _spawn(self) -> None:
        self._generation += 1
        self._stop.clear()
        thread = threading.Thread(
            target=self._run, args=(self._generation,), name="zwobs-flags-refresh", daemon=True
        )
        self.thread = thread
        thread.start()

    def _run(self, generation: int) -> None:
        stop = self._stop
        while not stop.is_set() and generation == self._generation:
            ok = self._round()
            stop.wait(poll_delay(self._interval, 0 if ok else self._failures()))
