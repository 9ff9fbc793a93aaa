"""The process-wide client: from the environment on first use, replaced by ``configure``."""

from __future__ import annotations

from pathlib import Path

import pytest

from zwobs import flags
from zwobs.flags import FlagsConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_flags_file_from_the_environment_is_the_embedded_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ZWOBS_FLAGS_FILE", str(ROOT / "examples" / "flags.yaml"))
    assert flags.is_enabled("user_lookup_cache") is True
    assert flags.status().source == "bootstrap"


def test_app_name_comes_from_the_service_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "from-otel")
    assert flags.client().app_name == "from-otel"
    monkeypatch.setenv("ZWOBS_SERVICE", "from-zwobs")
    assert flags.configure().app_name == "from-zwobs"
    monkeypatch.setenv("UNLEASH_APP_NAME", "from-unleash")
    assert flags.configure().app_name == "from-unleash"


def test_server_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNLEASH_URL", "http://127.0.0.1:9/api/")
    monkeypatch.setenv("UNLEASH_API_TOKEN", "default:production.x")
    monkeypatch.setenv("UNLEASH_ENVIRONMENT", "production")
    monkeypatch.setenv("UNLEASH_PROJECT", "chat")
    client = flags.configure(start=False)
    assert client.environment == "production"
    assert client._connection.features_url() == (
        "http://127.0.0.1:9/api/client/features?project=chat"
    )
    assert client._connection.headers()["Authorization"] == "default:production.x"
    assert client.status().mode == "server"


def test_explicit_settings_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNLEASH_ENVIRONMENT", "production")
    assert flags.configure(environment="staging").environment == "staging"


def test_bad_refresh_interval_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNLEASH_REFRESH_INTERVAL", "soon")
    with pytest.raises(
        FlagsConfigError, match="UNLEASH_REFRESH_INTERVAL='soon': expected seconds > 0"
    ):
        flags.configure()


def test_configure_replaces_and_stops_the_previous_client() -> None:
    first = flags.configure(url="http://127.0.0.1:9/api", refresh_interval=60)
    second = flags.configure(bootstrap={"a": True})
    assert flags.client() is second
    assert first._poller is not None and not first._poller.running
    assert flags.is_enabled("a") is True


def test_seconds_and_booleans_follow_the_shared_environment_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UNLEASH_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("UNLEASH_REFRESH_INTERVAL", "2m")
    monkeypatch.setenv("UNLEASH_TIMEOUT", "1500ms")
    monkeypatch.setenv("UNLEASH_DISABLE_METRICS", "yes")
    client = flags.configure(start=False)
    assert client._connection.timeout == 1.5
    assert client._reporter is None
    monkeypatch.setenv("ZWOBS_FLAGS_SPAN_EVENTS", "sometimes")
    with pytest.raises(FlagsConfigError, match="ZWOBS_FLAGS_SPAN_EVENTS='sometimes': expected one"):
        flags.configure(start=False)
