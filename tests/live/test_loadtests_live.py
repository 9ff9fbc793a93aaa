"""Live: the rendered k6 script and thresholds against the demo on loopback, a short bounded run
(2 users, 3 s): the healthy route passes, a route failing with injected 503s crosses the
http_req_failed threshold and k6 exits 99, as a CI step would see it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.demo import DemoService, start_demo
from tests.servers.k6 import run_k6
from zwobs.catalog import load_catalog
from zwobs.render import RenderOptions
from zwobs.render.loadtests import SCRIPT, render_loadtests

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "catalog.yaml"
THRESHOLDS_CROSSED = 99
"""k6's exit code when a threshold fails."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoService]:
    service = start_demo(tmp_path_factory.mktemp("demo"))
    yield service
    service.stop()


@pytest.fixture
def script(tmp_path: Path) -> Path:
    for relative, content in render_loadtests(load_catalog([EXAMPLE]), RenderOptions()).items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return tmp_path / SCRIPT


def _run(script: Path, demo: DemoService, target: str) -> tuple[int, dict[str, object]]:
    summary = script.parent / "summary.json"
    env = {
        "SERVICE": "user-service",
        "BASE_URL": demo.url,
        "TARGET_PATH": target,
        "VUS": "2",
        "DURATION": "3s",
    }
    done = run_k6("run", script, env, "--quiet", f"--summary-export={summary}")
    assert done.returncode in (0, THRESHOLDS_CROSSED), done.stderr
    return done.returncode, json.loads(summary.read_text())


def test_the_healthy_demo_passes_the_slo_thresholds(script: Path, demo: DemoService) -> None:
    code, summary = _run(script, demo, "/v1/users/me")
    metrics = summary["metrics"]
    assert isinstance(metrics, dict)
    assert code == 0
    assert metrics["http_reqs"]["count"] > 10
    assert metrics["http_req_failed"]["thresholds"] == {"rate<0.001": False}


def test_injected_errors_fail_on_the_error_rate_threshold(script: Path, demo: DemoService) -> None:
    code, summary = _run(script, demo, "/v1/users/me?fail=1")
    metrics = summary["metrics"]
    assert isinstance(metrics, dict)
    assert code == THRESHOLDS_CROSSED
    assert metrics["http_req_failed"]["thresholds"] == {"rate<0.001": True}
    assert metrics["http_req_duration"]["thresholds"] == {"p(95)<500": False, "p(99)<500": False}
