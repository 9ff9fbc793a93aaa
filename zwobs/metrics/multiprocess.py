"""Multiprocess servers: forget what a dead worker left in ``PROMETHEUS_MULTIPROC_DIR``.

Live gauges (requests in progress, build info) are summed over the files of
every worker; a worker that died mid-request would otherwise count forever.
gunicorn: ``child_exit = zwobs.metrics.multiprocess.child_exit`` in its config.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import multiprocess

__all__ = ["child_exit", "mark_worker_dead"]


def mark_worker_dead(pid: int) -> None:
    """Drop the live-gauge files of worker ``pid``; a no-op outside multiprocess mode."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        multiprocess.mark_process_dead(pid, path)  # type: ignore[no-untyped-call]


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn's ``child_exit`` server hook."""
    mark_worker_dead(int(worker.pid))
