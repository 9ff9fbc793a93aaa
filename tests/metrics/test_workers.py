"""Several real uvicorn workers without PROMETHEUS_MULTIPROC_DIR: each logs one loud warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.metrics.test_multiprocess import Served, get
from tests.servers.process import wait_until

pytestmark = pytest.mark.integration

WARNING = "PROMETHEUS_MULTIPROC_DIR is not set"


def _reach_every_worker(served: Served, workers: int) -> None:
    seen: set[str] = set()
    for _ in range(2000):
        seen.add(get(f"{served.url}/pid")[1])
        if len(seen) == workers:
            return
    raise AssertionError(f"requests reached only {len(seen)} of {workers} workers")


def _scrape_every_worker(served: Served, workers: int) -> None:
    scraped_by: set[str] = set()

    def all_scraped() -> bool:
        scraped_by.add(get(f"{served.url}/metrics")[1])
        return len(scraped_by) == workers

    wait_until(all_scraped, timeout=30, interval=0.0, what="a scrape from every worker")


def _warnings(served: Served) -> list[str]:
    return [line for line in served.process.log_tail(2000).splitlines() if WARNING in line]


def test_workers_without_a_shared_directory_each_warn_once(tmp_path: Path) -> None:
    served = Served("uvicorn", tmp_path, {"ZWOBS_TRACING": "false"}, workers=2)
    try:
        _reach_every_worker(served, 2)
        _scrape_every_worker(served, 2)
        for _ in range(10):
            get(f"{served.url}/metrics")
        wait_until(lambda: len(_warnings(served)) == 2, timeout=10, what="one warning per worker")
        assert "other worker process(es) serve this address" in _warnings(served)[0]
    finally:
        served.stop()
    assert len(_warnings(served)) == 2


@pytest.mark.parametrize(
    ("workers", "shared_directory"), [(1, False), (2, True)], ids=["one-worker", "shared-dir"]
)
def test_no_warning_for_one_worker_or_a_shared_directory(
    tmp_path: Path, workers: int, shared_directory: bool
) -> None:
    env = {"ZWOBS_TRACING": "false"}
    if shared_directory:
        (tmp_path / "prom").mkdir()
        env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "prom")
    served = Served("uvicorn", tmp_path, env, workers=workers)
    try:
        _reach_every_worker(served, workers)
        _scrape_every_worker(served, workers)
    finally:
        served.stop()
    assert _warnings(served) == []
