"""The async API: cached reads answer inline, everything else runs off the event loop.

hvac is synchronous (its issue 646 asks for asyncio since 2020). A read inside its
TTL is a dict lookup and needs no thread; a miss waits on the fetch already in
flight (no thread held) or runs one in a worker thread, so the loop never blocks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, overload

from zwobs.secrets.client import SecretsClient
from zwobs.secrets.lease import Lease
from zwobs.secrets.value import SecretData, SecretValue, pick

__all__ = ["AsyncSecretsClient"]


class AsyncSecretsClient:
    """``await client.get(path, key)``; wraps (and shares the cache of) a SecretsClient."""

    def __init__(self, client: SecretsClient | None = None) -> None:
        self.sync = client if client is not None else SecretsClient()

    @overload
    async def get(
        self, path: str, key: None = None, *, version: int | None = None
    ) -> SecretData: ...

    @overload
    async def get(self, path: str, key: str, *, version: int | None = None) -> SecretValue: ...

    async def get(
        self, path: str, key: str | None = None, *, version: int | None = None
    ) -> SecretData | SecretValue:
        """Like SecretsClient.get, without blocking the event loop."""
        found = self.sync.cached(path, key, version=version)
        if found is not None:
            return found
        pending = self.sync.inflight(path, version)
        if pending is not None:
            # Another caller is fetching it: await that fetch (its error is ours too).
            return pick(await asyncio.wrap_future(pending), key)
        if key is None:
            return await asyncio.to_thread(self.sync.get, path, version=version)
        return await asyncio.to_thread(self.sync.get, path, key, version=version)

    async def lease(self, path: str, params: Mapping[str, Any] | None = None) -> Lease:
        """Like SecretsClient.lease, in a worker thread."""
        return await asyncio.to_thread(self.sync.lease, path, params)

    async def put(self, path: str, data: Mapping[str, Any], *, cas: int | None = None) -> int:
        """Like SecretsClient.put, in a worker thread."""
        return await asyncio.to_thread(self.sync.put, path, data, cas=cas)

    async def aclose(self) -> None:
        await asyncio.to_thread(self.sync.close)

    async def __aenter__(self) -> AsyncSecretsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
