"""A real Alertmanager (Debian ``prometheus-alertmanager``) and a loopback webhook receiver."""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from tests.servers.process import ServerProcess, free_port, http_ok

__all__ = ["Alertmanager", "Webhook", "start_alertmanager", "start_webhook"]


class Webhook:
    """Collects the JSON bodies Alertmanager POSTs to ``url``."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        received = self

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with received._lock:
                    received.payloads.append(body)
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                del format, args

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def alerts(self) -> list[dict[str, Any]]:
        with self._lock:
            return [alert for p in self.payloads for alert in p.get("alerts", [])]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def start_webhook() -> Webhook:
    return Webhook()


class Alertmanager:
    def __init__(self, process: ServerProcess, port: int) -> None:
        self.process = process
        self.port = port
        self.target = f"127.0.0.1:{port}"
        self.url = f"http://{self.target}"

    def stop(self) -> None:
        self.process.stop()


def start_alertmanager(
    workdir: Path, webhook_url: str = "", *, config: dict[str, Any] | None = None
) -> Alertmanager:
    """Route every alert to ``webhook_url`` at once (1 s group wait), or run ``config`` (a
    whole configuration, e.g. a rendered one); no cluster port."""
    binary = shutil.which("prometheus-alertmanager")
    if binary is None:
        raise RuntimeError("prometheus-alertmanager not found: run scripts/install-prometheus.sh")
    workdir.mkdir(parents=True, exist_ok=True)
    if config is None:
        config = {
            "route": {
                "receiver": "hook",
                "group_by": ["alertname", "service"],
                "group_wait": "1s",
                "group_interval": "1s",
                "repeat_interval": "1h",
            },
            "receivers": [{"name": "hook", "webhook_configs": [{"url": webhook_url}]}],
        }
    config_path = workdir / "alertmanager.yml"
    config_path.write_text(yaml.safe_dump(config))
    port = free_port()
    process = ServerProcess(
        [
            binary,
            f"--config.file={config_path}",
            f"--storage.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ],
        log=workdir / "alertmanager.log",
    )
    try:
        process.wait_ready(lambda: http_ok(f"http://127.0.0.1:{port}/-/ready"), timeout=30)
    except Exception:
        process.stop()
        raise
    return Alertmanager(process, port)
