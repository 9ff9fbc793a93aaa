"""Middleware overhead, zwobs against its peers, measured side by side in one run.

    python -m bench.middleware            # direct ASGI calls (no server, no network)
    python -m bench.middleware --uvicorn  # uvicorn on loopback under wrk: server CPU per request

Both modes spread requests over bench/app.py's 20 routes (``PATHS``). zwobs runs
with its defaults (tracing on, opentelemetry-api only, no incoming trace
context) and with tracing off, and under uvicorn also with ``zwobs.flags``
imported (the middleware then publishes each request's scope); the peers are
starlette-exporter, prometheus-fastapi-instrumentator and
opentelemetry-instrumentation-asgi (API only, as zwobs). Prints each
middleware's added cost as a ratio to the fastest peer's. Variants are
interleaved round by round and the median is kept, so a noisy neighbour hits
all of them alike.

Targets (issue 16): zwobs's default adds at most 0.5x of the fastest peer's
overhead; under uvicorn its server CPU per request is at least 0.9 of bare.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from prometheus_client import CollectorRegistry
from prometheus_fastapi_instrumentator import Instrumentator
from starlette_exporter import PrometheusMiddleware

import zwobs
from bench.app import PATHS, build_app, seconds_per_request

Variant = tuple[str, Callable[[], Any]]


def bare() -> Any:
    return build_app()


def zwobs_default() -> Any:
    return zwobs.instrument(build_app(), service="bench", registry=CollectorRegistry())


def zwobs_metrics() -> Any:
    return zwobs.instrument(
        build_app(), service="bench", registry=CollectorRegistry(), tracing=False
    )


def starlette_exporter() -> Any:
    app = build_app()
    app.add_middleware(PrometheusMiddleware, app_name="bench", prefix=f"se{id(app)}")
    return app


def instrumentator() -> Any:
    app = build_app()
    Instrumentator(registry=CollectorRegistry()).instrument(app)
    return app


def otel_asgi() -> Any:
    return OpenTelemetryMiddleware(build_app())


BARE = "bare starlette"
DEFAULT = "zwobs (default: metrics + tracing, API only)"
PEERS = (
    "starlette-exporter 0.24",
    "prometheus-fastapi-instrumentator 8.1",
    "opentelemetry-instrumentation-asgi 0.66b2 (API only)",
)


def measure(variants: list[Variant], rounds: int, requests: int) -> dict[str, float]:
    apps = {name: factory() for name, factory in variants}
    loop = asyncio.new_event_loop()
    for app in apps.values():  # warm up: build middleware stacks, first label children
        loop.run_until_complete(seconds_per_request(app, 500))
    samples: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(rounds):
        for name, app in apps.items():
            samples[name].append(loop.run_until_complete(seconds_per_request(app, requests)))
    loop.close()
    return {name: statistics.median(values) * 1e6 for name, values in samples.items()}


def print_table(us: dict[str, float]) -> None:
    base = us[BARE]
    fastest = min(PEERS, key=lambda name: us[name])
    peer_added = us[fastest] - base
    print(f"{'variant':54} {'us/request':>10} {'added us':>9} {'added / fastest peer':>21}")
    for name, value in us.items():
        added = value - base
        ratio = "" if name == BARE else f"{added / peer_added:20.2f}x"
        print(f"{name:54} {value:10.1f} {added:9.1f} {ratio:>21}")
    default = (us[DEFAULT] - base) / peer_added
    print(f"\nzwobs default / fastest peer ({fastest}): {default:.2f}x (target <= 0.50)")


def asgi_mode(rounds: int, requests: int) -> None:
    variants: list[Variant] = [
        (BARE, bare),
        (DEFAULT, zwobs_default),
        ("zwobs (metrics only, tracing=False)", zwobs_metrics),
        (PEERS[0], starlette_exporter),
        (PEERS[1], instrumentator),
        (PEERS[2], otel_asgi),
    ]
    print(f"== direct ASGI calls, median of {rounds} rounds x {requests} requests\n")
    print_table(measure(variants, rounds, requests))


def uvicorn_mode(seconds: int, rounds: int) -> None:
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("the --uvicorn mode needs wrk (Debian package `wrk`) as the load generator")
    root = Path(__file__).resolve().parents[1]
    targets = {
        "bare": "bench.servers:bare",
        "zwobs (default)": "bench.servers:zwobs_app",
        "zwobs (metrics only)": "bench.servers:zwobs_metrics_app",
        "zwobs (default, flags imported)": "bench.servers:zwobs_flags_app",
        "prometheus-fastapi-instrumentator": "bench.servers:instrumentator_app",
        "starlette-exporter": "bench.servers:starlette_exporter_app",
        "opentelemetry-instrumentation-asgi": "bench.servers:otel_asgi_app",
    }
    servers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "mix.lua"
        script.write_text(_wrk_script(PATHS))
        try:
            for name, target in targets.items():
                port = _free_port()
                argv = [sys.executable, "-m", "uvicorn", target, "--port", str(port)]
                argv += ["--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"]
                if target in _FACTORIES:
                    argv.append("--factory")
                servers[name] = (subprocess.Popen(argv, cwd=root), port)
                _wait_port(port)
                _pin(servers[name][0].pid, _SERVER_CPU)
            for _, port in servers.values():  # warm up: route caches, label children
                _wrk(wrk, port, 1, script)
            rps: dict[str, list[float]] = {name: [] for name in targets}
            cpu_us: dict[str, list[float]] = {name: [] for name in targets}
            order = random.Random(16)
            for _ in range(rounds):  # interleaved, so load from elsewhere hits all alike,
                names = list(servers)  # in a new order each round: no variant always first
                order.shuffle(names)
                for name in names:
                    process, port = servers[name]
                    before = _cpu_seconds(process.pid)
                    requests, per_second = _wrk(wrk, port, seconds, script)
                    cpu_us[name].append((_cpu_seconds(process.pid) - before) / requests * 1e6)
                    rps[name].append(per_second)
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait(10)
    pinned = "" if _SERVER_CPU is None else f", server on CPU {_SERVER_CPU}, wrk on CPU {_WRK_CPU}"
    print(f"== uvicorn on loopback, wrk -c32 over {len(PATHS)} paths{pinned},")
    print(f"   median of {rounds} interleaved {seconds}s runs in shuffled order\n")
    print(
        f"{'variant':36} {'requests/s':>11} {'server CPU us/request':>22} "
        f"{'(quartiles)':>14} {'bare / variant':>15}"
    )
    median_rps = {name: statistics.median(values) for name, values in rps.items()}
    median_cpu = {name: statistics.median(values) for name, values in cpu_us.items()}
    for name in targets:
        ratio = median_cpu["bare"] / median_cpu[name]
        low, _, high = statistics.quantiles(cpu_us[name], n=4)
        spread = f"{low:.0f}-{high:.0f}"
        print(
            f"{name:36} {median_rps[name]:11.0f} {median_cpu[name]:22.1f} {spread:>14} "
            f"{ratio:15.2f}"
        )
    wall = median_rps["zwobs (default)"] / median_rps["bare"]
    cpu = median_cpu["bare"] / median_cpu["zwobs (default)"]
    print(
        f"\nzwobs (default) / bare: {wall:.2f} by wall clock, {cpu:.2f} by server CPU time "
        "(target >= 0.90)"
    )


_FACTORIES = frozenset({"bench.servers:zwobs_flags_app"})


def _wrk_script(paths: tuple[str, ...]) -> str:
    """A wrk Lua script that cycles through ``paths``."""
    quoted = ", ".join(f'"{path}"' for path in paths)
    return (
        f"local paths = {{{quoted}}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        '  return wrk.format("GET", paths[(n % #paths) + 1])\n'
        "end\n"
    )


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid``: unlike wall time, what other tenants do barely moves it."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Every server runs on one CPU and wrk on another, so no variant is measured while
# sharing its core with the load generator more often than the others.
_CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
_SERVER_CPU = _CPUS[-1] if len(_CPUS) > 1 else None
_WRK_CPU = _CPUS[0] if len(_CPUS) > 1 else None


def _pin(pid: int, cpu: int | None) -> None:
    if cpu is not None:
        os.sched_setaffinity(pid, {cpu})


def _wrk(wrk: str, port: int, seconds: int, script: Path) -> tuple[int, float]:
    """Requests served and requests per second of one wrk run."""
    argv = [wrk, "-t1", "-c32", f"-d{seconds}s", "-s", str(script), f"http://127.0.0.1:{port}/"]
    out = subprocess.run(
        argv, capture_output=True, text=True, check=True, preexec_fn=lambda: _pin(0, _WRK_CPU)
    ).stdout
    lines = out.splitlines()
    requests = int(next(line.split()[0] for line in lines if "requests in" in line))
    per_second = float(next(line.split()[1] for line in lines if line.startswith("Requests/sec")))
    return requests, per_second


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"uvicorn did not listen on {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uvicorn", action="store_true", help="throughput under uvicorn + wrk")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    if args.uvicorn:
        uvicorn_mode(args.seconds, args.rounds)
    else:
        asgi_mode(args.rounds, args.requests)


if __name__ == "__main__":
    main()
