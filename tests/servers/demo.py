"""The demo user-service under a real uvicorn on a free loopback port."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from tests.servers.process import ServerProcess, free_port, http_ok

__all__ = ["DemoService", "start_demo"]

_ROOT = Path(__file__).resolve().parents[2]


class DemoService:
    def __init__(self, process: ServerProcess, port: int) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.target = f"127.0.0.1:{port}"

    def stop(self) -> None:
        self.process.stop()


def start_demo(
    workdir: Path,
    *,
    app: str = "examples.user_service:app",
    env: Mapping[str, str] | None = None,
    workers: int = 1,
) -> DemoService:
    """Start ``app`` with uvicorn; ready when /healthz answers."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--log-level", "warning", "--no-access-log"]
    if workers > 1:
        argv += ["--workers", str(workers)]
    process = ServerProcess(
        argv, log=workdir / f"uvicorn-{port}.log", env={**(env or {})}, cwd=_ROOT
    )
    try:
        process.wait_ready(lambda: http_ok(f"http://127.0.0.1:{port}/healthz"), timeout=30)
    except Exception:
        process.stop()
        raise
    return DemoService(process, port)
