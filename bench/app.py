"""The app every middleware bench runs: ~20 routes, one mount, a realistic request mix."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

__all__ = ["PATHS", "build_app"]


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


# A mix that reaches early, late and mounted routes, and one miss.
PATHS: tuple[str, ...] = (
    "/users/42",
    "/posts/7/comments",
    "/search",
    "/api/v1/orders/9/items",
    "/api/v1/shipments/3",
    "/users/1/posts/2",
    "/api/v1/items/5",
    "/nope",
)
