"""The Prometheus client's retry policy, against loopback HTTP servers.

The live Prometheus tests (tests/verify/test_verify_live.py) cover real
answers; here a standin loopback server stands in for a Prometheus that is
restarting (503) or rejects a query (400), which a healthy one cannot be made
to do on demand.
"""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.servers.process import free_port
from tests.verify.standin import Answer, StandIn, standin, vector
from zwobs.verify.client import (
    InvalidResponseError,
    PrometheusClient,
    QueryRejectedError,
    UnreachableError,
)

__all__ = ["standin"]  # the fixture


def _client(server: StandIn, sleeps: list[float], retries: int = 3) -> PrometheusClient:
    return PrometheusClient(server.url, retries=retries, sleep=sleeps.append)


def test_vector_values_are_parsed_from_strings(standin: StandIn) -> None:
    samples = _client(standin, []).query("up")
    assert [(s.labels, s.value) for s in samples] == [({"a": "b"}, 0.25)]
    assert standin.queries == ["query=up"]


def test_transient_503_is_retried_with_exponential_backoff(standin: StandIn) -> None:
    standin.script += [Answer(503, {"status": "error", "error": "starting"})] * 2
    sleeps: list[float] = []
    samples = _client(standin, sleeps).query("up")
    assert samples[0].value == 0.25
    assert sleeps == [0.5, 1.0]


def test_rejected_query_is_not_retried(standin: StandIn) -> None:
    standin.script.append(
        Answer(400, {"status": "error", "errorType": "bad_data", "error": "parse error"})
    )
    sleeps: list[float] = []
    with pytest.raises(QueryRejectedError, match="HTTP 400: parse error"):
        _client(standin, sleeps).query("sum(")
    assert sleeps == []


def test_persistent_errors_give_up_after_the_retries(standin: StandIn) -> None:
    standin.script += [Answer(503, {"status": "error", "error": "overloaded"})] * 5
    sleeps: list[float] = []
    with pytest.raises(UnreachableError, match="after 3 attempts: HTTP 503: overloaded"):
        _client(standin, sleeps, retries=2).query("up")
    assert len(sleeps) == 2


def test_nothing_listening_is_unreachable_after_retries() -> None:
    sleeps: list[float] = []
    client = PrometheusClient(f"http://127.0.0.1:{free_port()}", retries=2, sleep=sleeps.append)
    with pytest.raises(UnreachableError, match="unreachable after 3 attempts"):
        client.query("up")
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize("url", ["localhost:9090", "ftp://x", "http://"])
def test_url_without_http_scheme_and_host_is_rejected(url: str) -> None:
    with pytest.raises(ValueError, match="expected http"):
        PrometheusClient(url)


def test_bearer_token_is_sent_and_never_shown_in_repr(standin: StandIn) -> None:
    client = PrometheusClient(standin.url, bearer_token="s3cr3t-token")
    client.query("up")
    assert standin.authorizations == ["Bearer s3cr3t-token"]
    assert "s3cr3t" not in repr(client)


_HTML = b"<!doctype html><html><head><title>Sign in</title></head><body>...</body></html>"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(body=_HTML, content_type="text/html"), "HTTP 200 text/html is not JSON"),
        (Answer(body=b'{"status":"success","data":{"resultT'), "is truncated JSON"),
        (Answer(body={"status": "error", "error": "x"}), "not a Prometheus success"),
        (Answer(body={"status": "success", "data": []}), "data: expected an object"),
        (
            Answer(body={"status": "success", "data": {"resultType": "matrix", "result": []}}),
            "data.resultType: expected vector or scalar, got 'matrix'",
        ),
        (
            Answer(body={"status": "success", "data": {"resultType": "vector", "result": {}}}),
            "data.result: expected a list",
        ),
        (
            Answer(
                body={
                    "status": "success",
                    "data": {"resultType": "vector", "result": [{"metric": {}, "value": []}]},
                }
            ),
            'data.result[0].value: expected [time, "number"], got []',
        ),
        (Answer(body=vector("zero")), 'data.result[0].value: expected [time, "number"]'),
        (
            Answer(body={"status": "success", "data": {"resultType": "vector", "result": ["x"]}}),
            "data.result[0]: expected {metric:",
        ),
        (Answer(404, _HTML, "text/html"), "HTTP 404, not a Prometheus API answer"),
    ],
)
def test_an_answer_that_is_not_the_prometheus_api_is_invalid_and_says_why(
    standin: StandIn, answer: Answer, message: str
) -> None:
    standin.script.append(answer)
    with pytest.raises(InvalidResponseError) as raised:
        _client(standin, [], retries=0).query("up")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_garbled_answer_is_retried_like_any_transient_trouble(standin: StandIn) -> None:
    standin.script.append(Answer(body=b"{", content_type="application/json"))
    sleeps: list[float] = []
    assert _client(standin, sleeps).query("up")[0].value == 0.25
    assert sleeps == [0.5]


def test_a_connection_cut_mid_answer_is_unreachable_not_a_traceback(standin: StandIn) -> None:
    standin.script += [Answer(body=b'{"status":', declared_length=500)] * 2
    with pytest.raises(UnreachableError, match="after 2 attempts: answer cut after 10 of 500"):
        _client(standin, [], retries=1).query("up")


def test_an_unauthorised_answer_is_a_rejected_request(standin: StandIn) -> None:
    standin.script.append(Answer(401, _HTML, "text/html"))
    with pytest.raises(QueryRejectedError, match="HTTP 401: not authorised"):
        _client(standin, []).query("up")


def test_control_characters_in_an_answer_are_escaped_in_the_message(standin: StandIn) -> None:
    standin.script.append(Answer(body=b"line one\nFAKE: PASS\x1b[2J", content_type="text/plain"))
    with pytest.raises(InvalidResponseError) as raised:
        _client(standin, [], retries=0).query("up")
    assert "line one\\nFAKE: PASS\\x1b[2J" in str(raised.value)


def test_a_deeply_nested_answer_is_invalid_not_a_recursion_traceback(standin: StandIn) -> None:
    standin.script.append(Answer(body=b"[" * 200_000 + b"]" * 200_000))
    with pytest.raises(InvalidResponseError, match=r"is not JSON|truncated JSON"):
        _client(standin, [], retries=0).query("up")


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
_shaped = st.fixed_dictionaries(
    {
        "status": st.sampled_from(["success", "error"]) | _json,
        "data": st.fixed_dictionaries(
            {"resultType": st.sampled_from(["vector", "scalar", "matrix"]) | _json, "result": _json}
        )
        | _json,
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.one_of(_shaped, _json, st.binary(max_size=40)))
def test_any_answer_gives_samples_or_says_why_not_never_another_error(body: object) -> None:
    server = StandIn()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        server.script.append(Answer(body=body))
        try:
            samples = _client(server, [], retries=0).query("up")
        except (InvalidResponseError, UnreachableError) as error:
            assert "\n" not in str(error)
        else:
            assert all(isinstance(s.value, float) for s in samples)
            assert all(isinstance(v, str) for s in samples for v in s.labels.values())
    finally:
        server.shutdown()
        server.server_close()


def test_credentials_in_the_url_are_refused_without_being_echoed() -> None:
    with pytest.raises(ValueError, match="credentials in the Prometheus URL") as raised:
        PrometheusClient("http://admin:hunter2@127.0.0.1:9090")
    assert "hunter2" not in str(raised.value)
