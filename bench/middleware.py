"""Middleware overhead, zwobs against its peers, measured side by side in one process.

    python -m bench.middleware            # direct ASGI calls (no server, no network)
    python -m bench.middleware --uvicorn  # uvicorn on loopback under wrk: throughput ratio

Prints microseconds per request and each middleware's added cost as a ratio
to zwobs's. Variants are interleaved round by round and the median is kept,
so a noisy neighbour hits all of them alike.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_fastapi_instrumentator import Instrumentator
from starlette_exporter import PrometheusMiddleware

import zwobs
from bench.app import build_app, seconds_per_request

Variant = tuple[str, Callable[[], Any]]


def bare() -> Any:
    return build_app()


def zwobs_metrics() -> Any:
    return zwobs.instrument(
        build_app(), service="bench", registry=CollectorRegistry(), tracing=False
    )


def zwobs_traced() -> Any:
    return zwobs.instrument(
        build_app(), service="bench", registry=CollectorRegistry(), tracing=True
    )


def starlette_exporter() -> Any:
    app = build_app()
    app.add_middleware(PrometheusMiddleware, app_name="bench", prefix=f"se{id(app)}")
    return app


def instrumentator() -> Any:
    app = build_app()
    Instrumentator(registry=CollectorRegistry()).instrument(app)
    return app


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


def print_table(us: dict[str, float], baseline: str, reference: str) -> None:
    base = us[baseline]
    ref_added = us[reference] - base
    print(f"{'variant':44} {'us/request':>10} {'added us':>9} {'added / zwobs':>14}")
    for name, value in us.items():
        added = value - base
        ratio = "" if name == baseline else f"{added / ref_added:13.2f}x"
        print(f"{name:44} {value:10.1f} {added:9.1f} {ratio:>14}")


def asgi_mode(rounds: int, requests: int) -> None:
    api_only: list[Variant] = [
        ("bare starlette", bare),
        ("zwobs (metrics)", zwobs_metrics),
        ("zwobs (metrics+tracing, API only, no SDK)", zwobs_traced),
        ("starlette-exporter 0.24", starlette_exporter),
        ("prometheus-fastapi-instrumentator 8.1", instrumentator),
    ]
    print(f"== direct ASGI calls, median of {rounds} rounds x {requests} requests\n")
    us = measure(api_only, rounds, requests)
    print_table(us, "bare starlette", "zwobs (metrics)")


def uvicorn_mode(seconds: int, rounds: int) -> None:
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("the --uvicorn mode needs wrk (Debian package `wrk`) as the load generator")
    root = Path(__file__).resolve().parents[1]
    targets = {"bare": "bench.servers:bare", "zwobs": "bench.servers:zwobs_app"}
    servers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    try:
        for name, target in targets.items():
            port = _free_port()
            argv = [sys.executable, "-m", "uvicorn", target, "--port", str(port)]
            argv += ["--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"]
            env = {**os.environ, "ZWOBS_TRACING": "false"}
            servers[name] = (subprocess.Popen(argv, cwd=root, env=env), port)
            _wait_port(port)
        samples: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(rounds):  # interleaved, so load from elsewhere hits both alike
            for name, (_, port) in servers.items():
                samples[name].append(_wrk(wrk, port, seconds))
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(10)
    print(f"== uvicorn on loopback, wrk -c32, median of {rounds} interleaved {seconds}s runs\n")
    median = {name: statistics.median(values) for name, values in samples.items()}
    for name, rps in median.items():
        print(f"{name:10} {rps:10.0f} requests/s")
    print(f"\nthroughput zwobs / bare = {median['zwobs'] / median['bare']:.2f}")


def _wrk(wrk: str, port: int, seconds: int) -> float:
    argv = [wrk, "-t1", "-c32", f"-d{seconds}s", f"http://127.0.0.1:{port}/users/42"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    return float(
        next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec"))
    )


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
