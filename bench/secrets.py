"""zwobs.secrets: a cached ``get`` against a direct hvac read, side by side in one run.

    python -m bench.secrets          # starts an OpenBao dev server on a loopback port

Prints microseconds per read for: a direct hvac KV v2 read from OpenBao (what a
service does without a cache), zwobs ``get`` (cached, inside its TTL), zwobs async
``get`` (cached), and a plain dict lookup, plus the ratios. Variants are interleaved
round by round and the median is kept, so a noisy neighbour hits all of them alike.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from prometheus_client import CollectorRegistry

from tests.servers.openbao import start_openbao
from zwobs.secrets import (
    AsyncSecretsClient,
    SecretsClient,
    SecretsConfig,
    SecretValue,
    TokenAuth,
)


def _per_call_us(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--direct", type=int, default=300, help="direct hvac reads per round")
    parser.add_argument("--cached", type=int, default=200_000, help="cached reads per round")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="zwobs-bench-bao-") as tmp:
        server = start_openbao(Path(tmp))
        try:
            root = server.root()
            root.secrets.kv.v2.create_or_update_secret("bench/db", secret={"password": "pw"})
            config = SecretsConfig(
                addr=server.addr, auth=TokenAuth(SecretValue(server.root_token)), ttl=3600
            )
            client = SecretsClient(config, registry=CollectorRegistry())
            aclient = AsyncSecretsClient(client)
            client.get("bench/db", "password")  # warm the cache
            plain = {"bench/db": {"password": "pw"}}
            loop = asyncio.new_event_loop()

            async def async_batch(n: int) -> float:
                start = time.perf_counter()
                for _ in range(n):
                    await aclient.get("bench/db", "password")
                return (time.perf_counter() - start) / n * 1e6

            def direct() -> object:
                return root.secrets.kv.v2.read_secret_version(
                    "bench/db", raise_on_deleted_version=True
                )

            results: dict[str, list[float]] = {k: [] for k in ("hvac", "zwobs", "async", "dict")}
            for _ in range(args.rounds):
                results["hvac"].append(_per_call_us(direct, args.direct))
                results["zwobs"].append(
                    _per_call_us(lambda: client.get("bench/db", "password"), args.cached)
                )
                results["async"].append(loop.run_until_complete(async_batch(args.cached)))
                results["dict"].append(
                    _per_call_us(lambda: plain["bench/db"]["password"], args.cached)
                )
            loop.close()
            client.close()
        finally:
            server.stop()

    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"secrets read, median of {args.rounds} rounds (microseconds per read)")
    print(f"  direct hvac KV v2 read (OpenBao, loopback) {med['hvac']:10.2f} us")
    print(f"  zwobs get, cached                          {med['zwobs']:10.3f} us")
    print(f"  zwobs async get, cached                    {med['async']:10.3f} us")
    print(f"  dict lookup                                {med['dict']:10.3f} us")
    print(f"ratio direct hvac / zwobs cached get:  {med['hvac'] / med['zwobs']:10.0f}x")
    print(f"ratio zwobs cached get / dict lookup:  {med['zwobs'] / med['dict']:10.1f}x")
    print(f"ratio zwobs async get / dict lookup:   {med['async'] / med['dict']:10.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
