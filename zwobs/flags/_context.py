"""The Unleash context of one evaluation: static fields, the current request, explicit arguments.

Same meaning as in Unleash's SDKs: ``userId``, ``sessionId``, ``remoteAddress``,
``environment``, ``appName``, ``currentTime`` at the top level, everything else
under ``properties``; values are strings. Precedence (last wins): static
settings, the request handled by the zwobs middleware, the ``context`` mapping,
explicit keyword arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from zwobs.context import current_scope, subscribe

__all__ = ["ContextExtractor", "build_context", "request_context", "starlette_user"]

ContextExtractor = Callable[[Mapping[str, Any]], Mapping[str, Any] | None]
"""Takes the ASGI scope of the current request, returns Unleash context fields (or None)."""

TOP_LEVEL = frozenset(
    {"userId", "sessionId", "remoteAddress", "environment", "appName", "currentTime"}
)
_SCOPE_KEY = "zwobs.flags.context"

subscribe()  # flags read the request scope: have the middleware publish it


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def starlette_user(scope: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Default extractor: ``userId`` from Starlette's AuthenticationMiddleware, when signed in."""
    user = scope.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    identity = getattr(user, "identity", None) or getattr(user, "display_name", None)
    return {"userId": identity} if identity else None


def _merge_into(target: dict[str, Any], source: Mapping[str, Any]) -> None:
    properties = target.get("properties")
    for key, value in source.items():
        if value is None:
            continue
        if key == "properties":
            if isinstance(value, Mapping):
                properties = {**(properties or {}), **{k: _text(v) for k, v in value.items()}}
        elif key in TOP_LEVEL:
            target[key] = _text(value)
        else:
            properties = {**(properties or {}), key: _text(value)}
    if properties is not None:
        target["properties"] = properties


def request_context(extractor: ContextExtractor | None) -> Mapping[str, Any] | None:
    """Context fields of the request being handled (cached in its scope), or None outside one."""
    scope = current_scope()
    if scope is None:
        return None
    cached = scope.get(_SCOPE_KEY)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    fields: dict[str, Any] = {}
    client = scope.get("client")
    if client:
        fields["remoteAddress"] = str(client[0])
    if extractor is not None:
        try:
            extracted = extractor(scope)
        except Exception:
            extracted = None
        if extracted:
            _merge_into(fields, extracted)
    scope[_SCOPE_KEY] = fields
    return fields


def build_context(
    static: Mapping[str, Any],
    request: Mapping[str, Any] | None,
    *,
    context: Mapping[str, Any] | None,
    user_id: str | None,
    session_id: str | None,
    remote_address: str | None,
    current_time: datetime | str | None,
    properties: Mapping[str, Any] | None,
) -> Mapping[str, Any]:
    """Merge the layers; returns ``static`` itself when nothing is added (the common fast path)."""
    if (
        not request
        and context is None
        and user_id is None
        and session_id is None
        and remote_address is None
        and current_time is None
        and properties is None
    ):
        return static
    out: dict[str, Any] = dict(static)
    if request:
        _merge_into(out, request)
    if context is not None:
        _merge_into(out, context)
    if user_id is not None:
        out["userId"] = str(user_id)
    if session_id is not None:
        out["sessionId"] = str(session_id)
    if remote_address is not None:
        out["remoteAddress"] = str(remote_address)
    if current_time is not None:
        out["currentTime"] = _text(current_time)
    if properties is not None:
        _merge_into(out, {"properties": properties})
    return out
