"""The async API: answers from memory inline and never blocks the event loop on a request."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry

from tests.secrets import seed
from tests.secrets.fakes import FakeStore
from tests.servers.openbao import OpenBao
from zwobs.secrets import (
    AsyncSecretsClient,
    RetryPolicy,
    SecretsClient,
    SecretsConfig,
    SecretUnavailableError,
    SecretValue,
    TokenAuth,
)
from zwobs.secrets.value import SecretData


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A stand-in (not Vault): a loopback socket that accepts connections and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])


async def test_async_get_does_not_block_the_event_loop_while_the_store_hangs(
    silent_listener: int,
) -> None:
    config = SecretsConfig(
        addr=f"http://127.0.0.1:{silent_listener}",
        auth=TokenAuth(SecretValue("t")),
        timeout=1.0,
        retry=RetryPolicy(attempts=1),
    )
    client = AsyncSecretsClient(SecretsClient(config, registry=CollectorRegistry()))
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(0.01)
            ticks += 1

    ticking = asyncio.create_task(ticker())
    with pytest.raises(SecretUnavailableError, match="timeout"):
        await client.get("app/db", "password")
    done.set()
    await ticking
    await client.aclose()
    assert ticks >= 10  # the loop kept running for the whole (>= 1 s) request


@pytest.mark.integration
async def test_async_get_reads_from_openbao_then_from_memory(openbao: OpenBao) -> None:
    seed.kv_put(openbao.root(), "aio/db", {"password": "apw"})
    config = SecretsConfig(addr=openbao.addr, auth=TokenAuth(SecretValue(openbao.root_token)))
    async with AsyncSecretsClient(SecretsClient(config, registry=CollectorRegistry())) as client:
        assert (await client.get("aio/db", "password")).reveal() == "apw"
        assert (await client.get("aio/db")).version == 1
        assert client.sync.cached("aio/db") is not None


async def test_concurrent_async_misses_make_one_request() -> None:
    store = FakeStore()
    store.set("db", {"password": "v1"})
    gate = threading.Event()
    original = store.read_kv

    def slow_read(path: str, version: int | None, *, attempts: int | None = None):  # type: ignore[no-untyped-def]
        gate.wait(5)
        return original(path, version, attempts=attempts)

    store.read_kv = slow_read  # type: ignore[method-assign]
    sync = SecretsClient(SecretsConfig(), backend=store, registry=CollectorRegistry())
    client = AsyncSecretsClient(sync)
    first = asyncio.create_task(client.get("db", "password"))
    while sync.inflight("db") is None:
        await asyncio.sleep(0.001)
    others = [asyncio.create_task(client.get("db", "password")) for _ in range(20)]
    await asyncio.sleep(0.01)
    gate.set()
    values = await asyncio.gather(first, *others)
    assert {v.reveal() for v in values} == {"v1"}
    assert store.requests == 1
    await client.aclose()


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
