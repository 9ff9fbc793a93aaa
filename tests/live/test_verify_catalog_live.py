"""``zwobs verify --catalog`` against the live Prometheus: the catalog's numbers decide.

The healthy version fails 0.5% of its requests: within the 5% default and the example
catalog's 1% (its rollout success rate), above a catalog whose error_rate is 0.1%.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live.conftest import CANARY, SERVICE, STABLE, Live
from zwobs import names
from zwobs.cli import main
from zwobs.promql import Matcher, error_ratio

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "catalog.yaml"
STRICT = f"""\
services:
  - name: {SERVICE}
    team: identity
    tier: 1
    alerts: {{error_rate: 0.001}}
"""


def _verify(live: Live, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    argv = ["verify", "--prometheus", live.prometheus.url, "--service", SERVICE, "--window", "1m"]
    code = main([*argv, *extra])
    return code, capsys.readouterr().out


def test_the_example_catalog_passes_the_healthy_version_and_fails_the_bad_canary(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _verify(live, capsys, "--catalog", str(EXAMPLE), "--selector", f"version={STABLE}")
    assert code == 0, out
    assert "max 1.00%" in out and f"limits from {EXAMPLE}" in out
    code, out = _verify(live, capsys, "--catalog", str(EXAMPLE), "--selector", f"version={CANARY}")
    assert code == 1, out


def test_a_strict_catalog_fails_what_the_default_passes(
    live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    strict = tmp_path / "catalog.yaml"
    strict.write_text(STRICT)
    selector = ("--selector", f"version={STABLE}")
    # The first 503 only creates its series (rate() cannot see it): wait for a visible one.
    scope = (Matcher(names.LABEL_VERSION, STABLE),)
    live.prometheus.wait_for(f"{error_ratio(SERVICE, '1m', scope)} > 0.001", timeout=60)
    assert _verify(live, capsys, *selector)[0] == 0
    code, out = _verify(live, capsys, "--catalog", str(strict), *selector)
    assert code == 1, out
    assert "max error ratio 0.1%: the strictest of alerts.error_rate 0.1%" in out
