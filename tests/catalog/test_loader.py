"""The zwobs catalog loader: the issue's example as written, defaults, and every error at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from zwobs.catalog import CatalogError, catalog_warnings, load_catalog
from zwobs.catalog.model import SloKind

ROOT = Path(__file__).resolve().parents[2]

ISSUE_EXAMPLE = """\
defaults:
  slo_period: 30d
  alerts: {error_rate: 0.05, latency_p95_seconds: 0.5, min_rps: 100}
services:
  - name: user-service
    team: identity
    tier: 1
    slos:
      - name: availability
        objective: 99.9
      - name: latency
        objective: 99
        latency_threshold_seconds: 0.5
  - name: chat-service
    team: messaging
    tier: 2
    alerts: {min_rps: 5}
    slos:
      - name: availability
        objective: 99.5
"""


def _write(tmp_path: Path, text: str, name: str = "catalog.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _issues(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog([_write(tmp_path, text)])
    return [str(i) for i in info.value.issues]


def test_issue_example_is_accepted_as_written(tmp_path: Path) -> None:
    catalog = load_catalog([_write(tmp_path, ISSUE_EXAMPLE)])
    chat, user = catalog.services  # sorted by name
    assert (chat.name, user.name) == ("chat-service", "user-service")
    assert user.team == "identity" and user.tier == 1 and user.slo_period_days == 30
    assert [s.kind for s in user.slos] == [SloKind.AVAILABILITY, SloKind.LATENCY]
    assert user.slos[1].latency_threshold_seconds == 0.5
    assert user.slos[0].error_budget == pytest.approx(0.001)
    assert user.alerts.min_rps == 100 and chat.alerts.min_rps == 5
    assert chat.alerts.error_rate == 0.05 and chat.alerts.latency_p95_seconds == 0.5
    assert catalog.defaults.min_rps == 100


def test_example_catalog_validates_without_warnings() -> None:
    catalog = load_catalog([ROOT / "examples" / "catalog.yaml"])
    assert catalog_warnings(catalog) == []
    user = next(s for s in catalog.services if s.name == "user-service")
    assert dict(user.labels)["pagerduty_service"] == "identity-oncall"
    assert user.runbook_url == "https://runbooks.example.com/services/user-service"
    assert user.owners == ("identity-oncall@example.com",)
    assert "registry.example.com/identity" in catalog.registries
    assert "app.kubernetes.io/name" in catalog.required_labels


def test_every_problem_is_reported_at_once_with_line_column_and_path(tmp_path: Path) -> None:
    issues = _issues(
        tmp_path,
        """\
defaults:
  alerts: {error_rate: 1.5, min_rsp: 3}
services:
  - name: user-service
    team: identity
    tier: 1
    slos:
      - name: availability
        objective: 100
      - name: latency
        objective: 99
        latency_threshold_seconds: 0.3
  - name: user-service
    team: identity
    tier: 1
""",
    )
    assert len(issues) == 5
    file = str(tmp_path / "catalog.yaml")
    assert issues[0] == (
        f"{file}:2:24: defaults.alerts.error_rate: expected a ratio in (0, 1), exclusive, got 1.5"
    )
    assert issues[1].startswith(f"{file}:2:29: defaults.alerts.min_rsp: unknown key")
    assert "did you mean 'min_rps'?" in issues[1]
    assert issues[2].startswith(f"{file}:9:20: services[0].slos[0].objective: expected a")
    assert issues[3].startswith(
        f"{file}:12:36: services[0].slos[1].latency_threshold_seconds: expected one of the"
        " histogram buckets"
    )
    assert issues[4] == (
        f"{file}:13:11: services[1].name: duplicate service name (first at line 4)"
    )


@pytest.mark.parametrize(
    ("objective", "period", "accepted"),
    [
        (93.1, "30d", True),
        (93.0, "30d", False),
        (99.0, "30d", True),
        (93.0, "28d", True),
        (92.6, "28d", False),
        (80, "7d", False),
        (99.999999999, "30d", True),
        (99.99999999999999, "30d", False),
    ],
)
def test_slo_whose_page_alert_could_never_fire_is_rejected(
    tmp_path: Path, objective: float, period: str, accepted: bool
) -> None:
    text = f"""\
services:
  - name: a
    team: t
    tier: 1
    slo_period: {period}
    slos: [{{name: availability, objective: {objective}}}]
