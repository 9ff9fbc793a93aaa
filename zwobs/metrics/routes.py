"""The route template of a request, read from what the router left in the scope.

Starlette records the matched route in ``scope["route"]`` and the concrete
mount prefix in ``root_path``; FastAPI records the template including
``include_router`` prefixes. Only mount prefixes need translating back to
templates, and those come from an index of the app's mounts built once. No
route is matched a second time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from starlette.routing import BaseRoute, Host, Mount, compile_path
from starlette.types import Scope

from zwobs import names

__all__ = ["RouteTemplates"]

_MOUNT_SUFFIX = "/{path}"


def _mount_template(mount: Mount) -> str:
    # Mount.path_format is "<prefix>/{path}": the prefix template is what precedes it.
    return mount.path_format.removesuffix(_MOUNT_SUFFIX)


def _inner_template(scope: Scope, route: object) -> str | None:
    """The template of ``route`` relative to the innermost mount."""
    fastapi = scope.get("fastapi")
    if isinstance(fastapi, dict):
        context = fastapi.get("effective_route_context")
        if context is not None and getattr(context, "original_route", None) is route:
            path_format = getattr(context, "path_format", None)
            if isinstance(path_format, str):
                return path_format
    path_format = getattr(route, "path_format", None)
    return path_format if isinstance(path_format, str) else None


class RouteTemplates:
    """Resolves ``path`` labels for one app; cheap per request, safe across threads."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._static: dict[str, str] = {}
        self._dynamic: list[tuple[re.Pattern[str], str]] = []
        self._indexed_routes = -1

    def template(self, scope: Scope, entry_root_path: str) -> str:
        """The full template (mount prefixes included) or the unmatched sentinel."""
        route = scope.get("route")
        if route is None:
            return names.UNMATCHED_PATH
        if isinstance(route, Mount):
            if route.routes:
                # A router was mounted here and none of its routes matched.
                return names.UNMATCHED_PATH
            inner = _MOUNT_SUFFIX  # an opaque app (static files, WSGI): one series per mount
        else:
            if "fastapi" in scope:
                found = _inner_template(scope, route)
            else:  # plain Starlette: the route's own template, read without a call
                found = getattr(route, "path_format", None)
            if not isinstance(found, str):
                return names.UNMATCHED_PATH
            inner = found
        concrete = str(scope.get("root_path", ""))[len(entry_root_path) :]
        if not concrete:
            return entry_root_path + inner
        prefix = self._prefix_template(concrete)
        if prefix is None:
            return names.UNMATCHED_PATH
        return entry_root_path + prefix + inner

    def _prefix_template(self, concrete: str) -> str | None:
        found = self._lookup(concrete)
        if found is None and self._index_stale():
            self._reindex()
            found = self._lookup(concrete)
        return found

    def _lookup(self, concrete: str) -> str | None:
        static = self._static.get(concrete)
        if static is not None:
            return static
        for pattern, template in self._dynamic:
            if pattern.match(concrete):
                return template
        return None

    def _index_stale(self) -> bool:
        return self._indexed_routes != len(getattr(self._app, "routes", ()))

    def _reindex(self) -> None:
        static: dict[str, str] = {}
        dynamic: list[tuple[re.Pattern[str], str]] = []
        routes: list[BaseRoute] = list(getattr(self._app, "routes", ()))
        for template in sorted(set(_mount_prefixes(routes, ""))):
            if "{" in template:
                pattern, _, _ = compile_path(template)
                dynamic.append((pattern, template))
            else:
                static[template] = template
        # Readers may see the old index for a moment: both are valid answers.
        self._static, self._dynamic = static, dynamic
        self._indexed_routes = len(routes)


def _mount_prefixes(routes: Iterable[BaseRoute], prefix: str) -> Iterable[str]:
    """Every mount prefix template reachable from ``routes``, outermost first."""
    for route in routes:
        if isinstance(route, Mount):
            template = prefix + _mount_template(route)
            yield template
            yield from _mount_prefixes(route.routes, template)
        elif isinstance(route, Host):
            yield from _mount_prefixes(route.routes, prefix)
