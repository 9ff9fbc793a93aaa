"""The middleware's numbered promises (issue 2), each pinned by a test that fails without it."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import random
import string
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry import trace
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket

import zwobs
from tests.metrics.asgi import call, sample, series
from zwobs import context, names
from zwobs.context import current_scope

SERVICE = "svc"


async def ok(request: Request) -> Response:
    return PlainTextResponse("ok")


async def echo_body(request: Request) -> Response:
    return PlainTextResponse(await request.body())


def make_app(*routes: Any, **options: Any) -> tuple[Starlette, CollectorRegistry]:
    registry = CollectorRegistry()
    app = Starlette(routes=list(routes))
    zwobs.instrument(app, service=SERVICE, registry=registry, tracing=False, **options)
    return app, registry


def requests(registry: CollectorRegistry, **labels: str) -> float:
    return sample(registry, names.REQUESTS_TOTAL, service=SERVICE, **labels)


# 1. path is the full template through mounts and include_router prefixes


async def test_path_is_full_template_through_nested_mounts() -> None:
    app, registry = make_app(
        Mount("/api", routes=[Mount("/v1", routes=[Route("/users/{user_id:int}", ok)])])
    )
    await call(app, "/api/v1/users/42")
    assert requests(registry, method="GET", path="/api/v1/users/{user_id}", status="200") == 1


async def test_path_is_full_template_through_fastapi_include_router_prefixes() -> None:
    registry = CollectorRegistry()
    app = FastAPI()
    users = APIRouter(prefix="/users")

    @users.get("/{user_id}")
    def get_user(user_id: int) -> dict[str, int]:
        return {"id": user_id}

    v1 = APIRouter(prefix="/v1")
    v1.include_router(users)
    app.include_router(v1, prefix="/api")
    zwobs.instrument(app, service=SERVICE, registry=registry, tracing=False)

    await call(app, "/api/v1/users/7")
    assert requests(registry, method="GET", path="/api/v1/users/{user_id}", status="200") == 1


async def test_path_templates_a_parameterised_mount_of_a_sub_app() -> None:
    sub = Starlette(routes=[Route("/items/{item_id}", ok)])
    app, registry = make_app(Mount("/tenants/{tenant}", app=sub))
    await call(app, "/tenants/acme/items/1")
    await call(app, "/tenants/globex/items/2")
    assert (
        requests(registry, method="GET", path="/tenants/{tenant}/items/{item_id}", status="200")
        == 2
    )


async def test_unmatched_requests_are_counted_under_one_sentinel_never_the_raw_path() -> None:
    app, registry = make_app(Route("/known", ok), Mount("/api", routes=[Route("/x", ok)]))
    for path in ("/nope/1", "/nope/2", "/api/missing"):
        result = await call(app, path)
        assert result.status == 404
    assert requests(registry, method="GET", path=names.UNMATCHED_PATH, status="404") == 3
    assert all(
        s["path"] in ("/known", names.UNMATCHED_PATH, "/api/x")
        for s in series(registry, names.REQUESTS_TOTAL)
    )


async def test_route_is_not_matched_a_second_time_per_request() -> None:
    calls = {"n": 0}

    class CountingRoute(Route):
        def matches(self, scope: Any) -> Any:
            calls["n"] += 1
            return super().matches(scope)

    app, registry = make_app(CountingRoute("/a/{x}", ok))
    await call(app, "/a/1")
    assert calls["n"] == 1
    assert requests(registry, method="GET", path="/a/{x}", status="200") == 1


# 2. method is bounded


async def test_invented_methods_collapse_into_one_series() -> None:
    app, registry = make_app(Route("/a", ok))
    for n in range(50):
        await call(app, "/a", method=f"FOO{n}")
    methods = {s["method"] for s in series(registry, names.REQUESTS_TOTAL)}
    assert methods == {names.OTHER_METHOD}


# 3. app errors: 500, duration observed, exception unchanged; disconnects distinct


class AppBugError(Exception):
    pass


async def test_app_exception_counts_500_observes_duration_and_propagates_unchanged() -> None:
    raised = AppBugError("boom")

    async def broken(request: Request) -> Response:
        await asyncio.sleep(0.05)
        raise raised

    registry = CollectorRegistry()
    inner = Starlette(routes=[Route("/broken", broken)])
    zwobs.instrument(inner, service=SERVICE, registry=registry, tracing=False)
    with pytest.raises(AppBugError) as caught:
        await call(inner, "/broken")
    assert caught.value is raised
    assert requests(registry, method="GET", path="/broken", status="500") == 1
    duration_sum = sample(
        registry, names.REQUEST_DURATION + "_sum", service=SERVICE, method="GET", path="/broken"
    )
    assert duration_sum >= 0.05


async def test_app_exception_after_the_response_started_counts_500() -> None:
    async def broken_stream(request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"first"
            raise AppBugError("stream broke")

        return StreamingResponse(chunks())

    app, registry = make_app(Route("/stream", broken_stream))
    with pytest.raises(AppBugError):
        await call(app, "/stream")
    assert requests(registry, method="GET", path="/stream", status="500") == 1
    assert requests(registry, method="GET", path="/stream", status="200") == 0


async def test_client_gone_before_response_is_counted_as_499() -> None:
    async def reads_body(request: Request) -> Response:
        await request.body()  # raises ClientDisconnect
        return PlainTextResponse("never")

    app, registry = make_app(Route("/upload", reads_body, methods=["POST"]))
    with pytest.raises(Exception):  # noqa: B017 - Starlette's ClientDisconnect, re-raised
        await call(app, "/upload", method="POST", disconnect_first=True)
    assert requests(registry, method="POST", path="/upload", status=names.DISCONNECTED_STATUS) == 1
    assert requests(registry, method="POST", path="/upload", status="500") == 0


async def test_client_gone_mid_body_on_a_fastapi_json_route_is_499_not_400() -> None:
    """FastAPI turns the ClientDisconnect into a 400 sent to nobody: the client's doing."""
    registry = CollectorRegistry()
    app = FastAPI()

    @app.post("/items")
    def create(item: dict[str, int]) -> dict[str, int]:
        return item

    zwobs.instrument(app, service=SERVICE, registry=registry, tracing=False)
    result = await call(app, "/items", method="POST", chunks=[b'{"a": '], disconnect_mid_body=True)
    assert result.status == 400  # what FastAPI answered
    assert requests(registry, method="POST", path="/items", status=names.DISCONNECTED_STATUS) == 1
    assert requests(registry, method="POST", path="/items", status="400") == 0


