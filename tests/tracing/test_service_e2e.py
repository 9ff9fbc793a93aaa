"""A separate uvicorn process set up like a service: configure() + setup_logging() + instrument().

Its spans go over OTLP/HTTP to conftest's receiver, its JSON log lines to a
file; both must carry the trace id of the request that came in.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from http.server import HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers.process import ServerProcess, free_port, wait_until

_ROOT = Path(__file__).resolve().parents[2]
TRACE_ID = "5bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "10f067aa0ba902b7"


@pytest.fixture
def service(otlp_receiver: HTTPServer, tmp_path: Path) -> Iterator[tuple[str, ServerProcess]]:
    port = free_port()
    process = ServerProcess(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "tests.tracing.served:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        log=tmp_path / "service.log",
        cwd=_ROOT,
        env={
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{otlp_receiver.server_address[1]}",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_SERVICE_NAME": "",
            "PYTHONUNBUFFERED": "1",
        },
    )
    url = f"http://127.0.0.1:{port}"
    try:
        process.wait_ready(lambda: httpx.get(f"{url}/metrics").status_code == 200, timeout=60)
        yield url, process
    finally:
        process.stop()


def _spans(receiver: HTTPServer) -> list[tuple[dict[str, str], Any]]:
    found = []
    for _, request in list(receiver.received):  # type: ignore[attr-defined]
        for resource_spans in request.resource_spans:
            resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                found.extend((resource, span) for span in scope_spans.spans)
    return found


def test_service_process_exports_spans_and_logs_with_the_incoming_trace_id(
    otlp_receiver: HTTPServer, service: tuple[str, ServerProcess]
) -> None:
    url, process = service
    answer = httpx.get(
        f"{url}/v1/users/5", headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"}
    )
    assert answer.status_code == 200

    def exported() -> bool:
        return any(span.name == "GET /v1/users/{user_id}" for _, span in _spans(otlp_receiver))

    wait_until(exported, timeout=20, what="the request's span at the OTLP receiver")
    ((resource, span),) = [(r, s) for r, s in _spans(otlp_receiver) if s.name.startswith("GET /v1")]
    assert resource["service.name"] == "user-service"
    assert span.trace_id.hex() == TRACE_ID
    assert span.parent_span_id.hex() == PARENT_ID
    attributes = {a.key: a.value for a in span.attributes}
    assert attributes["http.route"].string_value == "/v1/users/{user_id}"
    assert attributes["http.response.status_code"].int_value == 200

    def logged() -> list[dict[str, Any]]:
        lines = process.log_path.read_text().splitlines()
        records = [json.loads(line) for line in lines if line.startswith("{")]
        return [r for r in records if r.get("message") == "looked up user 5"]

    wait_until(lambda: bool(logged()), timeout=10, what="the handler's log line")
    (record,) = logged()
    assert record["trace.id"] == TRACE_ID
    assert record["span.id"] == span.span_id.hex()
    assert record["service.name"] == "user-service"
    assert record["log.logger"] == "tests.tracing.handler"
