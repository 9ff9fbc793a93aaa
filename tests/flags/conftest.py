"""Flags tests: a clean process-wide client per test; one real Unleash per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.postgres import Postgres, start_postgres
from tests.servers.unleash import Unleash, start_unleash
from zwobs.flags import _process
from zwobs.flags.pytest_plugin import zwobs_flags

__all__ = ["zwobs_flags"]

_ENV = (
    "UNLEASH_URL",
    "UNLEASH_API_TOKEN",
    "UNLEASH_APP_NAME",
    "UNLEASH_ENVIRONMENT",
    "UNLEASH_REFRESH_INTERVAL",
    "UNLEASH_TIMEOUT",
    "UNLEASH_PROJECT",
    "ZWOBS_FLAGS_FILE",
    "ZWOBS_FLAGS_CACHE_DIR",
    "ZWOBS_FLAGS_SPAN_EVENTS",
    "ZWOBS_SERVICE",
    "ZWOBS_ENVIRONMENT",
    "OTEL_SERVICE_NAME",
)


@pytest.fixture(autouse=True)
def _clean_process_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    yield
    _process.reset()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def unleash(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Unleash]:
    """Unleash 8 with auth ``none`` on a fresh database, serving the delta API."""
    log: Path = tmp_path_factory.mktemp("unleash") / "unleash.log"
    server = start_unleash(postgres, "unleash_open", log, delta_api=True)
    yield server
    server.stop()
