"""Request context: inside a request handled by the zwobs middleware, flags see who asks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

import zwobs
from tests.flags.payloads import RICH
from zwobs import flags
from zwobs.flags._context import build_context


def _user_header(scope: Mapping[str, Any]) -> Mapping[str, Any] | None:
    headers = dict(scope.get("headers") or [])
    user = headers.get(b"x-user")
    return {"userId": user.decode(), "plan": "pro"} if user else None


def _app() -> Starlette:
    async def check(request: Request) -> JSONResponse:
        explicit = request.query_params.get("as")
        return JSONResponse(
            {
                "by_address": flags.is_enabled("by_address"),
                "by_user_id": flags.is_enabled("by_user_id", user_id=explicit),
                "segmented": flags.is_enabled("segmented"),
            }
        )

    app = Starlette(routes=[Route("/check", check)])
    zwobs.instrument(app, service="flags-context-test", metrics_path=None, tracing=False)
    return app


def test_remote_address_comes_from_the_request() -> None:
    flags.configure(bootstrap=RICH)
    inside = TestClient(_app(), client=("10.1.2.3", 5000)).get("/check").json()
    outside = TestClient(_app(), client=("192.0.2.1", 5000)).get("/check").json()
    assert inside["by_address"] is True
    assert outside["by_address"] is False


def test_user_and_properties_come_from_the_configured_extractor() -> None:
    flags.configure(bootstrap=RICH, context_extractor=_user_header)
    client = TestClient(_app())
    body = client.get("/check", headers={"x-user": "u7"}).json()
    assert body["by_user_id"] is True
    assert body["segmented"] is True  # plan=pro from the extractor, through the segment
    assert client.get("/check", headers={"x-user": "u8"}).json()["by_user_id"] is False


def test_explicit_user_id_wins_over_the_request() -> None:
    flags.configure(bootstrap=RICH, context_extractor=_user_header)
    client = TestClient(_app())
    assert client.get("/check?as=u42", headers={"x-user": "u8"}).json()["by_user_id"] is True
    assert client.get("/check?as=u8", headers={"x-user": "u7"}).json()["by_user_id"] is False


def test_a_failing_extractor_never_breaks_the_request() -> None:
    def broken(scope: Mapping[str, Any]) -> Mapping[str, Any] | None:
        raise RuntimeError("boom")

    flags.configure(bootstrap=RICH, context_extractor=broken)
    response = TestClient(_app(), client=("10.0.0.1", 1)).get("/check")
    assert response.status_code == 200
    assert response.json()["by_address"] is True


def test_outside_a_request_only_static_fields_are_sent() -> None:
    static = {"appName": "a", "environment": "e"}
    built = build_context(static, None, context=None, user_id=None, session_id=None,
                          remote_address=None, current_time=None, properties=None)  # fmt: skip
    assert built is static


def test_none_values_mean_absent_not_the_text_none() -> None:
    ctx = build_context({}, None, context={"userId": None, "plan": None}, user_id=None,
                        session_id="s", remote_address=None, current_time=None,
                        properties={"x": 1})  # fmt: skip
    assert ctx == {"sessionId": "s", "properties": {"x": "1"}}
