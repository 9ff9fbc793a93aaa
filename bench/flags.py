"""Flag evaluation cost: zwobs.flags against raw UnleashClient, same bootstrapped flags, one run.

    .venv/bin/python -m bench.flags [--calls 20000] [--repeats 5] [--no-server]

Prints microseconds per call (median of the repeats) for a simple flag, a flexible
rollout with constraints and a variant, with the ratio zwobs/raw; then the RSS growth
after evaluating 300,000 distinct unknown flag names, each client in a fresh process;
then, against a real Unleash server with 1,000 flags (tests/servers/unleash.py), the
bytes one refresh moves over the wire with the delta API and with full fetches + ETag.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

PAYLOAD: dict[str, Any] = {
    "version": 2,
    "features": [
        {"name": "simple", "enabled": True,
         "strategies": [{"name": "default", "parameters": {}}]},
        {"name": "rollout", "enabled": True, "strategies": [
            {"name": "flexibleRollout",
             "parameters": {"rollout": "50", "stickiness": "userId", "groupId": "rollout"},
             "constraints": [
                 {"contextName": "plan", "operator": "IN", "values": ["pro", "team"]},
                 {"contextName": "environment", "operator": "IN", "values": ["production"]},
             ]}]},
        {"name": "variant", "enabled": True,
         "strategies": [{"name": "default", "parameters": {}}],
         "variants": [
             {"name": "a", "weight": 500, "weightType": "variable", "stickiness": "userId",
              "payload": {"type": "string", "value": "A"}},
             {"name": "b", "weight": 500, "weightType": "variable", "stickiness": "userId",
              "payload": {"type": "string", "value": "B"}},
         ]},
    ],
}  # fmt: skip
UNKNOWN_NAMES = 300_000
REFRESH_FLAGS = 1000


def raw_client(cache_dir: str) -> Any:
    from UnleashClient import UnleashClient
    from UnleashClient.cache import FileCache

    cache = FileCache("bench", directory=cache_dir)
    cache.bootstrap_from_dict(PAYLOAD)
    client = UnleashClient(
        url="http://127.0.0.1:9/api",
        app_name="bench",
        environment="production",
        cache=cache,
        disable_metrics=True,
        disable_registration=True,
    )
    client.initialize_client(fetch_toggles=False)
    return client


def zwobs_client() -> Any:
    from zwobs.flags import FlagsClient

    # Server-backed but never started: the hot path includes the usage counting for Unleash
    # (and the Prometheus counters) exactly as in production, with nothing fetched.
    return FlagsClient(
        url="http://127.0.0.1:9/api",
        bootstrap=PAYLOAD,
        app_name="bench",
        environment="production",
        start=False,
    )


def _once(fn: Callable[[int], object], calls: int) -> float:
    start = time.perf_counter()
    for i in range(calls):
        fn(i)
    return (time.perf_counter() - start) / calls * 1e6


def _time_pair(
    raw: Callable[[int], object], ours: Callable[[int], object], calls: int, repeats: int
) -> tuple[float, float]:
    """Median us/call of each, timed alternately so both see the same machine noise."""
    raw(0)
    ours(0)
    raw_runs, our_runs = [], []
    for _ in range(repeats):
        raw_runs.append(_once(raw, calls))
        our_runs.append(_once(ours, calls))
    return statistics.median(raw_runs), statistics.median(our_runs)


def speed(calls: int, repeats: int) -> list[tuple[str, float, float]]:
    users = [f"user-{i}" for i in range(1000)]
    ctxs = [{"userId": u, "properties": {"plan": "pro"}} for u in users]
    with tempfile.TemporaryDirectory() as tmp:
        raw = raw_client(tmp)
        ours = zwobs_client()
        for name in ("simple", "rollout"):  # both clients must agree before we time them
            for ctx in ctxs:
                assert raw.is_enabled(name, ctx) == ours.is_enabled(name, context=ctx), name
        cases: list[tuple[str, Callable[[int], object], Callable[[int], object]]] = [
            ("simple flag (is_enabled)",
             lambda i: raw.is_enabled("simple", ctxs[i % 1000]),
             lambda i: ours.is_enabled("simple", context=ctxs[i % 1000])),
            ("flexible rollout + 2 constraints (is_enabled)",
             lambda i: raw.is_enabled("rollout", ctxs[i % 1000]),
             lambda i: ours.is_enabled("rollout", context=ctxs[i % 1000])),
            ("flexible rollout, keyword context (is_enabled)",
             lambda i: raw.is_enabled("rollout", ctxs[i % 1000]),
             lambda i: ours.is_enabled("rollout", user_id=users[i % 1000],
                                       properties={"plan": "pro"})),
            ("variant (get_variant)",
             lambda i: raw.get_variant("variant", ctxs[i % 1000]),
             lambda i: ours.get_variant("variant", context=ctxs[i % 1000])),
            ("unknown flag (is_enabled)",
             lambda i: raw.is_enabled("missing", ctxs[i % 1000]),
             lambda i: ours.is_enabled("missing", context=ctxs[i % 1000])),
        ]  # fmt: skip
        out = []
        for label, raw_fn, ours_fn in cases:
            out.append((label, *_time_pair(raw_fn, ours_fn, calls, repeats)))
        raw.destroy()
    return out


def black_hole_startup() -> tuple[float, float]:
    """Seconds from creating a client to its first answer, server accepting but never answering.

    UnleashClient gets a 1 s timeout and 1 retry (defaults: 30 s and 3, about 150 s), zwobs
    the same 1 s timeout; both have the flags bootstrapped.
    """
    from UnleashClient import UnleashClient
    from UnleashClient.cache import FileCache

    from zwobs.flags import FlagsClient

    logging.getLogger("UnleashClient").setLevel(logging.CRITICAL)  # its expected fetch failures
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/api"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            cache = FileCache("bench-bh", directory=tmp)
            cache.bootstrap_from_dict(PAYLOAD)
            raw = UnleashClient(url=url, app_name="bench-bh", cache=cache, request_timeout=1,
                                request_retries=1, disable_metrics=True,
                                disable_registration=True)  # fmt: skip
            raw.initialize_client()
            raw.is_enabled("simple")
            raw_s = time.perf_counter() - start
            raw.destroy()
        start = time.perf_counter()
        ours = FlagsClient(url=url, bootstrap=PAYLOAD, request_timeout=1)
        ours.is_enabled("simple")
        ours_s = time.perf_counter() - start
        ours.close()
    finally:
        sock.close()
    return raw_s, ours_s


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def memory_child(which: str) -> None:
    """Run in a fresh process: RSS growth (KiB) after UNKNOWN_NAMES distinct unknown names."""
    with tempfile.TemporaryDirectory() as tmp:
        client = raw_client(tmp) if which == "raw" else zwobs_client()
        evaluate = (
            (lambda n: client.is_enabled(n, {"userId": "u"}))
            if which == "raw"
            else (lambda n: client.is_enabled(n, user_id="u"))
        )
        for i in range(1000):
            evaluate(f"warm-{i}")
        before = _rss_kib()
        for i in range(UNKNOWN_NAMES):
            evaluate(f"unknown-flag-{i}")
        print(json.dumps({"kib": _rss_kib() - before}))


def memory(which: str) -> float:
    result = subprocess.run(
        [sys.executable, "-m", "bench.flags", "--memory-child", which],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(result.stdout.strip().splitlines()[-1])["kib"]) / 1024


class _CountingRelay:
    """A loopback TCP relay in front of the server that counts the bytes both ways."""

    def __init__(self, port: int) -> None:
        self._target = ("127.0.0.1", port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.bytes = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                downstream, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._target)
            for src, dst in ((downstream, upstream), (upstream, downstream)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while chunk := src.recv(65536):
                with self._lock:
                    self.bytes += len(chunk)
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def measure(self, action: Callable[[], object]) -> int:
        """Bytes moved while ``action`` ran (its connections are closed when it returns)."""
        before = self.bytes
        action()
        time.sleep(0.2)  # the relay threads finish copying what already arrived
        return self.bytes - before

    def close(self) -> None:
        self._listener.close()


def _delta_advanced(api_url: str, etag: str | None) -> Callable[[], bool]:
    """True once the server's delta answer moved past ``etag`` (it updates about every second)."""

    def advanced() -> bool:
        request = urllib.request.Request(f"{api_url}/client/delta")
        if etag:
            request.add_header("If-None-Match", etag)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status == 200
        except urllib.error.HTTPError:
            return False

    return advanced