async def test_a_response_started_after_the_client_left_is_counted_499() -> None:
    async def answers_anyway(request: Request) -> Response:
        async for _ in request.stream():
            pass  # Starlette raises ClientDisconnect here; an app may catch it and answer
        return PlainTextResponse("never")

    async def catching(request: Request) -> Response:
        try:
            return await answers_anyway(request)
        except Exception:
            return PlainTextResponse("gone", status_code=200)

    app, registry = make_app(Route("/upload", catching, methods=["POST"]))
    await call(app, "/upload", method="POST", chunks=[b"abc"], disconnect_mid_body=True)
    assert requests(registry, method="POST", path="/upload", status=names.DISCONNECTED_STATUS) == 1
    assert requests(registry, method="POST", path="/upload", status="200") == 0


async def test_a_stream_the_client_left_midway_is_499_not_200() -> None:
    """uvicorn (ASGI 2.3) reports the disconnect; Starlette stops the stream and returns."""

    async def forever() -> AsyncIterator[bytes]:
        while True:
            yield b"chunk"
            await asyncio.sleep(0)

    async def stream(request: Request) -> Response:
        return StreamingResponse(forever())

    app, registry = make_app(Route("/stream", stream))
    first_chunk_sent = asyncio.Event()
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await first_chunk_sent.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            first_chunk_sent.set()

    scope = {"type": "http", "method": "GET", "path": "/stream", "headers": [], "root_path": ""}
    await asyncio.wait_for(app(scope, receive, send), timeout=10)
    assert requests(registry, method="GET", path="/stream", status=names.DISCONNECTED_STATUS) == 1
    assert requests(registry, method="GET", path="/stream", status="200") == 0


