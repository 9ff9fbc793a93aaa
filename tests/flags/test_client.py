"""FlagsClient: Unleash semantics, defaults, never blocking, truthful status, bounded memory."""

from __future__ import annotations

import json
import socket
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from UnleashClient import UnleashClient
from UnleashClient.cache import FileCache

from tests.flags.payloads import RICH, contexts
from tests.servers.process import free_port, wait_until
from zwobs.flags import FlagsClient, FlagsConfigError, Variant


@pytest.fixture
def raw(tmp_path: Path) -> Iterator[UnleashClient]:
    """UnleashClient itself, bootstrapped with the same payload and never fetching."""
    cache = FileCache("raw", directory=str(tmp_path / "raw-cache"))
    cache.bootstrap_from_dict(RICH)
    client = UnleashClient(
        url="http://127.0.0.1:9/api",
        app_name="zwobs-test",
        cache=cache,
        disable_metrics=True,
        disable_registration=True,
    )
    client.initialize_client(fetch_toggles=False)
    yield client
    client.destroy()


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A loopback port that accepts TCP connections and never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    yield int(sock.getsockname()[1])
    sock.close()


def _names() -> list[str]:
    return [f["name"] for f in RICH["features"]]


def test_is_enabled_matches_unleash_client_for_every_flag_and_context(raw: UnleashClient) -> None:
    ours = FlagsClient(bootstrap=RICH, app_name="zwobs-test")
    for ctx in contexts(300):
        for name in _names():
            assert ours.is_enabled(name, context=ctx) is raw.is_enabled(name, ctx), (name, ctx)


def test_get_variant_matches_unleash_client_for_every_flag_and_context(
    raw: UnleashClient,
) -> None:
    ours = FlagsClient(bootstrap=RICH, app_name="zwobs-test")
    # Variants are sticky on userId; without one both pick at random, so compare with one.
    for ctx in (c for c in contexts(300) if "userId" in c):
        for name in _names():
            theirs: dict[str, Any] = raw.get_variant(name, ctx)
            mine = ours.get_variant(name, context=ctx)
            assert mine.name == theirs["name"], (name, ctx)
            assert mine.enabled == theirs["enabled"]
            assert mine.feature_enabled == theirs["feature_enabled"]
            assert mine.payload == (theirs.get("payload") or {}).get("value")


def test_rollout_is_sticky_per_user_and_close_to_its_percentage() -> None:
    client = FlagsClient(bootstrap=RICH)
    first = [client.is_enabled("rollout_user", user_id=f"user-{i}") for i in range(2000)]
    again = [client.is_enabled("rollout_user", user_id=f"user-{i}") for i in range(2000)]
    assert first == again
    assert 0.32 < sum(first) / len(first) < 0.42


def test_rollout_sticky_on_user_is_off_without_a_user_id() -> None:
    client = FlagsClient(bootstrap=RICH)
    assert not any(client.is_enabled("rollout_user") for _ in range(50))


def test_unknown_flag_answers_the_default() -> None:
    client = FlagsClient(bootstrap=RICH)
    assert client.is_enabled("nope") is False
    assert client.is_enabled("nope", True) is True
    assert client.get_variant("nope") == Variant("disabled", False)
    fallback = Variant("fallback", True, "string", "x", True)
    assert client.get_variant("nope", fallback) is fallback


def test_known_flag_ignores_the_default() -> None:
    client = FlagsClient(bootstrap=RICH)
    assert client.is_enabled("simple_off", True) is False
    assert client.is_enabled("simple_on", False) is True


def test_custom_properties_given_as_top_level_context_keys_count_as_properties() -> None:
    client = FlagsClient(bootstrap=RICH)
    ctx = {"userId": "u3", "environment": "production", "age": 30, "email": "a@example.com"}
    nested = {"userId": "u3", "environment": "production",
              "properties": {"age": "30", "email": "a@example.com"}}  # fmt: skip
    assert client.is_enabled("constrained", context=ctx) == client.is_enabled(
        "constrained", context=nested
    )


def test_explicit_arguments_win_over_the_context_mapping() -> None:
    client = FlagsClient(bootstrap=RICH)
    assert client.is_enabled("by_user_id", context={"userId": "u1"}) is True
    assert client.is_enabled("by_user_id", user_id="u2", context={"userId": "u1"}) is False
    assert client.is_enabled("by_address", remote_address="10.9.9.9") is True
    assert client.is_enabled("by_address", remote_address="11.9.9.9") is False


def test_current_time_argument_is_used_by_date_constraints() -> None:
    client = FlagsClient(bootstrap=RICH)
    assert client.is_enabled("after_date", current_time="2024-06-01T00:00:00Z") is False
    assert client.is_enabled("after_date", current_time="2025-06-01T00:00:00Z") is True


def test_environment_and_app_name_are_static_context() -> None:
    payload = {"features": [{"name": "prod_only", "enabled": True, "strategies": [
        {"name": "default", "constraints": [
            {"contextName": "environment", "operator": "IN", "values": ["production"]},
            {"contextName": "appName", "operator": "IN", "values": ["chat"]}]}]}]}  # fmt: skip
    assert FlagsClient(bootstrap=payload, app_name="chat", environment="production").is_enabled(
        "prod_only"
    )
    assert not FlagsClient(bootstrap=payload, app_name="chat").is_enabled("prod_only")


