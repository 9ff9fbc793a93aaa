"""The demo service: every runtime part answers from its embedded default."""

from __future__ import annotations

from starlette.testclient import TestClient

from examples import user_service
from zwobs.flags.testing import override


def client() -> TestClient:
    return TestClient(user_service.create_app(), raise_server_exceptions=False)


def test_chat_ui_follows_the_new_chat_ui_flag() -> None:
    c = client()
    with override(new_chat_ui=True):
        assert c.get("/v1/chat/ui?user=7").json() == {"user": "7", "ui": "new"}
    with override(new_chat_ui=False):
        assert c.get("/v1/chat/ui?user=7").json() == {"user": "7", "ui": "classic"}


def test_config_reports_the_secret_store_but_never_the_secret() -> None:
    body = client().get("/admin/config")
    assert body.status_code == 200
    assert body.json()["db_password_set"] is True
    assert "file provider" in body.json()["secrets"]
    secret = user_service.demo_secrets.db_password().reveal()
    assert secret not in body.text


def test_injected_failures_and_crashes_are_counted_by_route() -> None:
    c = client()
    assert c.get("/v1/users/2?fail=1").status_code == 503
    assert c.get("/v1/crash").status_code == 500
    metrics = c.get("/metrics").text
    assert 'path="/v1/users/{user_id}",service="user-service",status="503"' in metrics
    assert 'path="/v1/crash",service="user-service",status="500"' in metrics
