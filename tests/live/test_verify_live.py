"""``zwobs verify`` against the live Prometheus: pass, fail, inconclusive, usage error."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.live.conftest import CANARY, SERVICE, STABLE, Live
from zwobs.cli import main

pytestmark = pytest.mark.integration


def _verify(live: Live, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    argv = ["verify", "--prometheus", live.prometheus.url, "--service", SERVICE, "--window", "1m"]
    code = main([*argv, *extra])
    return code, capsys.readouterr().out


def test_healthy_version_passes_with_exit_0(live: Live, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _verify(live, capsys, "--selector", f"version={STABLE}")
    assert code == 0, out
    assert out.splitlines()[0] == f'zwobs verify {SERVICE} {{version="{STABLE}"}} over 1m: PASS'


def test_failing_version_fails_with_exit_1_naming_both_signals(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _verify(live, capsys, "--selector", f"version={CANARY}")
    assert code == 1, out
    assert "- error ratio" in out and "- p95 latency" in out


def test_version_without_traffic_is_inconclusive_with_exit_3(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _verify(live, capsys, "--selector", "version=v9")
    assert code == 3, out
    assert "too little traffic: 0 requests" in out


def test_location_scopes_the_gate_to_the_targets_of_that_location(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    # every target carries job="zwobs" (a target label, as a region label would be)
    scoped = ["--selector", f"version={STABLE}", "--location", "job=zwobs"]
    code, out = _verify(live, capsys, *scoped)
    assert code == 0, out
    assert 'job="zwobs"' in out.splitlines()[0]
    # a location the targets do not carry is not evaluated: never a pass
    code, out = _verify(live, capsys, "--location", "region=us-east-1")
    assert code == 3, out
    assert "too little traffic: 0 requests" in out


def test_unknown_service_is_inconclusive(live: Live, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", "--prometheus", live.prometheus.url, "--service", "nobody"])
    assert code == 3
    assert "INCONCLUSIVE" in capsys.readouterr().out


def test_thresholds_are_options(live: Live, capsys: pytest.CaptureFixture[str]) -> None:
    lenient = ["--max-error-ratio", "0.9", "--max-latency", "5", "--selector", f"version={CANARY}"]
    assert _verify(live, capsys, *lenient)[0] == 0


def test_json_output_carries_the_measured_numbers(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _verify(live, capsys, "--selector", f"version={CANARY}", "--format", "json")
    loaded = json.loads(out)
    assert code == 1 and loaded["outcome"] == "fail"
    assert loaded["error_ratio"] > 0.1 and loaded["latency_seconds"] > 0.5
    assert loaded["requests"] >= 10


def test_selector_prometheus_rejects_is_a_usage_error(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["verify", "--prometheus", live.prometheus.url, "--service", SERVICE,
         "--selector", "version=~("]
    )  # fmt: skip
    assert code == 2
    assert "Prometheus rejected the query" in capsys.readouterr().err


def test_the_installed_command_exits_with_the_verdict(live: Live) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "zwobs.cli", "verify", "--prometheus", live.prometheus.url,
         "--service", SERVICE, "--window", "1m", "--selector", f"version={CANARY}"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert ": FAIL" in done.stdout
