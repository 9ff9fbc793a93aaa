"""zwobs_secret_fetches_total: one failed read is one outcome, never two."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from tests.secrets.fakes import FakeStore, ManualClock
from zwobs import names
from zwobs.secrets import SecretsClient, SecretsConfig, SecretUnavailableError


def _client(store: FakeStore, clock: ManualClock, registry: CollectorRegistry) -> SecretsClient:
    return SecretsClient(
        SecretsConfig(ttl=10.0, max_staleness=20.0),
        backend=store,
        registry=registry,
        clock=clock,
        background=False,
    )


def _kv(registry: CollectorRegistry, result: str) -> float:
    value = registry.get_sample_value(names.SECRET_FETCHES, {"kind": "kv", "result": result})
    return 0.0 if value is None else value


def test_a_failed_read_served_stale_counts_stale_only(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    store.set("db", {"password": "v1"})
    client = _client(store, clock, registry)
    assert client.get("db", "password").reveal() == "v1"
    store.down = True
    clock.advance(11)
    assert client.get("db", "password").reveal() == "v1"
    assert store.requests == 2
    assert _kv(registry, "stale") == 1
    assert _kv(registry, "error") == 0


def test_a_failed_read_past_max_staleness_counts_one_error(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    store.set("db", {"password": "v1"})
    client = _client(store, clock, registry)
    client.get("db")
    store.down = True
    clock.advance(40)
    with pytest.raises(SecretUnavailableError, match="max_staleness"):
        client.get("db")
    assert store.requests == 2
    assert _kv(registry, "error") == 1
    assert _kv(registry, "stale") == 0


def test_a_failed_first_read_counts_one_error(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    store.down = True
    client = _client(store, clock, registry)
    with pytest.raises(SecretUnavailableError):
        client.get("db")
    assert _kv(registry, "error") == 1