def test_typed_helpers_read_the_variant_payload_or_the_default() -> None:
    client = FlagsClient(bootstrap=RICH)
    users = [f"u{i}" for i in range(100)]
    colours = {client.get_string("variants", "none", user_id=u) for u in users}
    assert colours == {"#f00", '{"shade": 3}'}
    numbers = {client.get_int("strategy_variants", -1, user_id=u) for u in users}
    assert numbers == {10, 20, -1}
    assert {client.get_float("strategy_variants", 0.5, user_id=u) for u in users} == {
        10.0, 20.0, 0.5,
    }  # fmt: skip
    shades = [client.get_json("variants", None, user_id=u) for u in users]
    assert {"shade": 3} in shades
    assert client.get_int("variants", 7, user_id="u1") in (7,)  # "#f00"/JSON are not integers
    assert client.get_string("nope", "dflt") == "dflt"


def test_creating_a_server_backed_client_never_waits_for_a_black_holed_server(
    black_hole: int,
) -> None:
    client = FlagsClient(
        url=f"http://127.0.0.1:{black_hole}/api",
        bootstrap={"new_chat_ui": True},
        request_timeout=60,
    )
    try:
        # The first fetch is still hanging (60 s timeout) and we already have answers.
        assert client.is_enabled("new_chat_ui") is True
        status = client.status()
        assert (status.ready, status.degraded, status.source) == (False, False, "bootstrap")
        assert status.reason == "waiting for the first answer from the Unleash server"
        assert client.wait_until_ready(0.05) is False
    finally:
        client.close()


def test_black_holed_server_turns_into_a_timeout_degradation(black_hole: int) -> None:
    client = FlagsClient(
        url=f"http://127.0.0.1:{black_hole}/api", bootstrap={"a": True}, request_timeout=0.2
    )
    try:
        wait_until(lambda: client.status().degraded, timeout=10, what="timeout degradation")
        status = client.status()
        assert status.reason_code == "timeout"
        assert status.ready is False
        assert status.state_age is None
        assert client.is_enabled("a") is True
    finally:
        client.close()


def test_unreachable_server_is_a_connection_degradation() -> None:
    client = FlagsClient(url=f"http://127.0.0.1:{free_port()}/api", bootstrap={"a": "off"})
    try:
        wait_until(lambda: client.status().degraded, timeout=10, what="connection degradation")
        assert client.status().reason_code == "connection"
        assert "cannot reach the Unleash server" in (client.status().reason or "")
        assert client.is_enabled("a", True) is False
    finally:
        client.close()


def test_offline_client_is_ready_and_never_stale() -> None:
    status = FlagsClient(bootstrap={"a": True}).status()
    assert (status.mode, status.ready, status.degraded, status.state_age) == (
        "offline", True, False, 0.0,
    )  # fmt: skip
    assert status.flags == 1


def test_cache_file_seeds_the_next_start_before_the_bootstrap(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    saved = {"version": 2, "features": [{"name": "from_cache", "enabled": True}]}
    (cache / "zwobs-flags-svc.json").write_text(json.dumps(saved))
    client = FlagsClient(
        url=f"http://127.0.0.1:{free_port()}/api",
        app_name="svc",
        bootstrap={"from_bootstrap": True},
        cache_dir=cache,
        start=False,
    )
    assert client.status().source == "cache"
    assert client.is_enabled("from_cache") is True
    assert client.known("from_bootstrap") is False


def test_bad_url_is_a_clear_error() -> None:
    with pytest.raises(FlagsConfigError, match="expected http"):
        FlagsClient(url="unleash:4242/api")


def test_repr_never_shows_the_token() -> None:
    token = "*:development.s3cret"
    client = FlagsClient(url="http://127.0.0.1:9/api", api_token=token, start=False)
    assert "s3cret" not in repr(client)
    assert "s3cret" not in repr(client.status())


def test_three_hundred_thousand_unknown_names_use_almost_no_memory() -> None:
    client = FlagsClient(bootstrap=RICH)
    client.is_enabled("warm-up")
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(300_000):
            client.is_enabled(f"unknown-flag-{i}")
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 1_000_000, f"grew by {grown} bytes"


def test_refresher_survives_an_unexpected_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_fetch(*args: object, **kwargs: object) -> None:  # stand-in: a bug, not a server
        raise RuntimeError("surprise")

    monkeypatch.setattr("zwobs.flags._connection.fetch_features", broken_fetch)
    client = FlagsClient(url="http://127.0.0.1:9/api", bootstrap={"a": True}, refresh_interval=0.05)
    try:
        wait_until(lambda: client._failures_in_row >= 2, timeout=10, what="two failed rounds")
        assert client.status().reason_code == "invalid_payload"
        assert client._poller is not None and client._poller.thread is not None
        assert client._poller.thread.is_alive()
        assert client.is_enabled("a") is True
    finally:
        client.close()
