"""A STAND-IN for Prometheus's query API (not a real Prometheus): it answers the three
queries of ``zwobs verify`` with fixed numbers, so an installed ``zwobs verify`` can run its
whole path (HTTP, parsing, verdict) in a virtualenv without the server. The real-server
tests of verify are in tests/verify/ and tests/live/."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["stand_in_prometheus"]


@contextmanager
def stand_in_prometheus(answers: Mapping[str, float]) -> Iterator[tuple[str, list[str]]]:
    """Serve ``answers`` (PromQL -> value) on 127.0.0.1; yields (URL, queries received).
    A query not in ``answers`` gets an empty vector."""
    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            query = form.get("query", [""])[0]
            received.append(query)
            result = (
                [] if query not in answers else [{"metric": {}, "value": [0, str(answers[query])]}]
            )
            body = json.dumps(
                {"status": "success", "data": {"resultType": "vector", "result": result}}
            ).encode()
            self.send_response(200 if self.path == "/api/v1/query" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            del format, args

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
