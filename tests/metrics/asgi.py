"""Drive an ASGI app directly: exact control over body chunks and disconnects."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry


@dataclass
class Result:
    status: int | None = None
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""


async def call(
    app: Any,
    path: str,
    *,
    method: str = "GET",
    chunks: Sequence[bytes] = (b"",),
    disconnect_first: bool = False,
    disconnect_mid_body: bool = False,
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> Result:
    """One HTTP request; the request body arrives as ``chunks`` (chunked, no Content-Length).

    ``disconnect_mid_body``: every chunk says more is coming, then the client is gone
    (what uvicorn sends when a client closes its connection in the middle of the body).
    """
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": list(headers),
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    pending: list[dict[str, Any]] = []
    if disconnect_first:
        pending.append({"type": "http.disconnect"})
    else:
        for n, chunk in enumerate(chunks):
            more = disconnect_mid_body or n < len(chunks) - 1
            pending.append({"type": "http.request", "body": chunk, "more_body": more})
        if disconnect_mid_body:
            pending.append({"type": "http.disconnect"})
    result = Result()
    finished = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop(0)
        await finished.wait()  # like a server: the client stays until the response ends
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            result.status = message["status"]
            result.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            result.body += message.get("body", b"")
            if not message.get("more_body", False):
                finished.set()

    try:
        await app(scope, receive, send)
    finally:
        finished.set()
    return result


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    """A sample's value, 0.0 when the series does not exist."""
    return registry.get_sample_value(name, labels) or 0.0


def series(registry: CollectorRegistry, name: str) -> list[dict[str, str]]:
    """The label sets of every sample named ``name``."""
    return [
        dict(s.labels) for metric in registry.collect() for s in metric.samples if s.name == name
    ]
