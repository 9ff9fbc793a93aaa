"""Live: a real Prometheus fires a page and tickets for two teams; a real Alertmanager running
the rendered alertmanager.yml delivers each to the right loopback receiver, and the ticket a
page inhibits (same service and SLO) never arrives.

The receivers are stand-ins on 127.0.0.1 for Slack (its incoming-webhook URL, read from the
``api_url_file``) and for PagerDuty (the Events API v2 ``url``, key from ``routing_key_file``).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.servers.alertmanager import Webhook, start_alertmanager, start_webhook
from tests.servers.process import wait_until
from tests.servers.prometheus import start_prometheus
from zwobs import names
from zwobs.catalog import load_catalog
from zwobs.render import RenderOptions
from zwobs.render.alertmanager import FULL, render_alertmanager

pytestmark = pytest.mark.integration

CATALOG = """\
alerting:
  receiver:
    webhook: {{url: "{fallback}"}}
teams:
{teams}
services:
  - {{name: user-service, team: identity, tier: 1}}
  - {{name: chat-service, team: messaging, tier: 2}}
"""
TEAM = """\
  {team}:
    receivers:
      pager:
        pagerduty: {{routing_key_file: {key_file}, url: "{pagerduty}"}}
      chat:
        slack: {{channel: "#{team}-alerts", api_url_file: {slack_file}}}
"""
# (team, service, slo, severity): what Prometheus fires.
FIRED = [
    ("identity", "user-service", "availability", "page"),
    ("identity", "user-service", "availability", "ticket"),  # inhibited by the page above
    ("identity", "user-service", "latency", "ticket"),
    ("messaging", "chat-service", "availability", "page"),
    ("messaging", "chat-service", "availability", "ticket"),  # inhibited
    ("messaging", "chat-service", "latency", "ticket"),
]


@pytest.fixture
def stand_ins() -> Iterator[dict[str, Webhook]]:
    hooks = {"slack": start_webhook(), "pagerduty": start_webhook(), "fallback": start_webhook()}
    yield hooks
    for hook in hooks.values():
        hook.stop()


def _catalog(tmp_path: Path, hooks: dict[str, Webhook]) -> Path:
    teams = []
    for team in ("identity", "messaging"):
        key_file, slack_file = tmp_path / f"pagerduty-{team}.key", tmp_path / f"slack-{team}.url"
        key_file.write_text(f"{team}-routing-key\n")
        slack_file.write_text(hooks["slack"].url + "\n")
        teams.append(
            TEAM.format(
                team=team,
                key_file=key_file,
                slack_file=slack_file,
                pagerduty=hooks["pagerduty"].url,
            )
        )
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG.format(fallback=hooks["fallback"].url, teams="".join(teams)))
    return path


def _rules(path: Path) -> Path:
    rules = [
        {
            "alert": names.ALERT_ERROR_BUDGET_BURN,
            "expr": "vector(1)",
            "labels": {"team": team, "service": service, "slo": slo, "severity": severity}
            # With a fleet topology pages fire per location, tickets per service and SLO.
            | ({"region": "eu-west"} if severity == "page" else {}),
        }
        for team, service, slo, severity in FIRED
    ]
    path.write_text(yaml.safe_dump({"groups": [{"name": "fired", "rules": rules}]}))
    return path


def _am_alerts(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/api/v2/alerts", timeout=10) as response:
        alerts: list[dict[str, Any]] = json.load(response)
    return alerts


def test_pages_and_tickets_reach_each_teams_receiver_and_the_inhibited_tickets_do_not(
    tmp_path: Path, stand_ins: dict[str, Webhook]
) -> None:
    catalog = load_catalog([_catalog(tmp_path, stand_ins)])
    rendered = render_alertmanager(catalog, RenderOptions())[FULL]
    assert b"routing-key" not in rendered  # the file holds paths, never the keys
    config = yaml.safe_load(rendered)
    # Timing only: deliver at once instead of after 30 s (routes and inhibition unchanged).
    config["route"].update(group_wait="1s", group_interval="1s")
    manager = start_alertmanager(tmp_path / "am", config=config)
    prometheus = start_prometheus(
        tmp_path / "prom", rule_files=[_rules(tmp_path / "fired.rules.yaml")],
        alertmanager=manager.target,
    )  # fmt: skip
    try:
        slack, pagerduty = stand_ins["slack"], stand_ins["pagerduty"]
        wait_until(lambda: len(pagerduty.payloads) >= 2, timeout=60, what="two pages")
        wait_until(lambda: len(slack.payloads) >= 2, timeout=60, what="two tickets")

        def inhibited() -> list[dict[str, Any]]:
            return [a for a in _am_alerts(manager.url) if a["status"]["inhibitedBy"]]

        wait_until(lambda: len(inhibited()) == 2, timeout=30, what="two inhibited tickets")
        assert sorted((a["labels"]["service"], a["labels"]["slo"], a["labels"]["severity"])
                      for a in inhibited()) == [
            ("chat-service", "availability", "ticket"),
            ("user-service", "availability", "ticket"),
        ]  # fmt: skip

        pages = {p["routing_key"]: p["payload"]["summary"] for p in pagerduty.payloads}
        assert sorted(pages) == ["identity-routing-key", "messaging-routing-key"]
        assert "user-service availability" in pages["identity-routing-key"]
        assert "chat-service availability" in pages["messaging-routing-key"]

        tickets = {p["channel"]: p["attachments"][0]["title"] for p in slack.payloads}
        assert sorted(tickets) == ["#identity-alerts", "#messaging-alerts"]
        assert "user-service latency" in tickets["#identity-alerts"]
        assert "chat-service latency" in tickets["#messaging-alerts"]
        assert len(slack.payloads) == 2  # no notification of an inhibited ticket
        assert stand_ins["fallback"].payloads == []
    finally:
        prometheus.stop()
        manager.stop()
