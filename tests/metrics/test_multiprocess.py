"""Real uvicorn and gunicorn workers sharing PROMETHEUS_MULTIPROC_DIR, killed by their PIDs."""

from __future__ import annotations

import http.client
import os
import signal
import sys
import threading
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.servers.process import ServerProcess, free_port, http_ok, wait_until
from zwobs import names

pytestmark = pytest.mark.integration

_ROOT = Path(__file__).resolve().parents[2]
APP = "tests.metrics.multiproc_app:app"


class Served:
    """``APP`` under a real multi-worker server on a loopback port."""

    def __init__(self, server: str, workdir: Path, env: Mapping[str, str], workers: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if server == "uvicorn":
            argv = [sys.executable, "-m", "uvicorn", APP, "--host", "127.0.0.1"]
            argv += ["--port", str(self.port), "--workers", str(workers)]
            argv += ["--log-level", "warning", "--no-access-log"]
        else:  # gunicorn's own ASGI worker, and no child_exit hook in its config
            argv = [sys.executable, "-m", "gunicorn", APP, "-k", "asgi", "-w", str(workers)]
            argv += ["-b", f"127.0.0.1:{self.port}", "--no-control-socket"]
        self.process = ServerProcess(
            argv, log=workdir / f"{server}-{self.port}.log", env=dict(env), cwd=_ROOT
        )
        try:
            self.process.wait_ready(lambda: http_ok(f"{self.url}/healthz"), timeout=30)
        except Exception:
            self.process.stop()
            raise

    def stop(self) -> None:
        self.process.stop()


def get(url: str) -> tuple[str, str]:
    request = urllib.request.Request(url, headers={"Connection": "close"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode(), response.headers["x-worker-pid"]


def value(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def in_progress(served: Served) -> float:
    text, _ = get(f"{served.url}/metrics")
    return value(text, names.REQUESTS_IN_PROGRESS, service="multi", method="GET")


def build_versions(served: Served) -> set[str]:
    text, _ = get(f"{served.url}/metrics")
    return {
        sample.labels["version"]
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == names.BUILD_INFO and sample.value == 1
    }


@pytest.fixture(scope="module")
def uvicorn_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    workdir = tmp_path_factory.mktemp("multiproc")
    metrics_dir = workdir / "prom"
    metrics_dir.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "ZWOBS_TRACING": "false"}
    served = Served("uvicorn", workdir, env, workers=2)
    yield served
    served.stop()


def test_every_worker_exposes_the_aggregated_count(uvicorn_workers: Served) -> None:
    service = uvicorn_workers
    before, _ = get(f"{service.url}/metrics")
    workers: set[str] = set()
    sent = 0
    while len(workers) < 2 and sent < 2000:
        body, worker = get(f"{service.url}/pid")
        assert body == worker
        workers.add(worker)
        sent += 1
    assert len(workers) == 2, "requests never reached the second worker"
    expected = value(before, names.REQUESTS_TOTAL, service="multi", path="/pid") + sent

    scraped_by: set[str] = set()

    def both_workers_agree() -> bool:
        text, worker = get(f"{service.url}/metrics")
        assert value(text, names.REQUESTS_TOTAL, service="multi", path="/pid") == expected
        scraped_by.add(worker)
        return len(scraped_by) == 2

    wait_until(both_workers_agree, timeout=30, interval=0.0, what="scrapes from both workers")


def test_in_progress_sums_live_requests_across_workers(uvicorn_workers: Served) -> None:
    service = uvicorn_workers
    in_flight = 6
    threads = [
        threading.Thread(target=get, args=(f"{service.url}/slow?seconds=3",))
        for _ in range(in_flight)
    ]
    for thread in threads:
        thread.start()
    wait_until(
        lambda: in_progress(service) == in_flight,
        timeout=10,
        what=f"{in_flight} requests in progress",
    )
    for thread in threads:
        thread.join()
    assert in_progress(service) == 0


def _kill_worker_mid_request(served: Served) -> None:
    """One keep-alive connection pins a worker: ask its PID, start a long request, kill it."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        connection.request("GET", "/pid")
        pid = int(connection.getresponse().read())
        connection.request("GET", "/slow?seconds=120")
        wait_until(lambda: in_progress(served) == 1, timeout=10, what="the request in flight")
        assert pid != served.process.pid
        os.kill(pid, signal.SIGKILL)
        wait_until(
            lambda: in_progress(served) == 0,
            timeout=30,
            what=f"worker {pid}, killed mid-request, no longer in progress",
        )
    finally:
        connection.close()


def test_a_uvicorn_worker_killed_mid_request_stops_counting_as_in_progress(
    uvicorn_workers: Served,
) -> None:
    _kill_worker_mid_request(uvicorn_workers)
    wait_until(lambda: http_ok(f"{uvicorn_workers.url}/healthz"), what="server still serving")


def test_a_gunicorn_worker_killed_mid_request_stops_counting_without_a_hook(
    tmp_path: Path,
) -> None:
    metrics_dir = tmp_path / "prom"
    metrics_dir.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "ZWOBS_TRACING": "false"}
    served = Served("gunicorn", tmp_path, env, workers=2)
    try:
        _kill_worker_mid_request(served)
    finally:
        served.stop()


def test_a_restart_into_the_same_directory_shows_only_the_new_build(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "prom"
    metrics_dir.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "ZWOBS_TRACING": "false"}
    first = Served("uvicorn", tmp_path, {**env, "ZWOBS_VERSION": "v2"}, workers=2)
    try:
        assert build_versions(first) == {"v2"}
    finally:
        first.stop()
    second = Served("uvicorn", tmp_path, {**env, "ZWOBS_VERSION": "v3"}, workers=2)
    try:
        wait_until(
            lambda: build_versions(second) == {"v3"},
            timeout=30,
            what="build info of the live workers only",
        )
    finally:
        second.stop()
