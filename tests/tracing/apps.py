"""Small instrumented apps for the tracing tests, each with its own metrics registry."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route

import zwobs
from zwobs.tracing.client import async_client

handler_log = logging.getLogger("tests.tracing.handler")


class BoomError(RuntimeError):
    """The app's own failure, which must reach the caller unchanged."""


def user_service() -> tuple[Starlette, CollectorRegistry]:
    """The callee: users under a mount, a failing route, a streamed route."""

    async def user(request: Request) -> Response:
        handler_log.info("looked up user %s", request.path_params["user_id"])
        return JSONResponse({"id": request.path_params["user_id"]})

    async def unavailable(request: Request) -> Response:
        return JSONResponse({"error": "down"}, status_code=503)

    async def crash(request: Request) -> Response:
        raise BoomError("the handler's bug")

    async def upload(request: Request) -> Response:
        return JSONResponse({"size": len(await request.body())})

    async def stream(request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            for n in range(3):
                await asyncio.sleep(0.01)
                yield f"{n}\n".encode()

        return StreamingResponse(chunks())

    app = Starlette(
        routes=[
            Mount(
                "/v1",
                routes=[
                    Route("/users/{user_id}", user),
                    Route("/unavailable", unavailable),
                    Route("/crash", crash),
                    Route("/stream", stream),
                    Route("/upload", upload, methods=["POST"]),
                ],
            )
        ]
    )
    registry = CollectorRegistry()
    zwobs.instrument(app, service="user-service", registry=registry)
    return app, registry


def profile_service(users: httpx.AsyncBaseTransport, base_url: str) -> Starlette:
    """The caller: answers by calling the user-service through zwobs's httpx helper."""

    async def profile(request: Request) -> Response:
        async with async_client(transport=users, base_url=base_url) as client:
            answer = await client.get(f"/v1/users/{request.path_params['user_id']}")
        return JSONResponse({"user": answer.json(), "upstream_status": answer.status_code})

    app = Starlette(routes=[Route("/profiles/{user_id}", profile)])
    zwobs.instrument(app, service="profile-service", registry=CollectorRegistry())
    return app
