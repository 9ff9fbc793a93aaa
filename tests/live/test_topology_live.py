"""The two rule layers on real engines: three edge Prometheus servers, one global, Alertmanager.

Each region runs the demo service and an edge Prometheus (``external_labels: {region}``)
that scrapes it, evaluates ``zwobs render --layer edge`` and remote-writes only the crossing
series (``rules.crossing_series``) to a global Prometheus (``--web.enable-remote-write-
receiver``) that evaluates ``--layer global`` and alerts a real Alertmanager, which posts to
a loopback webhook. us-east-1 answers every request with a 503 from the start.

Wall time: the windows are the generated ones (5m tiles, 1h long page window), only the
catalog's ``alerting.for`` is 1s. A long window reads its tiles at 5m-aligned instants, so
the page arrives at the first 5m boundary after the failing traffic starts (at most about
5 minutes). The period budget reads 1h-aligned tiles and needs a whole hour: it is pinned
by the generated promtool case instead (one region of three down: budget exactly
1 - (1/3) / (1 - objective)); here the service-level 5m ratio shows the one third. The
global Prometheus runs with ``--query.lookback-delta=15s`` (its samples arrive every
second) so a stopped edge's series vanish in seconds instead of the default 5 minutes.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.render.catalogs import service
from tests.servers.alertmanager import Webhook, start_alertmanager, start_webhook
from tests.servers.demo import DemoService, start_demo
from tests.servers.process import wait_until
from tests.servers.prometheus import Prometheus, start_prometheus
from zwobs import names
from zwobs.catalog.model import AlertThresholds, Catalog, Slo, SloKind, Topology
from zwobs.render import RenderOptions, render_all
from zwobs.render.dashboard_lint import expressions, substitute
from zwobs.render.rules import crossing_series

pytestmark = pytest.mark.integration

REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
FAILING = REGIONS[0]
STOPPED = REGIONS[2]
SERVICE = "user-service"
CATALOG = Catalog(
    (
        service(
            SERVICE,
            Slo("availability", SloKind.AVAILABILITY, 99.5),
            alerts=AlertThresholds(min_rps=0.5),
            runbook_url="https://runbooks.example.org/user-service",
        ),
    ),
    defaults=AlertThresholds(min_rps=0.5),
    alert_for=(
        (names.ALERT_FOR_BURN_PAGE, "1s"),
        (names.ALERT_HIGH_ERROR_RATE, "1s"),
    ),
    topology=Topology(("region",)),
)


@dataclass
class Fleet:
    edges: dict[str, Prometheus]
    demos: dict[str, DemoService]
    global_: Prometheus
    webhook: Webhook


def _write_layer(workdir: Path, layer: str) -> list[Path]:
    files = render_all(CATALOG, RenderOptions(layer=layer), only=["alerts"]).files
    paths = []
    for path, body in files.items():
        target = workdir / layer / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        paths.append(target)
    return paths


def _drive(url: str, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
        except urllib.error.HTTPError as error:
            error.read()  # the injected 503s
        except OSError:
            pass  # stopping
        stop.wait(0.05)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    workdir = tmp_path_factory.mktemp("topology")
    webhook = start_webhook()
    started: list[Prometheus | DemoService] = []
    alertmanager = start_alertmanager(workdir / "alertmanager", webhook.url)
    stop = threading.Event()
    threads: list[threading.Thread] = []
    try:
        global_ = start_prometheus(
            workdir / "global",
            rule_files=_write_layer(workdir, "global"),
            alertmanager=alertmanager.target,
            flags=("--web.enable-remote-write-receiver", "--query.lookback-delta=15s"),
        )
        started.append(global_)
        crossing = "|".join(crossing_series(CATALOG))
        write = {
            "url": f"{global_.url}/api/v1/write",
            "write_relabel_configs": [
                {"source_labels": ["__name__"], "regex": crossing, "action": "keep"}
            ],
            "queue_config": {"batch_send_deadline": "1s"},
        }
        edge_rules = _write_layer(workdir, "edge")
        edges, demos = {}, {}
        for region in REGIONS:
            env = {"DEMO_ERROR_RATE": "1.0" if region == FAILING else "0"}
            demos[region] = start_demo(workdir / region, env=env)
            started.append(demos[region])
            edges[region] = start_prometheus(
                workdir / region / "prometheus",
                scrape_targets=[demos[region].target],
                rule_files=edge_rules,
                external_labels={"region": region},
                remote_write=[write],
            )
            started.append(edges[region])
            url = f"{demos[region].url}/v1/users/me"
            threads.append(threading.Thread(target=_drive, args=(url, stop)))
        for thread in threads:
            thread.start()
        yield Fleet(edges, demos, global_, webhook)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        for server in reversed(started):
            server.stop()
        alertmanager.stop()
        webhook.stop()


def _webhook_alerts(fleet: Fleet, **labels: str) -> list[dict[str, object]]:
    return [
        a
        for a in fleet.webhook.alerts()
        if all(a["labels"].get(k) == v for k, v in labels.items())  # type: ignore[union-attr]
    ]


def test_only_the_recorded_per_region_series_reach_the_global_layer(fleet: Fleet) -> None:
    requests = names.location_level(names.SERVICE_REQUESTS_RATE5M)
    for region in REGIONS:
        fleet.global_.wait_for(f'{requests}{{region="{region}"}} > 0', timeout=60)
    received = {r["metric"]["__name__"] for r in fleet.global_.query('{__name__=~".+"}')}
    assert names.REQUESTS_TOTAL not in received  # no raw series at the global layer
    assert set(crossing_series(CATALOG)) <= received
    sent_twice = fleet.global_.query(f"count by (service, slo) ({names.SLO_OBJECTIVE}) > 1")
    assert sent_twice == []  # the edges' constants stay at the edges


def test_the_failing_region_pages_naming_it_and_the_others_stay_silent(fleet: Fleet) -> None:
    page = {"alertname": names.ALERT_ERROR_BUDGET_BURN, "severity": "page"}
    high = {"alertname": names.ALERT_HIGH_ERROR_RATE, "region": FAILING, "service": SERVICE}
    wait_until(lambda: bool(_webhook_alerts(fleet, **high)), timeout=120, what="HighErrorRate")
    # the long page window reads 5m-aligned tiles: the first boundary is at most 5m away
    wait_until(
        lambda: bool(_webhook_alerts(fleet, **page, region=FAILING)),
        timeout=420,
        interval=1.0,
        what="the page of the failing region at the webhook",
    )
    (alert, *_) = _webhook_alerts(fleet, **page, region=FAILING)
    assert alert["labels"]["service"] == SERVICE  # type: ignore[index]
    summary = alert["annotations"]["summary"]  # type: ignore[index]
    assert summary == f"{SERVICE} in region={FAILING}: SLO availability burns its error budget fast"
    others = [a for a in fleet.webhook.alerts() if a["labels"].get("region") not in (FAILING,)]
    assert [a for a in others if a["labels"].get("severity") in ("page", "critical")] == []
    firing = fleet.global_.api("alerts")["alerts"]
    assert {a["labels"].get("region") for a in firing if "region" in a["labels"]} == {FAILING}


def test_the_service_ratio_over_all_regions_shows_one_third_failing(fleet: Fleet) -> None:
    ratio = names.slo_error_ratio("5m")
    (sample,) = fleet.global_.wait_for(f'{ratio}{{service="{SERVICE}"}}', timeout=60)
    assert 0.2 < float(sample["value"][1]) < 0.45
    per_region = fleet.global_.query(f'{names.location_level(ratio)}{{service="{SERVICE}"}}')
    values = {r["metric"]["region"]: float(r["value"][1]) for r in per_region}
    # the failing region answers every request of the test with a 503 (its readiness probe
    # before the traffic was a 200)
    assert values[FAILING] > 0.99 and values[REGIONS[1]] == 0.0 and values[STOPPED] == 0.0


def test_every_query_of_the_templated_dashboards_runs_on_the_global_layer(fleet: Fleet) -> None:
    """Runs after the page: a 5m-aligned tile exists, so the 1h burn has data too; only the
    panels reading the period budget (its first whole hour) may be empty."""
    values = {"service": SERVICE, "region": ".*", "slo": "availability", "__rate_interval": "1m"}
    history = (names.SLO_BUDGET_REMAINING, names.SLO_ERROR_RATIO_PERIOD)
    empty = set()
    for path, body in render_all(CATALOG, only=["dashboards"]).files.items():
        for e in expressions(json.loads(body)):
            result = fleet.global_.query(substitute(e.expr, values))  # raises on an error
            if not result and e.where.startswith(("panel", "variable")):
                assert any(name in e.expr for name in history), (path, e.where, e.expr)
                empty.add(e.where.split("'")[1])
    assert empty <= {
        "Error budget remaining",
        "SLOs with budget exhausted",
        "SLOs by budget burn (1h)",
        "SLO status",
    }


def test_a_stopped_edge_invents_no_outage(fleet: Fleet) -> None:
    """The stopped region's series vanish after the lookback; no rule reads absence, so
    nothing fires for it; the service's sums now cover two regions (ratio 1/2, not 1/3);
    LowThroughput would fire only if the remaining regions served below min_rps."""
    requests = names.location_level(names.SERVICE_REQUESTS_RATE5M)
    fleet.global_.wait_for(f'{requests}{{region="{STOPPED}"}}', timeout=60)
    fleet.edges[STOPPED].stop()
    wait_until(
        lambda: fleet.global_.query(f'{requests}{{region="{STOPPED}"}}') == [],
        timeout=90,
        what="the stopped region's series to go stale at the global layer",
    )
    ratio = names.slo_error_ratio("5m")

    def half_failing() -> bool:
        (sample,) = fleet.global_.query(f'{ratio}{{service="{SERVICE}"}}')
        return 0.35 < float(sample["value"][1]) < 0.65

    wait_until(half_failing, timeout=60, what="the service ratio over the two live regions")
    firing = fleet.global_.api("alerts")["alerts"]
    assert not [a for a in firing if a["labels"].get("region") == STOPPED]
    assert not [a for a in firing if a["labels"]["alertname"] == names.ALERT_LOW_THROUGHPUT]
    assert not [a for a in fleet.webhook.alerts() if a["labels"].get("region") == STOPPED]
