"""The async API: one awaiter giving up does not cancel the fetch the others wait on."""

from __future__ import annotations

import asyncio
import threading

import pytest
from prometheus_client import CollectorRegistry

from tests.secrets.fakes import FakeStore
from zwobs.secrets import AsyncSecretsClient, SecretsClient, SecretsConfig
from zwobs.secrets.value import SecretData


async def test_a_cancelled_awaiter_does_not_cancel_the_shared_fetch() -> None:
    store = FakeStore()
    store.set("db", {"password": "v1"})
    gate = threading.Event()
    original = store.read_kv

    def slow_read(path: str, version: int | None, *, attempts: int | None = None) -> SecretData:
        gate.wait(5)
        return original(path, version, attempts=attempts)

    store.read_kv = slow_read  # type: ignore[method-assign]
    sync = SecretsClient(SecretsConfig(), backend=store, registry=CollectorRegistry())
    client = AsyncSecretsClient(sync)
    leader = asyncio.create_task(client.get("db", "password"))
    while sync.inflight("db") is None:
        await asyncio.sleep(0.001)
    waiter = asyncio.create_task(client.get("db", "password"))
    try:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(client.get("db", "password"), timeout=0.01)
    finally:
        gate.set()
    assert (await waiter).reveal() == "v1"
    assert (await leader).reveal() == "v1"
    assert store.requests == 1
    await client.aclose()
