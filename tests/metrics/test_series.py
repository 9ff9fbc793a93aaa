"""Direct cell updates leave exactly the samples prometheus_client's public methods leave."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from prometheus_client import CollectorRegistry

from zwobs.metrics import series as series_module
from zwobs.metrics.families import http_metrics
from zwobs.metrics.series import Series, in_flight

# Durations on, between and beyond bucket bounds; sizes of 0 and past the last bound.
OBSERVATIONS = [
    (0.0, 0, 0),
    (0.005, 100, 2),
    (0.0051, 1, 10**9),
    (7.5, 0, 512),
    (1e6, 10**12, 0),
]
_LABELS = {"service": "svc", "method": "GET", "path": "/x"}
EXEMPLAR = {"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7"}


def _samples(registry: CollectorRegistry) -> list[tuple[str, dict[str, str], float, Any]]:
    found = []
    for metric in registry.collect():
        for sample in metric.samples:
            if not sample.name.endswith("_created"):
                exemplar = sample.exemplar.labels if sample.exemplar else None
                found.append((sample.name, sample.labels, sample.value, exemplar))
    return sorted(found, key=repr)


def _children(registry: CollectorRegistry) -> tuple[Any, ...]:
    metrics = http_metrics(registry)
    labels = ("svc", "GET", "/x")
    return (
        metrics.requests.labels(*labels, "200"),
        metrics.duration.labels(*labels),
        metrics.request_size.labels(*labels),
        metrics.response_size.labels(*labels),
    )


def _by_public_methods(registry: CollectorRegistry, with_exemplar: bool) -> None:
    counter, duration, request_size, response_size = _children(registry)
    gauge = http_metrics(registry).in_progress.labels("svc", "GET")
    for n, (seconds, received, sent) in enumerate(OBSERVATIONS):
        exemplar = EXEMPLAR if with_exemplar and n % 2 else None
        gauge.inc()
        counter.inc(1, exemplar)
        duration.observe(seconds, exemplar)
        request_size.observe(received)
        response_size.observe(sent)
        if n % 2:
            gauge.dec()


def _by_series(registry: CollectorRegistry, with_exemplar: bool) -> None:
    series = Series(*_children(registry))
    requests = in_flight(http_metrics(registry).in_progress.labels("svc", "GET"))
    for n, (seconds, received, sent) in enumerate(OBSERVATIONS):
        requests.append(None)
        series.record(seconds, received, sent, EXEMPLAR if with_exemplar and n % 2 else None)
        if n % 2:
            requests.pop()


def test_direct_updates_match_the_public_methods_sample_for_sample() -> None:
    for with_exemplar in (False, True):
        public, direct = CollectorRegistry(), CollectorRegistry()
        _by_public_methods(public, with_exemplar)
        _by_series(direct, with_exemplar)
        assert _samples(direct) == _samples(public)
        assert any(exemplar for *_, exemplar in _samples(direct)) is with_exemplar


def test_a_prometheus_client_without_reachable_cells_gets_the_public_calls() -> None:
    calls: list[tuple[str, Any]] = []
    counter = SimpleNamespace(inc=lambda amount, exemplar=None: calls.append(("inc", amount)))
    histogram = SimpleNamespace(observe=lambda value, exemplar=None: calls.append(("obs", value)))
    series = Series(counter, histogram, histogram, histogram)  # type: ignore[arg-type]
    series.record(0.5, 3, 4, None)
    assert calls == [("inc", 1), ("obs", 0.5), ("obs", 3), ("obs", 4)]
    gauge = SimpleNamespace(inc=lambda amount: calls.append(("gauge", amount)))
    requests = in_flight(gauge)  # type: ignore[arg-type]
    requests.append(None)
    requests.pop()
    assert calls[-2:] == [("gauge", 1), ("gauge", -1)]


_MULTIPROCESS = """
import json, sys
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
sys.path.insert(0, sys.argv[1])
import test_series as t
getattr(t, sys.argv[2])(CollectorRegistry(), False)
aggregated = CollectorRegistry()
MultiProcessCollector(aggregated)
print(json.dumps(t._samples(aggregated)))
"""


def test_direct_updates_match_in_multiprocess_mode_too(tmp_path: Path) -> None:
    outputs = []
    for writer in ("_by_public_methods", "_by_series"):
        directory = tmp_path / writer
        directory.mkdir()
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                textwrap.dedent(_MULTIPROCESS),
                str(Path(__file__).parent),
                writer,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert '"http_requests_total", {"method": "GET"' in outputs[0]


def test_in_process_writes_wait_for_the_one_zwobs_lock() -> None:
    """Every direct write holds series._LOCK, so writer threads never lose an update."""
    registry = CollectorRegistry()
    series = Series(*_children(registry))
    writer = threading.Thread(target=series.record, args=(0.25, 1, 2, None))
    with series_module._LOCK:
        writer.start()
        writer.join(0.2)
        assert writer.is_alive()
        assert registry.get_sample_value("http_requests_total", {**_LABELS, "status": "200"}) == 0
    writer.join(10)
    assert registry.get_sample_value("http_requests_total", {**_LABELS, "status": "200"}) == 1
    assert registry.get_sample_value("http_response_size_bytes_sum", _LABELS) == 2


def test_middlewares_sharing_an_in_progress_child_count_into_one_gauge() -> None:
    """Two apps of one service share the gauge child: neither hides the other's requests."""
    registry = CollectorRegistry()
    child = http_metrics(registry).in_progress.labels("svc", "GET")
    first, second = in_flight(child), in_flight(child)
    first.append(None)
    second.append(None)
    second.append(None)
    assert (
        registry.get_sample_value("http_requests_in_progress", {"service": "svc", "method": "GET"})
        == 3
    )
    first.pop()
    second.pop()
    second.pop()
    assert (
        registry.get_sample_value("http_requests_in_progress", {"service": "svc", "method": "GET"})
        == 0
    )
