"""A stand-in for an address that is not the server it should be (named as such): a loopback
HTTP server answering every request with an HTML page (a proxy login page, a misrouted
ingress) or another fixed body. A real Vault or Unleash cannot be made to answer like this."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["not_a_server"]


@contextmanager
def not_a_server(
    body: bytes = b"<html><body>Sign in to continue</body></html>",
    content_type: str = "text/html",
    status: int = 200,
) -> Iterator[str]:
    """Serve ``body`` for every GET/POST/PUT on 127.0.0.1; yields the base URL."""

    class _Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def do_PUT(self) -> None:
            self._answer()

        def _answer(self) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