def refresh_bytes() -> list[tuple[str, int, int]]:
    """(case, bytes with full fetch + ETag, bytes with the delta API), one refresh each."""
    from tests.servers.postgres import start_postgres
    from tests.servers.process import wait_until
    from tests.servers.unleash import start_unleash
    from zwobs.flags import FlagsClient

    with tempfile.TemporaryDirectory() as tmp:
        postgres = start_postgres()
        try:
            name = f"bench_delta_{int(time.time())}"
            server = start_unleash(postgres, name, Path(tmp) / "unleash.log", delta_api=True)
            try:
                for i in range(REFRESH_FLAGS):
                    server.create_flag(f"bench_flag_{i:04d}", rollout=50, stickiness="userId")
                relay = _CountingRelay(server.port)
                url = f"http://127.0.0.1:{relay.port}/api"
                settings: dict[str, Any] = {"url": url, "environment": "development",
                                            "send_metrics": False, "start": False}  # fmt: skip
                full = FlagsClient(delta=False, **settings)
                delta = FlagsClient(**settings)
                wait_until(
                    lambda: delta.refresh_now() and len(delta.flag_names) == REFRESH_FLAGS,
                    timeout=60,
                    what="all flags in the delta state",
                )
                assert full.refresh_now() and len(full.flag_names) == REFRESH_FLAGS
                assert delta._refresher is not None and delta._refresher.uses_delta
                rows = [("nothing changed (304)", relay.measure(full.refresh_now),
                         relay.measure(delta.refresh_now))]  # fmt: skip
                etag = delta._refresher.etag
                server.toggle("bench_flag_0500", False)
                wait_until(_delta_advanced(server.api_url, etag), timeout=30, what="delta")
                rows.append(("one of 1,000 flags changed", relay.measure(full.refresh_now),
                             relay.measure(delta.refresh_now)))  # fmt: skip
                assert full.is_enabled("bench_flag_0500") is False
                assert delta.is_enabled("bench_flag_0500") is False
                assert delta.flag_names == full.flag_names
                relay.close()
                return rows
            finally:
                server.stop()
        finally:
            postgres.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-server", action="store_true", help="skip the Unleash refresh bytes")
    parser.add_argument("--memory-child", choices=["raw", "zwobs"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    import UnleashClient

    version = getattr(UnleashClient, "__version__", None)
    if version is None:
        from importlib.metadata import version as dist_version

        version = dist_version("UnleashClient")
    print(f"zwobs.flags vs UnleashClient {version}: {args.calls} calls x {args.repeats}, median")
    print("| case | UnleashClient us/call | zwobs us/call | zwobs/raw |")
    print("|---|---:|---:|---:|")
    for label, raw_us, ours_us in speed(args.calls, args.repeats):
        print(f"| {label} | {raw_us:.2f} | {ours_us:.2f} | {ours_us / raw_us:.2f} |")
    raw_s, ours_s = black_hole_startup()
    print()
    print("| black-holed server (accepts, never answers) | UnleashClient | zwobs | zwobs/raw |")
    print("|---|---:|---:|---:|")
    print(f"| create + first is_enabled (ms) | {raw_s * 1e3:.1f} | {ours_s * 1e3:.1f} | "
          f"{ours_s / raw_s:.4f} |")  # fmt: skip
    raw_mib, ours_mib = memory("raw"), memory("zwobs")
    print()
    print(f"| {UNKNOWN_NAMES:,} distinct unknown names | UnleashClient | zwobs | zwobs/raw |")
    print("|---|---:|---:|---:|")
    ratio = ours_mib / raw_mib if raw_mib > 0 else float("nan")
    print(f"| RSS growth (MiB) | {raw_mib:.1f} | {ours_mib:.1f} | {ratio:.3f} |")
    if args.no_server:
        return
    print()
    print(f"| one refresh, {REFRESH_FLAGS:,} flags, real Unleash | full fetch + ETag (bytes) "
          "| delta API (bytes) | delta/full |")  # fmt: skip
    print("|---|---:|---:|---:|")
    for label, full_bytes, delta_bytes in refresh_bytes():
        print(f"| {label} | {full_bytes:,} | {delta_bytes:,} | {delta_bytes / full_bytes:.3f} |")


if __name__ == "__main__":
    main()
