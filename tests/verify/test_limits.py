"""``zwobs verify --catalog``: limits from the catalog, printed with their sources, and the same
numbers as the canary's conditions and the HighErrorRate/HighLatency alerts for every service."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.servers.process import free_port
from zwobs import names
from zwobs.catalog import load_catalog
from zwobs.catalog.model import Catalog, Service
from zwobs.cli import main
from zwobs.render import render_all
from zwobs.verify.limits import service_limits

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "catalog.yaml"

# Each service has a different strictest source, so agreement is not a coincidence.
VARIED = """\
defaults:
  alerts: {error_rate: 0.05, latency_p95_seconds: 0.5}
  rollout: {success_rate: 0.9}
services:
  - name: alert-strictest
    team: a
    tier: 1
    alerts: {error_rate: 0.002, latency_p95_seconds: 0.2}
    rollout: {latency_p95_seconds: 0.4}
  - name: rollout-strictest
    team: a
    tier: 1
    rollout: {success_rate: 0.995, latency_p95_seconds: 0.1}
  - name: slo-strictest
    team: a
    tier: 1
    slo_period: 28d
    slos: [{name: availability, objective: 99.99}]
  - name: two-slos
    team: a
    tier: 1
    slo_period: 7d
    slos:
      - {name: availability, objective: 99.5}
      - {name: strict, sli: availability, objective: 99.95}
      - {name: latency, objective: 99, latency_threshold_seconds: 0.25}
  - name: six-nines
    team: a
    tier: 0
    slos: [{name: availability, objective: 99.9999}]
