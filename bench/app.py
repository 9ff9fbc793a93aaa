"""The app every middleware bench runs: ~20 routes, one mount, a realistic request mix."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

__all__ = ["HEADERS", "PATHS", "build_app", "seconds_per_request"]

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


async def handler(request: Request) -> Response:
    return PlainTextResponse("ok")


def build_app() -> Starlette:
    top = [
        Route("/", handler),
        Route("/health", handler),
        Route("/users", handler),
        Route("/users/{user_id}", handler),
        Route("/users/{user_id}/posts", handler),
        Route("/users/{user_id}/posts/{post_id}", handler),
        Route("/posts", handler),
        Route("/posts/{post_id}", handler),
        Route("/posts/{post_id}/comments", handler),
        Route("/search", handler),
        Route("/login", handler, methods=["POST"]),
        Route("/logout", handler, methods=["POST"]),
    ]
    api = [
        Route("/orders", handler),
        Route("/orders/{order_id}", handler),
        Route("/orders/{order_id}/items", handler),
        Route("/items/{item_id}", handler),
        Route("/carts/{cart_id}", handler),
        Route("/payments/{payment_id}", handler),
        Route("/invoices/{invoice_id}", handler),
        Route("/shipments/{shipment_id}", handler),
    ]
    return Starlette(routes=[*top, Mount("/api/v1", routes=api)])


# A mix that spreads over the routes: early, late, parameterised, static and mounted
# ones, and one miss in every sixteen requests (a router has to try every route for it).
PATHS: tuple[str, ...] = (
    "/",
    "/users",
    "/users/42",
    "/users/1/posts",
    "/users/1/posts/2",
    "/posts",
    "/posts/7",
    "/posts/7/comments",
    "/search",
    "/api/v1/orders",
    "/api/v1/orders/9",
    "/api/v1/orders/9/items",
    "/api/v1/items/5",
    "/api/v1/carts/3",
    "/api/v1/shipments/3",
    "/nope",
)

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"host", b"127.0.0.1:8000"),
    (b"user-agent", b"bench/1"),
    (b"accept", b"*/*"),
)


def _scope(path: str, headers: Sequence[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": list(headers),
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: dict[str, Any]) -> None:
    return None


async def seconds_per_request(
    app: ASGIApp, requests: int, headers: Sequence[tuple[bytes, bytes]] = HEADERS
) -> float:
    """Direct ASGI calls over the PATHS mix: no server, no network, just the app's cost.

    Counted in this process's CPU time, which other tenants of a shared machine
    move far less than the wall clock.
    """
    scopes = [_scope(path, headers) for path in PATHS]
    count = len(scopes)
    started = time.process_time()
    for n in range(requests):
        await app(dict(scopes[n % count]), _receive, _send)
    return (time.process_time() - started) / requests
