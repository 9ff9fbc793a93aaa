"""alertmanager/ from the catalog: amtool accepts it, routes every team x severity to the
right receiver, and a catalog with an inline secret or a silent route is refused."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from zwobs.catalog import CatalogError, json_schema, load_catalog
from zwobs.catalog.model import Catalog
from zwobs.cli import main
from zwobs.render import RenderOptions
from zwobs.render.alertmanager import FRAGMENT, FULL, render_alertmanager

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "catalog.yaml"
SEVERITIES = ("page", "ticket", "warning", "critical", "info")

# The example catalog's routing as its README table states it: team x severity -> receiver.
EXPECTED = {
    ("identity", "page"): "identity-pager",
    ("identity", "ticket"): "identity-chat",
    ("identity", "warning"): "identity-chat",
    ("identity", "critical"): "identity-pager",
    ("identity", "info"): "identity-chat",
    ("messaging", "page"): "messaging-pager",
    ("messaging", "ticket"): "messaging-chat",
    ("messaging", "warning"): "messaging-chat",
    ("messaging", "critical"): "messaging-chat",  # critical: chat in the catalog
    ("messaging", "info"): "messaging-chat",
    ("nobody", "page"): "default",
    ("nobody", "ticket"): "default",
}

BASE = """\
alerting:
  receiver:
    webhook: {url: "http://127.0.0.1:9/fallback"}
teams:
  solo:
    receivers:
%s
services:
  - {name: svc, team: solo, tier: 1}
