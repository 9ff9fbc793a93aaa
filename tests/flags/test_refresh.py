"""Refreshing: answers that are not Unleash's never crash a round, and the last good state
keeps answering. A stand-in server (named as such) plays what a real Unleash never sends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from tests.servers.html_stand_in import not_a_server
from zwobs.flags import FlagsClient, FlagsConfigError, _fetch, load_bootstrap


def _client(url: str) -> FlagsClient:
    return FlagsClient(
        url=f"{url}/api",
        bootstrap={"a": True},
        send_metrics=False,
        registry=CollectorRegistry(),
        start=False,
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><body>Sign in to continue</body></html>", "text/html"),
        (b"[" * 100_000, "application/json"),
        (b'{"events": [{"type": "renamed"}]}', "application/json"),
    ],
    ids=["html-page", "json-nested-too-deeply", "unknown-delta-event"],
)
def test_an_answer_that_is_not_unleash_degrades_and_keeps_the_last_state(
    body: bytes, content_type: str
) -> None:
    with not_a_server(body, content_type) as url:
        client = _client(url)
        assert client.refresh_now() is False
    status = client.status()
    assert (status.degraded, status.reason_code, status.source) == (
        True, "invalid_payload", "bootstrap",
    )  # fmt: skip
    assert client.is_enabled("a") is True


def test_an_html_answer_is_named_as_not_json() -> None:
    with not_a_server() as url:
        client = _client(url)
        client.refresh_now()
    assert "the answer is not JSON" in (client.status().reason or "")


def test_an_answer_larger_than_the_cap_is_refused_not_buffered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_fetch, "MAX_BODY", 1000)
    body = json.dumps({"features": [{"name": f"f{i}", "enabled": True} for i in range(100)]})
    with not_a_server(body.encode(), "application/json") as url:
        client = _client(url)
        assert client.refresh_now() is False
    assert "larger than 1000 bytes" in (client.status().reason or "")


def test_a_delta_document_answered_on_both_endpoints_becomes_the_state() -> None:
    flag = {"name": "from_delta", "enabled": True, "strategies": [{"name": "default"}]}
    events = {"events": [{"eventId": 3, "type": "hydration", "segments": [], "features": [flag]}]}
    with not_a_server(json.dumps(events).encode(), "application/json") as url:
        client = _client(url)
        assert client.refresh_now() is True
    assert client._refresher is not None and client._refresher.uses_delta
    assert client._refresher.etag == '"3"'  # the last event id, when the server sends none
    assert client.is_enabled("from_delta") and not client.known("a")


def test_a_deeply_nested_json_bootstrap_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "flags.json"
    path.write_text("[" * 100_000)
    with pytest.raises(FlagsConfigError, match="invalid JSON"):
        load_bootstrap(path)
