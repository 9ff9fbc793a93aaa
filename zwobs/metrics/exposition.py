"""The /metrics endpoint: format negotiation, gzip, and multiprocess aggregation of live workers."""

from __future__ import annotations

import gzip
from pathlib import Path

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder, gzip_accepted
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope, Send

from zwobs.env import env_str
from zwobs.metrics.multiprocess import forget_dead_workers
from zwobs.metrics.workers import CENSUS

__all__ = ["render_metrics", "serve_metrics"]


def _registry_to_expose(registry: CollectorRegistry) -> CollectorRegistry:
    # In multiprocess mode each worker writes its own files; any worker reads them all.
    directory = env_str("PROMETHEUS_MULTIPROC_DIR")
    if directory is None:
        CENSUS.check()
    else:
        forget_dead_workers(Path(directory))
        aggregated = CollectorRegistry()
        MultiProcessCollector(aggregated)  # type: ignore[no-untyped-call]
        return aggregated
    return registry


def render_metrics(
    registry: CollectorRegistry, accept: str, accept_encoding: str
) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The body and headers for one scrape, as the scraper asked for them."""
    encoder, content_type = choose_encoder(accept)
    body = encoder(_registry_to_expose(registry))
    headers = [(b"content-type", content_type.encode("latin-1"))]
    if gzip_accepted(accept_encoding):
        body = gzip.compress(body, compresslevel=6)
        headers.append((b"content-encoding", b"gzip"))
    headers.append((b"vary", b"accept, accept-encoding"))
    headers.append((b"content-length", str(len(body)).encode("latin-1")))
    return body, headers


async def serve_metrics(scope: Scope, send: Send, registry: CollectorRegistry) -> None:
    """Answer a scrape; serialising runs in a thread so big registries never stall the loop."""
    method = scope["method"]
    if method not in ("GET", "HEAD"):
        await send(
            {
                "type": "http.response.start",
                "status": 405,
                "headers": [(b"allow", b"GET, HEAD"), (b"content-length", b"0")],
            }
        )
        await send({"type": "http.response.body", "body": b""})
        return
    request_headers = {k.lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
    body, headers = await run_in_threadpool(
        render_metrics,
        registry,
        request_headers.get(b"accept", ""),
        request_headers.get(b"accept-encoding", ""),
    )
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