# 4. latency ends at the last body chunk; background tasks are not counted


async def test_streamed_response_latency_ends_at_last_chunk() -> None:
    async def stream(request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(3):
                await asyncio.sleep(0.1)
                yield b"x"

        return StreamingResponse(chunks())

    app, registry = make_app(Route("/stream", stream))
    await call(app, "/stream")
    observed = sample(
        registry, names.REQUEST_DURATION + "_sum", service=SERVICE, method="GET", path="/stream"
    )
    assert observed >= 0.3


async def test_background_task_after_response_is_not_in_latency() -> None:
    async def slow_task() -> None:
        await asyncio.sleep(0.5)

    async def with_task(request: Request) -> Response:
        return PlainTextResponse("done", background=BackgroundTask(slow_task))

    app, registry = make_app(Route("/bg", with_task))
    started = time.perf_counter()
    await call(app, "/bg")
    assert time.perf_counter() - started >= 0.5  # the task did run inside the call
    observed = sample(
        registry, names.REQUEST_DURATION + "_sum", service=SERVICE, method="GET", path="/bg"
    )
    assert observed < 0.5


# 5. sizes are the bytes actually received and sent


async def test_sizes_count_chunked_request_and_streamed_response_bytes() -> None:
    async def stream(request: Request) -> Response:
        await request.body()

        async def chunks() -> AsyncIterator[bytes]:
            for size in (10, 200, 3000):
                yield b"y" * size

        return StreamingResponse(chunks())

    app, registry = make_app(Route("/up", stream, methods=["POST"]))
    await call(app, "/up", method="POST", chunks=[b"a" * 100, b"b" * 50, b"c" * 7])
    labels = {"service": SERVICE, "method": "POST", "path": "/up"}
    assert sample(registry, names.REQUEST_SIZE + "_sum", **labels) == 157
    assert sample(registry, names.RESPONSE_SIZE + "_sum", **labels) == 3210


# 6 + 7. in-progress under concurrency; no per-request state on the middleware


async def test_in_progress_is_exact_under_concurrency() -> None:
    release = asyncio.Event()
    entered = 0

    async def wait(request: Request) -> Response:
        nonlocal entered
        entered += 1
        await release.wait()
        return PlainTextResponse("ok")

    app, registry = make_app(Route("/wait", wait))
    tasks = [asyncio.create_task(call(app, "/wait")) for _ in range(25)]
    while entered < 25:
        await asyncio.sleep(0.001)
    gauge = sample(registry, names.REQUESTS_IN_PROGRESS, service=SERVICE, method="GET")
    assert gauge == 25
    release.set()
    await asyncio.gather(*tasks)
    assert sample(registry, names.REQUESTS_IN_PROGRESS, service=SERVICE, method="GET") == 0


async def test_concurrent_requests_never_leak_values_into_each_other() -> None:
    async def slow_ok(request: Request) -> Response:
        await asyncio.sleep(random.random() / 100)
        return PlainTextResponse("a" * 10)

    async def fast_fail(request: Request) -> Response:
        await asyncio.sleep(random.random() / 100)
        return PlainTextResponse("b" * 3, status_code=503)

    app, registry = make_app(Route("/ok", slow_ok), Route("/fail", fast_fail))
    await asyncio.gather(*(call(app, "/ok" if n % 2 else "/fail") for n in range(200)))
    assert requests(registry, method="GET", path="/ok", status="200") == 100
    assert requests(registry, method="GET", path="/fail", status="503") == 100
    assert requests(registry, method="GET", path="/ok", status="503") == 0
    assert requests(registry, method="GET", path="/fail", status="200") == 0
    ok_bytes = sample(
        registry, names.RESPONSE_SIZE + "_sum", service=SERVICE, method="GET", path="/ok"
    )
    assert ok_bytes == 1000


# 8. websocket and lifespan pass through


def test_websocket_and_lifespan_pass_through_untouched() -> None:
    started: list[bool] = []

    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(await websocket.receive_text())
        await websocket.close()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        started.append(True)
        yield

    registry = CollectorRegistry()
    app = Starlette(routes=[WebSocketRoute("/ws", ws)], lifespan=lifespan)
    zwobs.instrument(app, service=SERVICE, registry=registry, tracing=False)
    with TestClient(app) as client, client.websocket_connect("/ws") as socket:
        socket.send_text("ping")
        assert socket.receive_text() == "ping"
    assert started == [True]
    assert series(registry, names.REQUESTS_TOTAL) == []


# 9. excluded paths are configurable


async def test_health_and_metrics_are_excluded_by_default() -> None:
    app, registry = make_app(Route("/healthz", ok), Route("/work", ok))
    await call(app, "/healthz")
    await call(app, "/metrics")
    await call(app, "/work")
    assert {s["path"] for s in series(registry, names.REQUESTS_TOTAL)} == {"/work"}


async def test_excluded_paths_can_be_replaced() -> None:
    app, registry = make_app(
        Route("/healthz", ok), Route("/internal", ok), excluded_paths=["/internal"]
    )
    await call(app, "/healthz")
    await call(app, "/internal")
    assert {s["path"] for s in series(registry, names.REQUESTS_TOTAL)} == {"/healthz"}


# 10. an error inside zwobs is logged once and never fails the request


async def test_broken_label_callback_is_logged_once_and_request_succeeds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(scope: Any, template: str) -> str:
        raise KeyError("bug in the user's callback")

    app, registry = make_app(Route("/a", ok), path_label=broken)
    with caplog.at_level(logging.ERROR, logger="zwobs.metrics"):
        for _ in range(3):
            result = await call(app, "/a")
            assert result.status == 200
            assert result.body == b"ok"
    reports = [r for r in caplog.records if "path_label" in r.getMessage()]
    assert len(reports) == 1
    assert requests(registry, method="GET", path="/a", status="200") == 3


# 11. cardinality stays bounded


async def test_cardinality_stays_bounded_under_random_urls_and_methods() -> None:
    app, registry = make_app(
        Route("/users/{user_id}", ok), Mount("/api", routes=[Route("/items", ok)])
    )
    rng = random.Random(7)
    methods = ["".join(rng.choices(string.ascii_uppercase, k=6)) for _ in range(1000)]
    known = sorted(names.KNOWN_METHODS)
    for n in range(100_000):
        path = "/" + "".join(rng.choices(string.ascii_lowercase + "/", k=12))
        if n % 10 == 0:
            path = f"/users/{n}"
        method = methods[n % 1000] if n % 3 == 0 else known[n % len(known)]
        await call(app, path, method=method)
    labelsets = series(registry, names.REQUESTS_TOTAL)
    paths = {s["path"] for s in labelsets}
    statuses = {s["status"] for s in labelsets}
    assert paths <= {"/users/{user_id}", "/api/items", names.UNMATCHED_PATH}
    routes_plus_sentinel, methods_plus_other = 3, len(names.KNOWN_METHODS) + 1
    assert len(labelsets) <= routes_plus_sentinel * methods_plus_other * len(statuses)
    assert len(series(registry, names.REQUEST_DURATION + "_count")) <= (
        routes_plus_sentinel * methods_plus_other
    )


# instrument() itself


def test_instrument_twice_does_not_double_count() -> None:
    registry = CollectorRegistry()
    app = Starlette(routes=[Route("/a", ok)])
    zwobs.instrument(app, service=SERVICE, registry=registry, tracing=False)
    zwobs.instrument(app, service=SERVICE, registry=registry, tracing=False)
    TestClient(app).get("/a")
    assert requests(registry, method="GET", path="/a", status="200") == 1


def test_several_apps_share_one_registry_by_service_label() -> None:
    registry = CollectorRegistry()
    first, second = (Starlette(routes=[Route("/a", ok)]) for _ in range(2))
    zwobs.instrument(first, service="one", registry=registry, tracing=False)
    zwobs.instrument(second, service="two", registry=registry, tracing=False)
    TestClient(first).get("/a")
    TestClient(second).get("/a")
    assert (
        sample(registry, names.REQUESTS_TOTAL, service="one", method="GET", path="/a", status="200")
        == 1
    )
    assert (
        sample(registry, names.REQUESTS_TOTAL, service="two", method="GET", path="/a", status="200")
        == 1
    )


def test_service_version_and_commit_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ZWOBS_SERVICE", "from-env")
    monkeypatch.setenv("ZWOBS_VERSION", "1.2.3")
    monkeypatch.setenv("ZWOBS_COMMIT", "abc123")
    registry = CollectorRegistry()
    app = Starlette(routes=[Route("/a", ok)])
    zwobs.instrument(app, registry=registry, tracing=False)
    TestClient(app).get("/a")
    assert (
        sample(registry, names.BUILD_INFO, service="from-env", version="1.2.3", commit="abc123")
        == 1
    )
    assert (
        sample(
            registry,
            names.REQUESTS_TOTAL,
            service="from-env",
            method="GET",
            path="/a",
            status="200",
        )
        == 1
    )


def test_otel_service_name_is_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZWOBS_SERVICE", raising=False)
    monkeypatch.setenv("OTEL_SERVICE_NAME", "otel-named")
    registry = CollectorRegistry()
    app = Starlette(routes=[Route("/a", ok)])
    zwobs.instrument(app, registry=registry, tracing=False)
    TestClient(app).get("/a")
    assert requests_for(registry, "otel-named") == 1


def requests_for(registry: CollectorRegistry, service: str) -> float:
    return sample(
        registry, names.REQUESTS_TOTAL, service=service, method="GET", path="/a", status="200"
    )


def test_missing_service_name_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZWOBS_SERVICE", raising=False)
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    with pytest.raises(ValueError, match="ZWOBS_SERVICE"):
        zwobs.instrument(Starlette(), registry=CollectorRegistry())


def test_json_route_under_fastapi_counts_status_as_number_string() -> None:
    registry = CollectorRegistry()
    app = FastAPI()

    @app.get("/teapot")
    def teapot() -> JSONResponse:
        return JSONResponse({}, status_code=418)

    zwobs.instrument(app, service=SERVICE, registry=registry, tracing=False)
    TestClient(app).get("/teapot")
    assert requests(registry, method="GET", path="/teapot", status="418") == 1


async def test_the_last_response_message_leaves_no_request_context_to_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """uvicorn arms its keep-alive timer while sending it, with a copy of the context."""
    monkeypatch.setattr(context.READERS, "subscribed", True)
    seen: dict[str, Any] = {}

    def after_response() -> None:
        seen["background"] = current_scope()

    async def handler(request: Request) -> Response:
        seen["handler"] = current_scope()
        return PlainTextResponse("ok", background=BackgroundTask(after_response))

    registry = CollectorRegistry()
    app = Starlette(routes=[Route("/a", handler)])
    zwobs.instrument(app, service=SERVICE, registry=registry, tracing=True)
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/a",
        "root_path": "",
        "headers": [
            (b"traceparent", b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        ],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            seen["server timer"] = contextvars.copy_context()

    await app(scope, receive, send)
    assert seen["handler"] is not None and seen["background"] is seen["handler"]
    timer_context = seen["server timer"]
    assert timer_context.run(current_scope) is None
    assert not timer_context.run(trace.get_current_span).get_span_context().is_valid
    assert requests(registry, method="GET", path="/a", status="200") == 1


async def test_the_request_scope_is_published_only_once_a_reader_subscribed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Four context variable updates per request are paid only when something reads them."""
    seen: list[Any] = []

    async def handler(request: Request) -> Response:
        seen.append(current_scope())
        return PlainTextResponse("ok")

    app, registry = make_app(Route("/a", handler))
    monkeypatch.setattr(context.READERS, "subscribed", False)
    await call(app, "/a")  # the handler's read subscribes, too late for its own request
    await call(app, "/a")
    assert seen[0] is None
    assert seen[1] is not None and seen[1]["path"] == "/a"
    assert current_scope() is None  # reset after the request
    assert requests(registry, method="GET", path="/a", status="200") == 2


async def test_an_app_that_ends_its_response_twice_is_counted_once() -> None:
    """A careless app (or one whose server tolerates it) must not inflate the counts."""

    class Twice:  # an ASGI app, not a request handler
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
            await send({"type": "http.response.body", "body": b"again"})

    app, registry = make_app(Route("/twice", Twice()))
    result = await call(app, "/twice")
    assert result.status == 200
    assert requests(registry, method="GET", path="/twice", status="200") == 1
    labels = {"service": SERVICE, "method": "GET", "path": "/twice"}
    assert sample(registry, names.RESPONSE_SIZE + "_count", **labels) == 1
    assert sample(registry, names.RESPONSE_SIZE + "_sum", **labels) == 2


# Property: whatever method, path and status arrive, the labels stay within the app's
# route templates plus the two sentinels (issue 13).

_TEMPLATES = {
    "/users/{user_id}",
    "/v2/orders/{order_id}",
    "/api/v1/items/{item_id}",
    "/tenants/{tenant}/files/{name}",
    "/static/{path}",
}
_ALL_METHODS = sorted(names.KNOWN_METHODS)


async def _answer_as_asked(request: Request) -> Response:
    return Response(status_code=int(request.headers["x-status"]))


async def _opaque(scope: Any, receive: Any, send: Any) -> None:
    response = await _answer_as_asked(Request(scope, receive))
    await response(scope, receive, send)


def _labelled_app() -> tuple[FastAPI, CollectorRegistry]:
    registry = CollectorRegistry()
    app = FastAPI()
    app.add_route("/users/{user_id}", _answer_as_asked, methods=_ALL_METHODS)
    orders = APIRouter(prefix="/orders")
    orders.add_api_route(
        "/{order_id}", _answer_as_asked, methods=_ALL_METHODS, include_in_schema=False
    )
    app.include_router(orders, prefix="/v2")
    items = Route("/items/{item_id:int}", _answer_as_asked, methods=_ALL_METHODS)
    app.mount("/api", Starlette(routes=[Mount("/v1", routes=[items])]))
    files = Route("/files/{name}", _answer_as_asked, methods=_ALL_METHODS)
    app.mount("/tenants/{tenant}", Starlette(routes=[files]))
    app.mount("/static", _opaque)
    zwobs.instrument(app, service=SERVICE, registry=registry, tracing=False)
    return app, registry


_SEGMENT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
_PATHS = st.one_of(
    _SEGMENT.map(lambda text: "/" + text),
    st.tuples(
        st.sampled_from(
            ["/users/", "/v2/orders/", "/api/v1/items/", "/tenants/", "/static/", "/api/", "/"]
        ),
        _SEGMENT,
        st.sampled_from(["", "/", "/files/x", "/files/", "/{name}", "/x/y"]),
    ).map("".join),
    st.integers(-5, 10**6).map(lambda n: f"/api/v1/items/{n}"),
)
_METHODS = st.one_of(st.sampled_from(_ALL_METHODS), st.text(min_size=1, max_size=10))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_method_path_and_status_keep_labels_within_templates_and_sentinels(
    data: st.DataObject,
) -> None:
    app, registry = _LABELLED
    method = data.draw(_METHODS, label="method")
    path = data.draw(_PATHS, label="path")
    status = data.draw(st.integers(100, 999), label="status")
    asyncio.run(call(app, path, method=method, headers=[(b"x-status", str(status).encode())]))
    for labels in series(registry, names.REQUESTS_TOTAL):
        assert labels["path"] in _TEMPLATES | {names.UNMATCHED_PATH}, labels
        assert labels["method"] in names.KNOWN_METHODS | {names.OTHER_METHOD}, labels
    for labels in series(registry, names.REQUEST_DURATION + "_count"):
        assert labels["path"] in _TEMPLATES | {names.UNMATCHED_PATH}, labels


_LABELLED = _labelled_app()
