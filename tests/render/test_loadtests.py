"""loadtests/: k6 thresholds from each service's SLOs and alert thresholds, accepted by k6 itself
(``k6 inspect`` parses every threshold as ``k6 run`` does), and a script that reads them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.render.catalogs import service
from tests.servers.k6 import run_k6
from zwobs.catalog import load_catalog
from zwobs.catalog.model import AlertThresholds, Catalog, Slo, SloKind
from zwobs.render import RenderOptions, render_all
from zwobs.render.loadtests import SCRIPT, render_loadtests, thresholds

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "catalog.yaml"


def _write(files: dict[str, bytes], out: Path) -> Path:
    for relative, content in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return out / SCRIPT


def test_thresholds_state_the_slos_in_k6_terms() -> None:
    user, chat = (
        next(s for s in load_catalog([EXAMPLE]).services if s.name == name)
        for name in ("user-service", "chat-service")
    )
    assert thresholds(user)["thresholds"] == {
        "http_req_duration": ["p(95)<500", "p(99)<500"],  # HighLatency; 99% within 0.5 s
        "http_req_failed": ["rate<0.001"],  # 99.9% available
    }
    assert thresholds(chat)["thresholds"] == {
        "http_req_duration": ["p(95)<500"],
        "http_req_failed": ["rate<0.005"],
    }
    assert thresholds(user)["from"]["rate"] == "SLO availability: 99.9% available (0.001)"


def test_without_slos_the_alert_thresholds_apply() -> None:
    plain = service("plain", alerts=AlertThresholds(error_rate=0.02, latency_p95_seconds=0.25))
    assert thresholds(plain)["thresholds"] == {
        "http_req_duration": ["p(95)<250"],
        "http_req_failed": ["rate<0.02"],
    }
    assert thresholds(plain)["from"]["rate"] == "alerts.error_rate (0.02)"


def test_committed_files_are_rendered_from_the_example_catalog() -> None:
    rendered = render_all(load_catalog([EXAMPLE]), only=("loadtests",)).files
    assert sorted(rendered) == [
        "loadtests/chat-service.thresholds.json",
        SCRIPT,
        "loadtests/user-service.thresholds.json",
    ]
    for relative, content in rendered.items():
        assert (ROOT / relative).read_bytes() == content


def test_k6_accepts_every_rendered_threshold(tmp_path: Path) -> None:
    odd = service(
        "odd",
        Slo("availability", SloKind.AVAILABILITY, 99.95),
        Slo("fast", SloKind.LATENCY, 99.5, latency_threshold_seconds=0.075),
        alerts=AlertThresholds(latency_p95_seconds=0.0125),
    )
    nines = service("nines", Slo("availability", SloKind.AVAILABILITY, 99.9999))
    catalog = Catalog((*load_catalog([EXAMPLE]).services, odd, nines))
    script = _write(render_loadtests(catalog, RenderOptions()), tmp_path)
    for item in catalog.services:
        done = run_k6("inspect", script, {"SERVICE": item.name}, "--execution-requirements")
        assert done.returncode == 0, done.stderr
        options = json.loads(done.stdout)
        expected = json.loads((tmp_path / f"loadtests/{item.name}.thresholds.json").read_text())
        assert options["thresholds"] == expected["thresholds"]
    assert "p(99.5)<75" in (tmp_path / "loadtests/odd.thresholds.json").read_text()
    assert '"rate<1e-06"' in (tmp_path / "loadtests/nines.thresholds.json").read_text()


def test_k6_refuses_a_malformed_threshold_so_the_check_above_means_something(
    tmp_path: Path,
) -> None:
    script = _write(render_loadtests(load_catalog([EXAMPLE]), RenderOptions()), tmp_path)
    spec = tmp_path / "loadtests/user-service.thresholds.json"
    spec.write_text(spec.read_text().replace("p(95)<500", "p(95)<<500"))
    done = run_k6("inspect", script, {"SERVICE": "user-service"}, "--execution-requirements")
    assert done.returncode != 0
    assert "p(95)<<500" in done.stderr


def test_the_script_names_the_missing_service_setting(tmp_path: Path) -> None:
    script = _write(render_loadtests(load_catalog([EXAMPLE]), RenderOptions()), tmp_path)
    done = run_k6("inspect", script, {}, "--execution-requirements")
    assert done.returncode != 0
    assert "set SERVICE to a catalog service name" in done.stderr


def test_imported_only_catalogs_get_no_load_tests() -> None:
    imported = service("sloth-svc", origin="sloth")
    assert render_loadtests(Catalog((imported,)), RenderOptions()) == {}


@pytest.mark.parametrize("name", ["user-service", "chat-service"])
def test_thresholds_file_names_its_service(name: str) -> None:
    document = json.loads((ROOT / f"loadtests/{name}.thresholds.json").read_text())
    assert document["service"] == name
