"""The request being handled in this task, for parts that act on its behalf.

The middleware sets it; flags read the remote address and user from it, logs
read nothing from it (they use the active span). Outside a request it is None.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

__all__ = ["current_scope"]

Scope = dict[str, Any]

_scope: ContextVar[Scope | None] = ContextVar("zwobs_request_scope", default=None)


def current_scope() -> Scope | None:
    """The ASGI scope of the request handled by the current task, if any."""
    return _scope.get()
