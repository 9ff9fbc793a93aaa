"""Fixtures of the secrets tests: a fresh metrics registry, a manual clock, a real OpenBao."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from tests.secrets.fakes import FakeStore, ManualClock
from tests.servers.openbao import OpenBao, bao_binary, start_openbao


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


def _require_bao() -> None:
    if bao_binary() is None:
        pytest.fail("bao is not installed: run scripts/install-openbao.sh (make servers)")


@pytest.fixture(scope="module")
def openbao(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenBao]:
    """One dev server for the module's tests (they use distinct paths)."""
    _require_bao()
    server = start_openbao(Path(tmp_path_factory.mktemp("openbao")))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_openbao(tmp_path: Path) -> Iterator[OpenBao]:
    """A dev server for one test that stops and restarts it."""
    _require_bao()
    server = start_openbao(tmp_path)
    try:
        yield server
    finally:
        server.stop()
