"""The request being handled in this task, for parts that act on its behalf.

The middleware sets it; flags read the remote address and user from it, logs
read nothing from it (they use the active span). Outside a request it is None.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

from starlette.types import Scope

__all__ = ["bind_scope", "current_scope", "unbind_scope"]

_scope: ContextVar[Scope | None] = ContextVar("zwobs_request_scope", default=None)


def current_scope() -> Scope | None:
    """The ASGI scope of the request handled by the current task, if any."""
    return _scope.get()


def bind_scope(scope: Scope | None) -> Token[Scope | None]:
    """Make ``scope`` the current request (the middleware calls this; None: no request)."""
    return _scope.set(scope)


def unbind_scope(token: Token[Scope | None]) -> None:
    _scope.reset(token)
