"""Multiprocess servers: only live workers count in ``PROMETHEUS_MULTIPROC_DIR``'s live gauges.

prometheus_client keeps each worker's live gauges (requests in progress, build
info) in ``gauge_live*_<pid>.db`` and sums every such file; a worker that died
without ``mark_process_dead`` (killed mid-request, or a previous run of the
server) would count forever. No server hook is needed: a file belongs to a live
worker exactly when the process ``<pid>`` has it mapped (``/proc/<pid>/maps``),
which also tells a reused PID (a new process that never opened the old file)
from its owner. Every scrape of zwobs's ``/metrics`` forgets the others, and a
worker forgets, before it writes, a file a previous process left under its own
PID (otherwise prometheus_client would reopen it and keep its values). Where
``/proc`` is missing, a file counts while a process with that PID exists.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from pathlib import Path
from typing import Any, Final

from prometheus_client import multiprocess

from zwobs.env import env_str

__all__ = ["child_exit", "claim_own_files", "forget_dead_workers", "mark_worker_dead"]

_LIVE_FILE: Final = re.compile(r"gauge_live[a-z]+_(\d+)\.db\Z")
# A file this fresh may be between its creation and its mapping by a starting worker.
_CREATION_GRACE: Final = 2.0
_PROC: Final = Path("/proc")


def _directory() -> Path | None:
    path = env_str("PROMETHEUS_MULTIPROC_DIR")
    return Path(path) if path else None


def mark_worker_dead(pid: int) -> None:
    """Drop the live-gauge files of worker ``pid``; a no-op outside multiprocess mode."""
    path = _directory()
    if path is not None:
        multiprocess.mark_process_dead(pid, str(path))  # type: ignore[no-untyped-call]


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn's ``child_exit`` server hook (optional: scrapes forget dead workers anyway)."""
    mark_worker_dead(int(worker.pid))


def forget_dead_workers(path: Path | None = None) -> list[Path]:
    """Remove the live-gauge files no live process holds; returns what was removed."""
    path = path or _directory()
    if path is None:
        return []
    removed: list[Path] = []
    now = time.time()
    mapped: dict[int, str | None] = {}
    for file, pid in _live_files(path):
        try:
            if now - file.stat().st_mtime < _CREATION_GRACE:
                continue
        except FileNotFoundError:
            continue
        if pid not in mapped:
            mapped[pid] = _maps(pid)
        if not _held(file, pid, mapped[pid]) and _remove(file):
            removed.append(file)
    return removed


def _forget_previous_owner(path: Path | None = None) -> list[Path]:
    """Remove live-gauge files under this process's PID that this process has not opened."""
    path = path or _directory()
    if path is None:
        return []
    pid = os.getpid()
    maps = _maps(pid)
    return [
        file
        for file, owner in _live_files(path)
        if owner == pid and not _held(file, pid, maps) and _remove(file)
    ]


_claimed: set[int] = set()
_claim_lock = threading.Lock()


def claim_own_files() -> None:
    """Drop what a previous process with this PID left, once, before this one writes a gauge."""
    pid = os.getpid()
    if pid in _claimed or _directory() is None:
        return
    with _claim_lock:
        if pid not in _claimed:
            _forget_previous_owner()
            _claimed.add(pid)


def _claim_in_forked_child() -> None:
    # A forked worker (gunicorn --preload) writes under its new PID without declaring
    # anything. It runs one thread, and the lock may have been held by another at fork.
    if _directory() is not None:
        _forget_previous_owner()
        _claimed.add(os.getpid())


os.register_at_fork(after_in_child=_claim_in_forked_child)


def _live_files(path: Path) -> list[tuple[Path, int]]:
    try:
        names = os.listdir(path)
    except OSError:
        return []
    found = []
    for name in names:
        match = _LIVE_FILE.match(name)
        if match:
            found.append((path / name, int(match.group(1))))
    return found


def _maps(pid: int) -> str | None:
    """The memory map of ``pid`` ('' for a dead or zombie process); None if unreadable."""
    if not _PROC.is_dir():
        return None
    try:
        return (_PROC / str(pid) / "maps").read_text(errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return ""
    except OSError:  # another user's process: fall back to "it exists"
        return None


def _held(file: Path, pid: int, maps: str | None) -> bool:
    """Whether process ``pid`` holds ``file`` (by its maps, else by existing at all)."""
    if maps is None:
        return _exists(pid)
    try:
        inode = file.stat().st_ino
    except FileNotFoundError:
        return True  # already gone: nothing to remove
    suffix = "/" + file.name
    for line in maps.splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[4] == str(inode) and fields[5].endswith(suffix):
            return True
    return False


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(file: Path) -> bool:
    with contextlib.suppress(FileNotFoundError):
        file.unlink()
        return True
    return False
