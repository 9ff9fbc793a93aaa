"""Cache, stale-if-error and lease logic with a manual clock over the FakeStore (a fake).

The same behaviours run against a real OpenBao in test_vault.py and test_outage.py.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Mapping
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from tests.secrets.fakes import FakeStore, ManualClock
from zwobs import names
from zwobs.secrets import (
    SecretNotFoundError,
    SecretsClient,
    SecretsConfig,
    SecretUnavailableError,
)
from zwobs.secrets.lease import LeaseGrant


def _client(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry, **config: float
) -> SecretsClient:
    settings = {"ttl": 10.0, "max_staleness": 20.0, **config}
    return SecretsClient(
        SecretsConfig(**settings),  # type: ignore[arg-type]
        backend=store,
        registry=registry,
        clock=clock,
        background=False,
    )


def _sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    value = registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


def test_reads_inside_the_ttl_make_no_request(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    store.set("db", {"password": "v1"})
    client = _client(store, clock, registry)
    for _ in range(5):
        assert client.get("db", "password").reveal() == "v1"
        clock.advance(1.5)
    assert store.requests == 1
    assert _sample(registry, names.SECRET_CACHE_HITS) == 4
    assert _sample(registry, names.SECRET_FETCHES, kind="kv", result="ok") == 1


def test_value_is_refreshed_before_expiry_and_rotation_is_picked_up(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    store.set("db", {"password": "v1"})
    client = _client(store, clock, registry)
    assert client.get("db").version == 1
    store.set("db", {"password": "v2"})
    clock.advance(7)  # past 2/3 of the 10 s TTL: due for refresh, still fresh
    next_due = client.maintain()
    assert store.requests == 2
    assert next_due is not None
    assert clock.now + 6.0 <= next_due <= clock.now + 10 * 2 / 3  # 2/3 of the TTL, minus jitter
    data = client.get("db")
    assert (data.version, data["password"].reveal()) == (2, "v2")
    assert store.requests == 2  # the refresh happened ahead of the read


def test_stale_value_is_served_while_the_store_is_down_up_to_max_staleness(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    store.set("db", {"password": "v1"})
    client = _client(store, clock, registry)
    client.get("db")
    store.down = True
    clock.advance(15)  # 5 s past the TTL
    assert client.get("db", "password").reveal() == "v1"
    assert _sample(registry, names.SECRET_FETCHES, kind="kv", result="stale") == 1
    assert _sample(registry, names.SECRET_STALENESS) == pytest.approx(5)
    clock.advance(16)  # 21 s past the TTL, max staleness is 20 s
    with pytest.raises(SecretUnavailableError, match=r"past its 10s TTL, beyond max_staleness=20s"):
        client.get("db", "password")


def test_store_back_after_outage_serves_fresh_values_and_clears_staleness(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    store.set("db", {"password": "v1"})
    client = _client(store, clock, registry)
    client.get("db")
    store.down = True
    clock.advance(12)
    client.get("db")
    store.down = False
    store.set("db", {"password": "v2"})
    clock.advance(5)  # past the retry pause
    assert client.get("db", "password").reveal() == "v2"
    assert _sample(registry, names.SECRET_STALENESS) == 0


def test_failed_store_is_not_asked_again_on_every_read_while_serving_stale(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    store.set("db", {"password": "v1"})
    client = _client(store, clock, registry)
    client.get("db")
    store.down = True
    clock.advance(11)
    for _ in range(50):
        client.get("db")
    assert store.requests <= 3  # one failed attempt, then reads wait for the retry pause


def test_without_a_cached_value_an_outage_is_an_error_at_once(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    store.set("db", {"password": "v1"})
    store.down = True
    with pytest.raises(SecretUnavailableError):
        _client(store, clock, registry).get("db")


def test_a_version_or_path_is_never_served_for_another(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    store.set("db", {"password": "v1"})
    store.set("db", {"password": "v2"})
    store.set("cache", {"password": "other"})
    client = _client(store, clock, registry)
    assert client.get("db", "password", version=1).reveal() == "v1"
    assert client.get("db", "password").reveal() == "v2"
    assert client.get("cache", "password").reveal() == "other"
    store.down = True
    clock.advance(12)
    with pytest.raises(SecretUnavailableError):
        client.get("db", version=2)  # never read: the cached latest is not handed out for it
    with pytest.raises(SecretUnavailableError):
        client.get("db/sub")


def test_deleted_secret_is_dropped_not_served_stale(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    store.set("db", {"password": "v1"})
    client = _client(store, clock, registry)
    client.get("db")
    del store.versions["db"]
    clock.advance(11)
    with pytest.raises(SecretNotFoundError):
        client.get("db")
    assert _sample(registry, names.SECRET_FETCHES, kind="kv", result="not_found") == 1


def test_missing_key_names_the_keys_that_exist(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    store.set("db", {"password": "v1", "user": "u"})
    with pytest.raises(SecretNotFoundError, match=r"no key 'pass' \(keys: password, user\)"):
        _client(store, clock, registry).get("db", "pass")


def test_concurrent_misses_share_one_request(registry: CollectorRegistry) -> None:
    store = FakeStore()
    store.set("db", {"password": "v1"})
    gate = threading.Event()
    original = store.read_kv

    def slow_read(path: str, version: int | None, *, attempts: int | None = None):  # type: ignore[no-untyped-def]
        gate.wait(5)
        return original(path, version, attempts=attempts)

    store.read_kv = slow_read  # type: ignore[method-assign]
    client = SecretsClient(SecretsConfig(), backend=store, registry=registry, background=False)
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(client.get("db", "password").reveal()))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 5
    while client.inflight("db") is None and time.monotonic() < deadline:
        time.sleep(0.001)
    gate.set()
    for t in threads:
        t.join(5)
    assert results == ["v1"] * 8
    assert store.requests == 1


def test_lease_is_renewed_at_two_thirds_of_its_duration(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    client = _client(store, clock, registry)
    lease = client.lease("database/creds/app")
    assert lease is client.lease("database/creds/app")
    clock.advance(17)  # the renewal point is 2/3 of 30 s minus up to 10% jitter: 18-20 s
    client.maintain()
    assert store.renewals == []
    clock.advance(4)  # 21 s of 30: due
    client.maintain()
    assert store.renewals == ["database/creds/app/lease-1"]
    assert lease.expires_in() == pytest.approx(30)
    assert lease["username"].reveal() == "user-1"
    assert _sample(registry, names.SECRET_EXPIRY, kind="lease") == pytest.approx(30)


def test_lease_capped_by_max_ttl_is_replaced_with_new_credentials(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    client = _client(store, clock, registry)
    lease = client.lease("database/creds/app")
    rotated: list[int] = []
    lease.on_rotate(lambda current: rotated.append(current.generation))
    store.renew_cap = 9  # the max TTL is near: renewal grants less than asked
    clock.advance(21)
    client.maintain()
    assert lease.generation == 1 and lease.final
    clock.advance(6)  # 2/3 of the capped 9 s
    client.maintain()
    assert (lease.generation, lease["username"].reveal(), rotated) == (2, "user-2", [2])


def test_non_renewable_lease_is_reissued_before_it_expires(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    store.lease_renewable = False
    client = _client(store, clock, registry)
    lease = client.lease("pki/issue/web", {"common_name": "a.example.com"})
    clock.advance(21)
    client.maintain()
    assert store.renewals == [] and lease.generation == 2


def test_expired_lease_that_could_not_be_replaced_is_an_error_not_old_credentials(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    client = _client(store, clock, registry)
    lease = client.lease("database/creds/app")
    store.down = True
    for _ in range(40):
        clock.advance(1)
        client.maintain()
    with pytest.raises(SecretUnavailableError, match="expired"):
        lease["password"]
    assert SecretUnavailableError.__name__ not in repr(lease)


def test_staleness_and_expiry_metrics_have_bounded_labels_only(
    store: FakeStore, clock: ManualClock, registry: CollectorRegistry
) -> None:
    store.set("db", {"password": "v1"})
    client = _client(store, clock, registry)
    client.get("db")
    client.lease("database/creds/app")
    labels = {
        frozenset(sample.labels)
        for metric in registry.collect()
        for sample in metric.samples
        if metric.name.startswith("zwobs_secret")
    }
    assert labels <= {frozenset(), frozenset({"kind", "result"}), frozenset({"kind"})}


def _kv(registry: CollectorRegistry, result: str) -> float:
    return _sample(registry, names.SECRET_FETCHES, kind="kv", result=result)


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


class SlowIssueStore(FakeStore):
    """The fake store (a stand-in, named as such) whose issue() waits until both callers are in."""

    def __init__(self, callers: int) -> None:
        super().__init__()
        self.arrived = threading.Barrier(callers, timeout=2)

    def issue(
        self, path: str, params: Mapping[str, Any] | None, *, attempts: int | None = None
    ) -> LeaseGrant:
        # A second issue() in flight at once passes the barrier; with one caller issuing,
        # the barrier times out, which is the good case.
        with contextlib.suppress(threading.BrokenBarrierError):
            self.arrived.wait()
        return super().issue(path, params, attempts=attempts)


def test_concurrent_first_lease_calls_issue_one_lease() -> None:
    store = SlowIssueStore(callers=2)
    client = SecretsClient(
        SecretsConfig(), backend=store, registry=CollectorRegistry(), background=False
    )
    got: list[Any] = []
    threads = [
        threading.Thread(target=lambda: got.append(client.lease("database/creds/app")))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(got) == 2
    assert got[0] is got[1]
    assert store.issued == 1