"""
    if accepted:
        assert load_catalog([_write(tmp_path, text)]).services[0].slos[0].objective == objective
    else:
        (issue,) = _issues(tmp_path, text)
        assert "services[0].slos[0].objective: " in issue
        assert "the page alert could never fire" in issue or "too small to measure" in issue


@pytest.mark.parametrize(
    ("period", "accepted"),
    [("7d", True), ("2w", True), ("90d", True), ("1d", False), ("6d", False), ("13w", False)],
)
def test_slo_periods_outside_the_burn_rate_tables_are_refused(
    tmp_path: Path, period: str, accepted: bool
) -> None:
    text = f"""\
defaults: {{slo_period: {period}}}
services:
  - {{name: a, team: t, tier: 1, slos: [{{name: availability, objective: 99.9}}]}}
"""
    if accepted:
        assert load_catalog([_write(tmp_path, text)]).services[0].slo_period_days > 0
    else:
        (issue,) = _issues(tmp_path, text)
        assert "defaults.slo_period: expected an SLO period from 7d to 90d" in issue


def test_latency_slo_rules_sli_inference_and_threshold(tmp_path: Path) -> None:
    issues = _issues(
        tmp_path,
        """\
services:
  - name: a
    team: t
    tier: 1
    slos:
      - {name: latency, objective: 99}
      - {name: fast, sli: latency, objective: 99}
      - {name: avail, sli: availability, objective: 99, latency_threshold_seconds: 0.5}
      - {name: p99, objective: 99, latency_threshold_seconds: 0.25}
""",
    )
    assert len(issues) == 3
    assert "slos[0]: a latency SLO needs latency_threshold_seconds" in issues[0]
    assert "slos[1].sli: a latency SLO needs latency_threshold_seconds" in issues[1]
    assert "slos[2].latency_threshold_seconds: only latency SLOs have a threshold" in issues[2]


def test_configured_buckets_replace_the_default_ones(tmp_path: Path) -> None:
    text = """\
latency_buckets: [0.1, 0.3, 1.0]
services:
  - name: a
    team: t
    tier: 1
    slos: [{name: latency, objective: 99, latency_threshold_seconds: 0.3}]
"""
    catalog = load_catalog([_write(tmp_path, text)])
    assert catalog.latency_buckets == (0.1, 0.3, 1.0)
    issues = _issues(tmp_path, text.replace("[0.1, 0.3, 1.0]", "[0.3, 0.1]"))
    assert any("latency_buckets: expected strictly increasing" in i for i in issues)


def test_teams_give_routing_labels_owners_and_runbooks_and_must_exist(tmp_path: Path) -> None:
    text = """\
defaults: {runbook_base: "https://rb.example.com/"}
teams:
  identity: {labels: {pager: id}, owners: [a@example.com]}
  chat: {labels: {pager: chat}, runbook_base: "https://chat.example.com/rb"}
services:
  - {name: a, team: identity, tier: 1, labels: {channel: x}}
  - {name: b, team: chat, tier: 2, runbook_url: "https://own.example.com/b"}
  - {name: c, team: chat, tier: 2}
"""
    a, b, c = load_catalog([_write(tmp_path, text)]).services
    assert a.labels == (("channel", "x"), ("pager", "id"))
    assert a.owners == ("a@example.com",)
    assert a.runbook_url == "https://rb.example.com/a"
    assert b.runbook_url == "https://own.example.com/b"
    assert c.runbook_url == "https://chat.example.com/rb/c"
    issues = _issues(tmp_path, text.replace("team: identity", "team: identiy"))
    assert len(issues) == 1 and "services[0].team: unknown team; expected one of chat" in issues[0]


def test_reserved_routing_label_is_rejected(tmp_path: Path) -> None:
    issues = _issues(
        tmp_path, "services:\n  - {name: a, team: t, tier: 1, labels: {severity: x, ok: y}}\n"
    )
    assert len(issues) == 1 and "services[0].labels.severity: label is set by zwobs" in issues[0]


def test_empty_routing_label_value_is_rejected_where_it_is_written(tmp_path: Path) -> None:
    text = (
        "teams:\n  t: {labels: {pager: ''}}\n"
        "services:\n  - {name: a, team: t, tier: 1, labels: {region: ''}}\n"
    )
    issues = _issues(tmp_path, text)
    assert len(issues) == 2
    assert ":2:" in issues[0] and "teams.t.labels.pager: expected a non-empty value" in issues[0]
    assert ":4:" in issues[1] and "services[0].labels.region: expected a non-empty" in issues[1]


def test_yaml_syntax_error_points_at_its_line(tmp_path: Path) -> None:
    (issue,) = _issues(tmp_path, "services:\n  - name: a\n    team: [unclosed\n")
    assert issue.startswith(f"{tmp_path / 'catalog.yaml'}:4:1: invalid YAML")


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog([tmp_path / "nope.yaml"])
    assert "cannot read the file" in str(info.value)


def test_wrong_types_and_missing_keys_are_named(tmp_path: Path) -> None:
    issues = _issues(
        tmp_path,
        "services:\n  - {name: Bad_Name, tier: x, slos: {}}\n  - just-a-string\n",
    )
    assert any("services[0].team: required key is missing" in i for i in issues)
    assert any("services[0].name: expected a lowercase DNS label" in i for i in issues)
    assert any("services[0].tier: expected an integer tier" in i for i in issues)
    assert any("services[0].slos: expected a list, got a mapping" in i for i in issues)
    assert any("services[1]: expected a mapping" in i for i in issues)


def test_alerting_for_overrides_are_kept_sorted(tmp_path: Path) -> None:
    text = """\