"""


def _verify(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens: the verdict is inconclusive
    code = main(["verify", "--prometheus", url, "--retries", "0", "--format", "json", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def _catalogs(tmp_path: Path) -> list[Catalog]:
    varied = tmp_path / "varied.yaml"
    varied.write_text(VARIED)
    return [load_catalog([EXAMPLE]), load_catalog([varied])]


def _canary(rendered: dict[str, bytes], service: str) -> dict[str, float]:
    """The numbers in the rendered success-rate and latency-p95 conditions."""
    template = yaml.safe_load(rendered[f"rollouts/{service}.analysis.yaml"])
    out = {}
    for metric in template["spec"]["metrics"]:
        success = re.search(r"result\[0\] [<>]=? ([0-9.e-]+)\Z", metric["successCondition"])
        failure = re.search(r"result\[0\] [<>]=? ([0-9.e-]+)\Z", metric["failureCondition"])
        assert success and failure and success.group(1) == failure.group(1)
        out[metric["name"]] = float(success.group(1))
    return out


def _alert_threshold(rendered: dict[str, bytes], service: str, metric: str) -> float:
    """The service's threshold of an alert as Prometheus evaluates it: its override series,
    else the fleet default inside ``metric or on(service) (0 * info + default)``."""
    groups = yaml.safe_load(rendered[f"alerts/{service}.rules.yaml"])["groups"]
    for rule in groups[0]["rules"]:
        if rule.get("record") == metric:
            return float(rule["expr"].replace("vector(", "").rstrip(")"))
    fleet = rendered["alerts/_fleet.rules.yaml"].decode()
    default = re.search(rf"{metric} or on\(service\) \(0 \* \w+ \+ ([0-9.e-]+)\)", fleet)
    assert default is not None
    return float(default.group(1))


def test_canary_gate_and_alerts_agree_for_every_catalog_service(tmp_path: Path) -> None:
    checked = 0
    for catalog in _catalogs(tmp_path):
        rendered = render_all(catalog, only=("alerts", "rollouts")).files
        for service in catalog.services:
            canary = _canary(rendered, service.name)
            gate = service_limits(service)
            name = service.name
            error_alert = _alert_threshold(rendered, name, names.ALERT_THRESHOLD_ERROR_RATIO)
            latency_alert = _alert_threshold(rendered, name, names.ALERT_THRESHOLD_LATENCY_P95)
            assert 1 - canary["success-rate"] == pytest.approx(gate.max_error_ratio, rel=1e-9)
            assert canary["latency-p95"] == gate.max_latency_seconds
            assert gate.max_error_ratio <= error_alert, service.name
            assert gate.max_latency_seconds <= latency_alert, service.name
            checked += 1
    assert checked == 7


def test_each_source_can_be_the_strictest(tmp_path: Path) -> None:
    services: dict[str, Service] = {s.name: s for s in _catalogs(tmp_path)[1].services}
    limits = {name: service_limits(service) for name, service in services.items()}
    assert limits["alert-strictest"].max_error_ratio == 0.002
    assert limits["alert-strictest"].max_latency_seconds == 0.2
    assert limits["rollout-strictest"].max_error_ratio == pytest.approx(0.005)
    assert limits["rollout-strictest"].max_latency_seconds == 0.1
    assert limits["slo-strictest"].max_error_ratio == pytest.approx(0.0014)  # 14 x 0.01%
    assert limits["two-slos"].max_error_ratio == pytest.approx(0.007)  # 14 x 0.05%, not 99.5's
    assert limits["six-nines"].max_error_ratio == pytest.approx(1.44e-05)  # 14.4 x 0.0001%


def test_catalog_limits_replace_the_defaults_and_are_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _verify(capsys, "--service", "user-service", "--catalog", str(EXAMPLE))
    report = yaml.safe_load(out)
    assert code == 3 and err == ""
    assert report["limits"]["max_error_ratio"] == 0.01
    assert report["limits"]["max_latency_seconds"] == 0.5
    assert report["limits_from"] == [
        f"limits from {EXAMPLE} (service user-service):",
        "max error ratio 1%: the strictest of alerts.error_rate 5%, rollout.success_rate 99%"
        " (1%), SLO availability 99.9% over 30d paging at 14.4x (1.44%)",
        "max p95 latency 0.5s: the strictest of alerts.latency_p95_seconds 0.5s,"
        " rollout.latency_p95_seconds 0.5s",
    ]


def test_text_output_names_the_catalog_values_it_used(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    main(["verify", "--prometheus", url, "--retries", "0", "--service", "chat-service",
          "--catalog", str(EXAMPLE)])  # fmt: skip
    out = capsys.readouterr().out
    assert "error ratio        n/a   max 1.00%" in out
    assert f"  limits from {EXAMPLE} (service chat-service):" in out
    assert "SLO availability 99.5% over 30d paging at 14.4x (7.2%)" in out


def test_explicit_options_win_over_the_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _verify(
        capsys, "--service", "user-service", "--catalog", str(EXAMPLE), "--max-latency", "0.3"
    )
    report = yaml.safe_load(out)
    assert report["limits"]["max_latency_seconds"] == 0.3
    assert report["limits"]["max_error_ratio"] == 0.01
    assert report["limits_from"][-1] == "--max-latency 0.3 from the command line"


def test_without_catalog_the_defaults_stay(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _verify(capsys, "--service", "user-service")
    report = yaml.safe_load(out)
    assert report["limits"]["max_error_ratio"] == 0.05
    assert report["limits"]["max_latency_seconds"] == 0.5
    assert report["limits_from"] == []


def test_a_service_the_catalog_does_not_list_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _verify(capsys, "--service", "nobody", "--catalog", str(EXAMPLE))
    assert code == 2 and out == ""
    assert f"--service nobody: not in {EXAMPLE} (its services: chat-service, user-service)" in err


def test_an_invalid_catalog_is_a_usage_error_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("services:\n  - {name: svc, team: t, tier: 1, alerts: {error_rate: 5}}\n")
    code, out, err = _verify(capsys, "--service", "svc", "--catalog", str(bad))
    assert code == 2 and out == ""
    assert f"{bad}:2:" in err and "services[0].alerts.error_rate: expected a ratio" in err
    assert "Traceback" not in err


def test_a_missing_catalog_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _verify(capsys, "--service", "svc", "--catalog", str(tmp_path / "none.yaml"))
    assert code == 2
    assert "cannot read the file" in err
