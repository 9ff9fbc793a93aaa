"""Objects that must rebuild locks, connections and threads in a forked child.

After ``os.fork`` only the forking thread survives and any lock another thread held
stays held forever (gunicorn ``--preload``). One ``os.register_at_fork`` hook calls
``after_fork_in_child`` on every live tracked object; tracking holds no reference.
"""

from __future__ import annotations

import os
import weakref
from typing import Protocol

__all__ = ["ForkAware", "track", "untrack"]


class ForkAware(Protocol):
    def after_fork_in_child(self) -> None: ...


_live: weakref.WeakSet[ForkAware] = weakref.WeakSet()


def track(obj: ForkAware) -> None:
    """Call ``obj.after_fork_in_child()`` in every child forked while ``obj`` lives."""
    _live.add(obj)


def untrack(obj: ForkAware) -> None:
    _live.discard(obj)


def _in_child() -> None:
    for obj in list(_live):
        obj.after_fork_in_child()


os.register_at_fork(after_in_child=_in_child)
