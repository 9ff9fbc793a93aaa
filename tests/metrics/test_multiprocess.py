"""PROMETHEUS_MULTIPROC_DIR with two uvicorn workers: any worker exposes the aggregate."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.servers.demo import DemoService, start_demo
from tests.servers.process import wait_until
from zwobs import names

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoService]:
    workdir = tmp_path_factory.mktemp("multiproc")
    metrics_dir = workdir / "prom"
    metrics_dir.mkdir()
    demo = start_demo(
        workdir,
        app="tests.metrics.multiproc_app:app",
        workers=2,
        env={"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "ZWOBS_TRACING": "false"},
    )
    yield demo
    demo.stop()


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


def test_every_worker_exposes_the_aggregated_count(service: DemoService) -> None:
    workers: set[str] = set()
    sent = 0
    while len(workers) < 2 and sent < 2000:
        body, worker = get(f"{service.url}/pid")
        assert body == worker
        workers.add(worker)
        sent += 1
    assert len(workers) == 2, "requests never reached the second worker"

    scraped_by: set[str] = set()

    def both_workers_agree() -> bool:
        text, worker = get(f"{service.url}/metrics")
        assert value(text, names.REQUESTS_TOTAL, service="multi", path="/pid") == sent
        scraped_by.add(worker)
        return len(scraped_by) == 2

    wait_until(both_workers_agree, timeout=30, interval=0.0, what="scrapes from both workers")


def test_in_progress_sums_live_requests_across_workers(service: DemoService) -> None:
    in_flight = 6
    threads = [
        threading.Thread(target=get, args=(f"{service.url}/slow?seconds=3",))
        for _ in range(in_flight)
    ]
    for thread in threads:
        thread.start()

    def gauge() -> float:
        text, _ = get(f"{service.url}/metrics")
        return value(text, names.REQUESTS_IN_PROGRESS, service="multi", method="GET")

    wait_until(lambda: gauge() == in_flight, timeout=10, what=f"{in_flight} requests in progress")
    for thread in threads:
        thread.join()
    assert gauge() == 0
