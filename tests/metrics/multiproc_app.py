"""A tiny app for the multiprocess test: tells which worker answered."""

from __future__ import annotations

import asyncio
import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import zwobs


async def pid(request: Request) -> Response:
    return PlainTextResponse(str(os.getpid()))


async def slow(request: Request) -> Response:
    await asyncio.sleep(float(request.query_params.get("seconds", "1")))
    return PlainTextResponse("slow")


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


class WorkerHeader:
    """Outermost: stamps every response, /metrics included, with the worker's PID."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append(
                    (b"x-worker-pid", str(os.getpid()).encode())
                )
            await send(message)

        await self.app(scope, receive, stamped)


app = Starlette(routes=[Route("/pid", pid), Route("/slow", slow), Route("/healthz", healthz)])
zwobs.instrument(app, service="multi")
app.add_middleware(WorkerHeader)
