"""Live: real Prometheus scrapes the demo service with the rendered rules; injected errors
make HighErrorRate fire, and a real Alertmanager delivers it to a loopback webhook."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.render.rule_files import write_alerts
from tests.servers.alertmanager import start_alertmanager, start_webhook
from tests.servers.demo import start_demo
from tests.servers.process import wait_until
from tests.servers.prometheus import start_prometheus
from zwobs.catalog import load_catalog

pytestmark = pytest.mark.integration

# The catalog, with ``for`` shortened so the test does not wait 5 minutes.
CATALOG = """\
alerting:
  for: {HighErrorRate: 5s}
defaults:
  alerts: {error_rate: 0.05, latency_p95_seconds: 0.5, min_rps: 0}
  runbook_base: https://runbooks.example.com/services
teams:
  identity: {labels: {pagerduty_service: identity-oncall}}
services:
  - name: user-service
    team: identity
    tier: 1
    slos:
      - {name: availability, objective: 99.9}
      - {name: latency, objective: 99, latency_threshold_seconds: 0.5}
"""


def _get(url: str) -> None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            response.read()
    except urllib.error.HTTPError as error:
        error.read()
    except OSError:
        pass


def _drive(base: str, stop: threading.Event) -> None:
    while not stop.is_set():
        _get(f"{base}/v1/users/me")
        stop.wait(0.02)


@pytest.fixture
def traffic_stop() -> Iterator[threading.Event]:
    stop = threading.Event()
    yield stop
    stop.set()


def _firing(prometheus_alerts: list[dict[str, object]]) -> list[dict[str, object]]:
    return [
        a
        for a in prometheus_alerts
        if a.get("state") == "firing"
        and isinstance(a.get("labels"), dict)
        and a["labels"].get("alertname") == "HighErrorRate"  # type: ignore[union-attr]
    ]


def test_injected_errors_fire_high_error_rate_through_alertmanager_to_a_webhook(
    tmp_path: Path, traffic_stop: threading.Event
) -> None:
    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text(CATALOG)
    write_alerts(load_catalog([catalog_path]), tmp_path)
    rule_files = sorted((tmp_path / "alerts").glob("*.rules.yaml"))
    webhook = start_webhook()
    alertmanager = start_alertmanager(tmp_path / "alertmanager", webhook.url)
    demo = start_demo(tmp_path / "demo")
    prometheus = start_prometheus(
        tmp_path / "prometheus",
        scrape_targets=[demo.target],
        rule_files=rule_files,
        alertmanager=alertmanager.target,
    )
    driver = threading.Thread(target=_drive, args=(demo.url, traffic_stop), daemon=True)
    try:
        driver.start()
        prometheus.wait_for('service:http_requests:rate5m{service="user-service"} > 0', timeout=60)
        assert not _firing(prometheus.api("alerts")["alerts"])
        assert prometheus.query('service:http_requests_errors:ratio_rate5m{service="user-service"}')

        request = urllib.request.Request(
            f"{demo.url}/admin/faults",
            data=json.dumps({"error_rate": 0.5}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.load(response)["error_rate"] == 0.5

        found: list[dict[str, object]] = []

        def fired() -> bool:
            found[:] = _firing(prometheus.api("alerts")["alerts"])
            return bool(found)

        wait_until(fired, timeout=90, what="HighErrorRate firing in /api/v1/alerts")
        labels = found[0]["labels"]
        assert labels == {
            "alertname": "HighErrorRate",
            "service": "user-service",
            "severity": "critical",
            "team": "identity",
            "pagerduty_service": "identity-oncall",
        }
        annotations = found[0]["annotations"]
        assert isinstance(annotations, dict)
        assert annotations["runbook_url"] == (
            "https://runbooks.example.com/services/user-service#higherrorrate"
        )

        def delivered() -> bool:
            return any(
                a["labels"].get("alertname") == "HighErrorRate" and a["status"] == "firing"
                for a in webhook.alerts()
            )

        wait_until(delivered, timeout=60, what="HighErrorRate at the webhook receiver")
        hook = next(a for a in webhook.alerts() if a["labels"]["alertname"] == "HighErrorRate")
        assert hook["labels"]["service"] == "user-service"
        assert hook["labels"]["pagerduty_service"] == "identity-oncall"
        assert hook["annotations"]["summary"].startswith("user-service: ")
    finally:
        traffic_stop.set()
        driver.join(timeout=10)
        prometheus.stop()
        demo.stop()
        alertmanager.stop()
        webhook.stop()
