"""Fleet alert rules: annotations that stay true for every service of the catalog."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.render.rule_files import promtool_test, write_alerts
from zwobs.catalog import load_catalog

_MIXED = """\
defaults:
  runbook_base: https://runbooks.example.com/services
services:
  - {name: api, team: t, tier: 1, slos: [{name: availability, objective: 99.9}]}
  - name: billing
    team: t
    tier: 1
    runbook_url: https://wiki.example.com/billing-oncall
    slos: [{name: availability, objective: 99.9}]
"""


def test_a_service_own_runbook_survives_other_services_using_runbook_base(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(_MIXED)
    files = write_alerts(load_catalog([catalog]), tmp_path)
    result = promtool_test(tmp_path / "alerts")
    assert result.returncode == 0, result.stdout + result.stderr
    fleet = yaml.safe_load(files["alerts/_fleet.rules.yaml"])
    annotations = [
        rule["annotations"]["runbook_url"]
        for group in fleet["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]
    assert annotations and all("runbooks.example.com" not in a for a in annotations)