"""


def amtool() -> str:
    path = shutil.which("amtool")
    if path is None:
        pytest.fail("amtool not found: run scripts/install-prometheus.sh (make test does)")
    return path


def _check_config(path: Path) -> None:
    result = subprocess.run(
        [amtool(), "check-config", str(path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _route(config: Path, team: str, severity: str) -> str:
    result = subprocess.run(
        [amtool(), "config", "routes", "test", f"--config.file={config}",
         f"team={team}", f"severity={severity}", "service=svc", "slo=availability"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def _render(catalog: Catalog, out: Path) -> dict[str, Path]:
    written = {}
    for relative, content in render_alertmanager(catalog, RenderOptions()).items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written[relative] = path
    return written


def _catalog(tmp_path: Path, text: str) -> Catalog:
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    return load_catalog([path])


def _issues(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(CatalogError) as info:
        _catalog(tmp_path, text)
    return [str(issue) for issue in info.value.issues]


def test_committed_config_and_fragment_pass_amtool_check_config(tmp_path: Path) -> None:
    _check_config(ROOT / FULL)
    fragment = yaml.safe_load((ROOT / FRAGMENT).read_text())
    host = {
        "route": {"receiver": "platform", "routes": fragment["routes"]},
        "receivers": [{"name": "platform", "webhook_configs": [{"url": "http://127.0.0.1:9/"}]}]
        + fragment["receivers"],
        "inhibit_rules": fragment["inhibit_rules"],
    }
    merged = tmp_path / "merged.yml"
    merged.write_text(yaml.safe_dump(host))
    _check_config(merged)


def test_every_team_and_severity_reaches_the_catalogs_receiver() -> None:
    routed = {key: _route(ROOT / FULL, *key) for key in EXPECTED}
    assert routed == EXPECTED


def _many_teams() -> str:
    """Teams with every mix of receivers: pager and/or chat, each Slack, PagerDuty or webhook."""
    kinds = [
        "{slack: {channel: '#%s', api_url_file: /s/%s}}",
        "{pagerduty: {routing_key_file: /k/%s, url: 'https://events.example.com/%s'}}",
        "{webhook: {url: 'https://hooks.example.com/%s', credentials_file: /t/%s}}",
    ]
    teams, services = [], []
    for index in range(12):
        name = f"team-{index}"
        lines = [f"  {name}:", "    receivers:"]
        if index % 3 != 2:
            lines.append("      pager: " + kinds[index % 3] % (name, name))
        if index % 3 != 1:
            lines.append("      chat: " + kinds[(index + 1) % 3] % (name, name))
        if index % 4 == 0 and index % 3 == 0:
            lines.append("      critical: chat")
        teams.append("\n".join(lines))
        services.append(f"  - {{name: svc-{index}, team: {name}, tier: 1}}")
    return (
        'alerting:\n  receiver:\n    webhook: {url: "https://hooks.example.com/fallback"}\n'
        "teams:\n" + "\n".join(teams) + "\nservices:\n" + "\n".join(services) + "\n"
    )


def test_every_mix_of_receivers_passes_amtool_and_routes_as_the_catalog_says(
    tmp_path: Path,
) -> None:
    catalog = _catalog(tmp_path, _many_teams())
    written = _render(catalog, tmp_path)
    _check_config(written[FULL])
    for team in catalog.teams:
        pager = f"{team.name}-{'pager' if team.pager else 'chat'}"
        chat = f"{team.name}-{'chat' if team.chat else 'pager'}"
        expected = {
            "page": pager,
            "ticket": chat,
            "warning": chat,
            "critical": pager if team.critical == "pager" else chat,
            "info": chat,
        }
        assert {s: _route(written[FULL], team.name, s) for s in SEVERITIES} == expected
    assert {team.critical for team in catalog.teams} == {"pager", "chat"}


def test_the_example_is_rendered_from_the_catalog_as_committed(tmp_path: Path) -> None:
    written = _render(load_catalog([EXAMPLE]), tmp_path)
    assert sorted(written) == [FULL, FRAGMENT]
    for relative, path in written.items():
        assert path.read_bytes() == (ROOT / relative).read_bytes()


def test_routes_group_by_service_and_slo_and_a_page_inhibits_the_same_slos_ticket() -> None:
    config = yaml.safe_load((ROOT / FULL).read_text())
    assert config["route"]["group_by"] == ["service", "slo"]
    assert all(r["group_by"] == ["service", "slo"] for r in config["route"]["routes"])
    assert config["inhibit_rules"] == [
        {
            "source_matchers": ['severity="page"'],
            "target_matchers": ['severity="ticket"'],
            "equal": ["service", "slo"],
        }
    ]


def test_location_labels_join_the_grouping_but_not_the_inhibition(tmp_path: Path) -> None:
    text = EXAMPLE.read_text() + "topology: {location_labels: [region, cluster]}\n"
    written = _render(_catalog(tmp_path, text), tmp_path)
    _check_config(written[FULL])
    config = yaml.safe_load(written[FULL].read_text())
    assert config["route"]["group_by"] == ["service", "slo", "region", "cluster"]
    assert config["route"]["routes"][0]["group_by"] == ["service", "slo", "region", "cluster"]
    # Pages fire per location, tickets per service and SLO: a page anywhere silences it.
    assert config["inhibit_rules"][0]["equal"] == ["service", "slo"]


def test_the_default_route_is_never_silent() -> None:
    config = yaml.safe_load((ROOT / FULL).read_text())
    receivers = {r["name"]: r for r in config["receivers"]}
    default = receivers[config["route"]["receiver"]]
    assert any(key.endswith("_configs") and value for key, value in default.items())
    for receiver in receivers.values():
        assert any(key.endswith("_configs") for key in receiver), receiver["name"]


def test_secrets_are_file_references_only() -> None:
    text = (ROOT / FULL).read_text()
    config = yaml.safe_load(text)
    for receiver in config["receivers"]:
        for entry in receiver.get("slack_configs", []):
            assert "api_url" not in entry and entry["api_url_file"].startswith("/etc/")
        for entry in receiver.get("pagerduty_configs", []):
            assert "routing_key" not in entry and "service_key" not in entry
            assert entry["routing_key_file"].startswith("/etc/")


def test_a_team_with_only_a_chat_receiver_gets_its_pages_in_chat(tmp_path: Path) -> None:
    receivers = "      chat: {slack: {channel: '#solo', api_url_file: /run/slack}}"
    written = _render(_catalog(tmp_path, BASE % receivers), tmp_path)
    _check_config(written[FULL])
    assert [_route(written[FULL], "solo", s) for s in SEVERITIES] == ["solo-chat"] * 5


def test_a_webhook_with_a_bearer_token_file_is_rendered_as_http_config(tmp_path: Path) -> None:
    receivers = (
        "      pager: {webhook: {url: 'https://hooks.example.com/page', credentials_file: /run/t}}"
    )
    written = _render(_catalog(tmp_path, BASE % receivers), tmp_path)
    _check_config(written[FULL])
    config = yaml.safe_load(written[FULL].read_text())
    (hook,) = next(r for r in config["receivers"] if r["name"] == "solo-pager")["webhook_configs"]
    assert hook["http_config"] == {"authorization": {"credentials_file": "/run/t"}}
    assert _route(written[FULL], "solo", "ticket") == "solo-pager"


def test_a_catalog_without_receivers_renders_no_alertmanager_files(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, "services:\n  - {name: svc, team: solo, tier: 1}\n")
    assert render_alertmanager(catalog, RenderOptions()) == {}


@pytest.mark.parametrize(
    ("receivers", "line", "expected"),
    [
        (
            "      chat: {slack: {channel: '#x', api_url: 'https://hooks.slack.test/T/B/x'}}",
            7,
            "chat.slack.api_url: an inline credential is never written into the Alertmanager"
            " config: put it in a file and give that file's path as api_url_file",
        ),
        (
            "      pager: {pagerduty: {routing_key: 0123456789abcdef}}",
            7,
            "pager.pagerduty.routing_key: an inline credential is never written",
        ),
        (
            "      pager: {pagerduty: {service_key: 0123456789abcdef, routing_key_file: /k}}",
            7,
            "pager.pagerduty.service_key: an inline credential",
        ),
        (
            "      pager: {webhook: {url: 'https://user:secret@hooks.example.com/x'}}",
            7,
            "pager.webhook.url: expected a URL without user:password@ or a query string",
        ),
        (
            "      pager: {webhook: {url: 'https://hooks.example.com/x?token=abc'}}",
            7,
            "pager.webhook.url: expected a URL without user:password@",
        ),
        ("      pager: {}", 7, "pager: expected at least one of slack, pagerduty, webhook"),
        (
            "      pager: {pagerduty: {routing_key_file: /k}}\n      critical: chat",
            8,
            "receivers.critical: critical goes to chat, but the team has no chat",
        ),
        ("      critical: pager", 7, "receivers: expected a pager or a chat receiver"),
        (
            "      chat: {slack: {channel: '#x'}}",
            7,
            "chat.slack.api_url_file: required key is missing",
        ),
        (
            "      chat: {email: {to: a@example.com}}",
            7,
            "chat.email: unknown key; expected one of: pagerduty, slack, webhook",
        ),
    ],
)
def test_bad_receivers_are_refused_with_file_line_and_field(
    tmp_path: Path, receivers: str, line: int, expected: str
) -> None:
    issues = _issues(tmp_path, BASE % receivers)
    assert any(f"catalog.yaml:{line}:" in i and expected in i for i in issues), issues
    assert not any("secret@" in i or "abc" in i.split(":")[-1] for i in issues)


def test_the_json_schema_accepts_file_references_and_rejects_inline_secrets() -> None:
    schema = json_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    good = yaml.safe_load(BASE % "      chat: {slack: {channel: '#x', api_url_file: /s}}")
    assert list(validator.iter_errors(good)) == []
    for inline in (
        "      chat: {slack: {channel: '#x', api_url_file: /s, api_url: 'https://h.test/x'}}",
        "      pager: {pagerduty: {routing_key_file: /k, routing_key: abc}}",
    ):
        errors = list(validator.iter_errors(yaml.safe_load(BASE % inline)))
        assert errors, inline
        assert any("inline credential" in str(e.schema.get("description", "")) for e in errors)


def test_team_receivers_without_a_default_receiver_are_refused(tmp_path: Path) -> None:
    text = (BASE % "      chat: {slack: {channel: '#x', api_url_file: /s}}").replace(
        'alerting:\n  receiver:\n    webhook: {url: "http://127.0.0.1:9/fallback"}\n', ""
    )
    (issue,) = _issues(tmp_path, text)
    assert "catalog.yaml:4:" in issue, issue
    assert "alerting.receiver is required: the default route" in issue


def test_render_with_an_inline_secret_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = tmp_path / "catalog.yaml"
    secret = "https://hooks.slack.test/T000/B000/XXXXSECRET"
    catalog.write_text(BASE % f"      chat: {{slack: {{channel: '#x', api_url: '{secret}'}}}}")
    out = tmp_path / "out"
    assert main(["render", str(catalog), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert not out.exists()
    assert "api_url_file" in captured.err and "Traceback" not in captured.err
    assert secret not in captured.err + captured.out
