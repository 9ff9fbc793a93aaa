"""The seed's user-service, instrumented with zwobs in one line.

Run it with ``make demo`` (or ``uvicorn examples.user_service:app``): metrics
on /metrics, a server span per request (exported over OTLP when
``OTEL_EXPORTER_OTLP_ENDPOINT`` is set) and one ECS JSON log line per event,
carrying the request's trace id. Faults can
be injected for demos and tests, per request with ``?fail=1`` / ``?delay=0.6``,
or for the whole process with ``POST /admin/faults`` or the environment
(``DEMO_ERROR_RATE``, ``DEMO_DELAY_SECONDS``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Mount, Route

import zwobs
from examples import demo_secrets
from zwobs import flags
from zwobs.tracing import configure, setup_logging

log = logging.getLogger("user_service")

FLAGS_FILE = Path(__file__).with_name("flags.yaml")

_USERS = {
    "1": {"id": "1", "name": "Ada"},
    "2": {"id": "2", "name": "Grace"},
    "3": {"id": "3", "name": "Barbara"},
}


@dataclass
class Faults:
    """Process-wide fault injection: the share of requests answered 503, and added latency."""

    error_rate: float = float(os.environ.get("DEMO_ERROR_RATE", "0"))
    delay_seconds: float = float(os.environ.get("DEMO_DELAY_SECONDS", "0"))


faults = Faults()


async def _apply_faults(request: Request) -> Response | None:
    delay = float(request.query_params.get("delay", faults.delay_seconds))
    if delay > 0:
        await asyncio.sleep(delay)
    if request.query_params.get("fail") or random.random() < faults.error_rate:
        return JSONResponse({"error": "injected failure"}, status_code=503)
    return None


async def me(request: Request) -> Response:
    if (failed := await _apply_faults(request)) is not None:
        return failed
    log.info("served the current user")
    return JSONResponse(_USERS["1"])


async def user(request: Request) -> Response:
    if (failed := await _apply_faults(request)) is not None:
        return failed
    found = _USERS.get(request.path_params["user_id"])
    if found is None:
        return JSONResponse({"error": "no such user"}, status_code=404)
    return JSONResponse(found)


async def create_user(request: Request) -> Response:
    body = await request.json()
    new_id = str(len(_USERS) + 1)
    _USERS[new_id] = {"id": new_id, "name": str(body.get("name", ""))}
    return JSONResponse(_USERS[new_id], status_code=201, background=BackgroundTask(_audit, new_id))


async def _audit(user_id: str) -> None:
    # Runs after the response: never part of the request's latency.
    await asyncio.sleep(0.05)
    log.info("audited creation of user %s", user_id)


async def events(request: Request) -> Response:
    """A streamed response: latency ends at its last chunk."""
    count = int(request.query_params.get("count", "3"))
    interval = float(request.query_params.get("interval", "0.1"))

    async def chunks() -> AsyncIterator[bytes]:
        for n in range(count):
            await asyncio.sleep(interval)
            yield f"event {n}\n".encode()

    return StreamingResponse(chunks(), media_type="text/plain")


async def chat_ui(request: Request) -> Response:
    """The seed's ``new_chat_ui`` toggle, per user, from the bootstrap file or Unleash."""
    user_id = request.query_params.get("user", "anonymous")
    new_ui = flags.is_enabled("new_chat_ui", user_id=user_id)
    return JSONResponse({"user": user_id, "ui": "new" if new_ui else "classic"})


async def config(request: Request) -> Response:
    """Where the secrets come from and whether the database password is there: never its value."""
    password = await demo_secrets.adb_password()
    status = flags.status()
    return JSONResponse(
        {
            "secrets": demo_secrets.describe_store(),
            "db_password_set": bool(password.reveal()),
            "flags": {"mode": status.mode, "ready": status.ready, "source": status.source},
        }
    )


async def crash(request: Request) -> Response:
    raise RuntimeError("the demo's deliberate bug")


async def set_faults(request: Request) -> Response:
    body = await request.json()
    faults.error_rate = float(body.get("error_rate", faults.error_rate))
    faults.delay_seconds = float(body.get("delay_seconds", faults.delay_seconds))
    return JSONResponse({"error_rate": faults.error_rate, "delay_seconds": faults.delay_seconds})


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


def create_app(service: str = "user-service") -> Starlette:
    """A fresh app (tests build several in one process)."""
    app = Starlette(
        routes=[
            Mount(
                "/v1",
                routes=[
                    Route("/users/me", me),
                    Route("/users", create_user, methods=["POST"]),
                    Route("/users/{user_id}", user),
                    Route("/users/{user_id}/events", events),
                    Route("/chat/ui", chat_ui),
                    Route("/crash", crash),
                ],
            ),
            Route("/admin/faults", set_faults, methods=["POST"]),
            Route("/admin/config", config),
            Route("/healthz", healthz),
        ]
    )
    zwobs.instrument(app, service=os.environ.get("ZWOBS_SERVICE", service))
    return app


def main_app() -> Starlette:
    """The served app: JSON logs with trace ids, spans exported when OTEL_* asks for it."""
    service = os.environ.get("ZWOBS_SERVICE", "user-service")
    setup_logging(service)
    configure(service)
    if not os.environ.get("UNLEASH_URL") and not os.environ.get("ZWOBS_FLAGS_FILE"):
        flags.configure(bootstrap=str(FLAGS_FILE))
    return create_app(service)


app = main_app()
