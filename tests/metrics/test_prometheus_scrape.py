"""A real Prometheus scrapes the demo service; the series come back with the contract's labels."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.servers.demo import DemoService, start_demo
from tests.servers.prometheus import Prometheus, start_prometheus
from zwobs import names

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoService]:
    service = start_demo(
        tmp_path_factory.mktemp("demo"), env={"ZWOBS_VERSION": "1.2.3", "ZWOBS_COMMIT": "abc"}
    )
    yield service
    service.stop()


@pytest.fixture(scope="module")
def prometheus(demo: DemoService, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    server = start_prometheus(tmp_path_factory.mktemp("prom"), scrape_targets=[demo.target])
    yield server
    server.stop()


def hit(url: str) -> None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
    except urllib.error.HTTPError as error:
        error.read()


def test_prometheus_reads_back_the_middleware_series(
    demo: DemoService, prometheus: Prometheus
) -> None:
    for n in range(5):
        hit(f"{demo.url}/v1/users/{n}")
    hit(f"{demo.url}/v1/users/2?fail=1")
    hit(f"{demo.url}/no/such/route")

    by_route = prometheus.wait_for(
        f'{names.REQUESTS_TOTAL}{{service="user-service",path="/v1/users/{{user_id}}",status="200"}}'
    )
    assert by_route[0]["metric"]["method"] == "GET"
    assert float(by_route[0]["value"][1]) >= 3  # users 1..3 exist

    failed = prometheus.wait_for(f'{names.REQUESTS_TOTAL}{{service="user-service",status="503"}}')
    assert failed[0]["metric"]["path"] == "/v1/users/{user_id}"

    unmatched = prometheus.wait_for(
        f'{names.REQUESTS_TOTAL}{{service="user-service",path="{names.UNMATCHED_PATH}"}}'
    )
    assert unmatched[0]["metric"]["status"] == "404"

    p95 = prometheus.wait_for(
        f"histogram_quantile(0.95, sum by (le) ({names.REQUEST_DURATION}_bucket"
        '{service="user-service"}))'
    )
    assert float(p95[0]["value"][1]) > 0

    build = prometheus.wait_for(f'{names.BUILD_INFO}{{service="user-service"}}')
    assert build[0]["metric"]["version"] == "1.2.3"
    assert build[0]["metric"]["commit"] == "abc"

    # Prometheus asked for OpenMetrics and the scrape succeeded.
    up = prometheus.wait_for(f'up{{instance="{demo.target}"}}')
    assert up[0]["value"][1] == "1"
