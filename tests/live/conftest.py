"""One real Prometheus scraping two versions of the demo service, shared by every live test.

``v1`` is healthy (0.5% injected 503s and 1% slow requests, so every panel
has something to draw); ``v2`` is a bad canary (half its requests fail, all
are slow). Prometheus scrapes both every second and evaluates the recording
rules rendered from the same catalog as the dashboards. Background threads
keep traffic flowing for the whole package, so every rate window has data.
"""

from __future__ import annotations

import itertools
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from tests.render.catalogs import USER
from tests.servers.demo import DemoService, start_demo
from tests.servers.prometheus import Prometheus, start_prometheus
from zwobs import names
from zwobs.catalog.model import Catalog
from zwobs.promql import Matcher, request_count
from zwobs.render import render_all

SERVICE = USER.name
CATALOG = Catalog((USER,))
STABLE, CANARY = "v1", "v2"
APP = "tests.live.app:app"
FLAGS_FILE = Path(__file__).resolve().parents[2] / "examples" / "flags.yaml"


@dataclass
class Live:
    prometheus: Prometheus
    stable: DemoService
    canary: DemoService
    rendered: dict[str, bytes]


def _send(request: urllib.request.Request) -> None:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    except urllib.error.HTTPError as error:
        error.read()  # the injected 503s and the 404s are part of the mix
    except OSError:
        pass  # the service is stopping at teardown


def _get(url: str) -> None:
    _send(urllib.request.Request(url))


def _post(url: str) -> None:
    body, headers = b'{"name": "Live"}', {"Content-Type": "application/json"}
    _send(urllib.request.Request(url, data=body, headers=headers))


def _stable_mix(base: str) -> Iterator[Callable[[], None]]:
    """Fast requests on every route, 0.5% injected 503s, 1% slow (0.7 s), 404s, a stream, flags."""
    for n in itertools.count():
        if n % 200 == 7:
            yield partial(_get, f"{base}/v1/users/me?fail=1")
        elif n % 100 == 53:
            yield partial(_get, f"{base}/v1/users/2?delay=0.7")
        elif n % 10 == 3:
            yield partial(_get, f"{base}/v1/users/{n % 5}")  # 0 and 4 do not exist: 404
        elif n % 10 == 5:
            yield partial(_get, f"{base}/v1/users/1/events?count=2&interval=0.01")
        elif n % 50 == 9:
            yield partial(_post, f"{base}/v1/users")
        elif n % 10 == 1:
            yield partial(_get, f"{base}/live/feature?user={n % 7}")
        else:
            yield partial(_get, f"{base}/v1/users/me")


def _canary_mix(base: str) -> Iterator[Callable[[], None]]:
    """Only routes that take the injected faults (half fail, all are slow)."""
    for n in itertools.count():
        yield partial(_get, f"{base}/v1/users/{'me' if n % 2 else '1'}")


def _drive(mix: Iterator[Callable[[], None]], stop: threading.Event, pause: float) -> None:
    for send in mix:
        if stop.is_set():
            return
        send()
        stop.wait(pause)


@pytest.fixture(scope="package")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    workdir = tmp_path_factory.mktemp("live")
    rendered = render_all(CATALOG).files
    rule_files = []
    for path, body in rendered.items():
        if path.endswith(".rules.yaml"):
            target = workdir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            rule_files.append(target)
    secrets_file = workdir / "secrets.yaml"
    secrets_file.write_text("db: {password: live-test-only}\n")
    runtime = {"ZWOBS_FLAGS_FILE": str(FLAGS_FILE), "ZWOBS_SECRETS_FILE": str(secrets_file)}
    stable = start_demo(
        workdir / "v1",
        app=APP,
        env={**runtime, "ZWOBS_VERSION": STABLE, "ZWOBS_COMMIT": "aaa111"},
    )
    canary = start_demo(
        workdir / "v2",
        app=APP,
        env={
            **runtime,
            "ZWOBS_VERSION": CANARY,
            "ZWOBS_COMMIT": "bbb222",
            "DEMO_ERROR_RATE": "0.5",
            "DEMO_DELAY_SECONDS": "0.6",
        },
    )
    prometheus = start_prometheus(
        workdir / "prometheus",
        scrape_targets=[stable.target, canary.target],
        rule_files=rule_files,
    )
    stop = threading.Event()
    threads = [threading.Thread(target=_drive, args=(_stable_mix(stable.url), stop, 0.01))]
    threads += [
        threading.Thread(target=_drive, args=(_canary_mix(canary.url), stop, 0.05))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    try:
        live = Live(prometheus, stable, canary, rendered)
        _wait_for_traffic(live)
        yield live
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        prometheus.stop()
        canary.stop()
        stable.stop()


def _wait_for_traffic(live: Live) -> None:
    """Until both versions have enough scraped requests for a 1m rate to mean something."""
    for version in (STABLE, CANARY):
        scope = (Matcher(names.LABEL_VERSION, version),)
        live.prometheus.wait_for(f"{request_count(SERVICE, '1m', scope)} > 20", timeout=60)
