"""A real uvicorn serving the test user-service in-process, so its spans reach the exporter."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import uvicorn

from tests.servers.process import free_port, wait_until
from tests.tracing.apps import user_service


@pytest.fixture
def user_server() -> Iterator[str]:
    """Base URL of the user-service under uvicorn on a loopback port; stopped after the test."""
    app, _ = user_service()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_config=None, log_level="info", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, timeout=20)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=20)