alerting: {for: {LowThroughput: 1m, HighErrorRate: 10s}}
services: [{name: a, team: t, tier: 1}]
"""
    catalog = load_catalog([_write(tmp_path, text)])
    assert catalog.alert_for == (("HighErrorRate", "10s"), ("LowThroughput", "1m"))
    issues = _issues(tmp_path, text.replace("10s", "soon"))
    assert any("alerting.for.HighErrorRate: expected a Prometheus duration" in i for i in issues)


TOPOLOGY = """\
topology:
  location_labels: [region, cluster]
  min_location_requests: 50
  min_rps: location
services:
  - {name: a, team: t, tier: 1}
"""


def test_topology_location_labels_and_guards_are_read(tmp_path: Path) -> None:
    catalog = load_catalog([_write(tmp_path, TOPOLOGY)])
    assert catalog.topology.location_labels == ("region", "cluster")
    assert catalog.topology.min_location_requests == 50
    assert catalog.topology.min_rps_per_location


def test_absent_topology_means_one_location_and_min_rps_for_the_whole_service(
    tmp_path: Path,
) -> None:
    catalog = load_catalog([_write(tmp_path, "services:\n  - {name: a, team: t, tier: 1}\n")])
    assert catalog.topology.location_labels == ()
    assert not catalog.topology.min_rps_per_location
    text = "topology: {location_labels: [region]}\nservices:\n  - {name: a, team: t, tier: 1}\n"
    topology = load_catalog([_write(tmp_path, text)]).topology
    assert topology.location_labels == ("region",) and not topology.min_rps_per_location


@pytest.mark.parametrize(
    ("topology", "expected"),
    [
        (
            "{location_labels: [9region]}",
            "3:30: topology.location_labels[0]: expected a Prometheus",
        ),
        ("{location_labels: [region, region]}", "3:38: topology.location_labels[1]: duplicate"),
        ("{location_labels: [service]}", "3:30: topology.location_labels[0]: 'service' is set by"),
        ("{location_labels: [status]}", "3:30: topology.location_labels[0]: 'status' is set by"),
        ("{location_labels: [__name__]}", "3:30: topology.location_labels[0]: '__name__' is set"),
        ("{location_labels: []}", "topology.location_labels: expected at least one location"),
        ("{min_location_requests: 5}", "topology.location_labels: required key is missing"),
        ("{location_labels: [region], min_rps: pod}", "topology.min_rps: expected one of"),
        ("{location_labels: [region], min_location_requests: -1}", "request count >= 0"),
        ("{location_labels: [region], zone: x}", "topology.zone: unknown key"),
    ],
)
def test_bad_topology_is_reported_at_its_line(tmp_path: Path, topology: str, expected: str) -> None:
    text = f"version: 1\nservices: []\ntopology: {topology}\n"
    issues = _issues(tmp_path, text)
    assert len(issues) == 1, issues
    assert expected in issues[0], issues[0]
    assert issues[0].startswith(str(tmp_path / "catalog.yaml") + ":3:")


def test_routing_label_named_like_a_location_label_is_refused(tmp_path: Path) -> None:
    text = TOPOLOGY.replace(
        "{name: a, team: t, tier: 1}", "{name: a, team: t, tier: 1, labels: {region: eu}}"
    )
    (issue,) = _issues(tmp_path, text)
    assert "services[0].labels.region: label is a topology location label" in issue


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('["net admin"]', "allowed_capabilities[0]: expected a Linux capability"),
        ("[NET_RAW, NET_RAW]", "allowed_capabilities"),
        ("NET_RAW", "allowed_capabilities: expected a list"),
    ],
)
def test_a_bad_allowed_capabilities_entry_is_refused_where_it_is_written(
    tmp_path: Path, value: str, expected: str
) -> None:
    text = f"allowed_capabilities: {value}\nservices:\n  - {{name: a, team: t, tier: 1}}\n"
    (issue,) = _issues(tmp_path, text)
    assert issue.startswith(f"{tmp_path / 'catalog.yaml'}:1:") and expected in issue
