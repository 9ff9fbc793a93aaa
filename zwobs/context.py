"""The request being handled in this task, for parts that act on its behalf.

The middleware sets it; flags read the remote address and user from it, logs
read nothing from it (they use the active span). Outside a request it is None.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Final

from starlette.types import Scope

__all__ = ["REQUEST_SCOPE", "current_scope"]

REQUEST_SCOPE: Final[ContextVar[Scope | None]] = ContextVar("zwobs_request_scope", default=None)
"""Set and reset by the middleware only, directly (``set``/``reset``): it does so twice per
request, where a wrapper's call costs more than the work under a server."""


def current_scope() -> Scope | None:
    """The ASGI scope of the request handled by the current task, if any."""
    return REQUEST_SCOPE.get()
