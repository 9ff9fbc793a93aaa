"""The request being handled in this task, for parts that act on its behalf.

The middleware publishes it once a reader has subscribed: ``subscribe()``, or
a first ``current_scope()``. Flags subscribe when imported (they read the
remote address and user from it); logs read nothing from it (they use the
active span). Outside a request, or with no reader, it is None. Publishing
only for readers matters under a server: the context variable's four updates
per request cost about 1.5 us there.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Final

from starlette.types import Scope

__all__ = ["READERS", "REQUEST_SCOPE", "current_scope", "subscribe"]

REQUEST_SCOPE: Final[ContextVar[Scope | None]] = ContextVar("zwobs_request_scope", default=None)
"""Set and reset by the middleware only, directly, while ``READERS.subscribed``."""


class _Readers:
    __slots__ = ("subscribed",)

    def __init__(self) -> None:
        self.subscribed = False


READERS: Final = _Readers()
"""Whether anything reads the request scope; the middleware checks it per request."""


def subscribe() -> None:
    """Have the middleware publish each request's scope from now on.

    Call it before serving (at import): a request already in progress when it
    is called was not published.
    """
    READERS.subscribed = True


def current_scope() -> Scope | None:
    """The ASGI scope of the request handled by the current task, if published.

    Reading subscribes: a reader that forgot ``subscribe()`` misses only the
    requests already in progress at its first read.
    """
    if not READERS.subscribed:
        subscribe()
    return REQUEST_SCOPE.get()
