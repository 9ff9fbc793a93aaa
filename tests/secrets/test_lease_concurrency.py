"""Concurrent first callers of ``lease()`` share one lease: no orphaned credentials."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from typing import Any

from prometheus_client import CollectorRegistry

from tests.secrets.fakes import FakeStore
from zwobs.secrets import SecretsClient, SecretsConfig
from zwobs.secrets.lease import LeaseGrant


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
