"""Plain fakes named as such: a manual clock and an in-memory store standing in for Vault.

They let the cache and lease logic be pinned with controlled time; the same behaviour
is then checked against a real OpenBao server in test_vault.py and test_outage.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from zwobs.secrets.backend import LeaseGrant, normalize_path
from zwobs.secrets.errors import SecretNotFoundError, SecretUnavailableError
from zwobs.secrets.value import SecretData


class ManualClock:
    """Monotonic time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeStore:
    """A stand-in store (fake): versions per path, an outage switch, a request counter."""

    kind = "fake"
    describe = "fake store"
    default_ttl: float | None = None

    def __init__(self) -> None:
        self.versions: dict[str, list[dict[str, Any]]] = {}
        self.down = False
        self.requests = 0
        self.renewals: list[str] = []
        self.lease_duration = 30.0
        self.lease_renewable = True
        self.renew_cap: float | None = None
        self.issued = 0
        self.revoked: list[str] = []

    def set(self, path: str, data: dict[str, Any]) -> int:
        self.versions.setdefault(normalize_path(path), []).append(data)
        return len(self.versions[normalize_path(path)])

    def _check(self) -> None:
        self.requests += 1
        if self.down:
            raise SecretUnavailableError("fake store: down")

    def read_kv(self, path: str, version: int | None, *, attempts: int | None = None) -> SecretData:
        self._check()
        found = self.versions.get(path)
        if not found:
            raise SecretNotFoundError(f"read {path}: not found")
        number = version if version is not None else len(found)
        if not 1 <= number <= len(found):
            raise SecretNotFoundError(f"read {path} version {version}: not found")
        return SecretData(path, found[number - 1], number)

    def write_kv(self, path: str, data: Mapping[str, Any], cas: int | None) -> int:
        self._check()
        return self.set(path, dict(data))

    def issue(
        self, path: str, params: Mapping[str, Any] | None, *, attempts: int | None = None
    ) -> LeaseGrant:
        self._check()
        self.issued += 1
        data = SecretData(
            path, {"username": f"user-{self.issued}", "password": f"pw-{self.issued}"}
        )
        return LeaseGrant(
            data, f"{path}/lease-{self.issued}", self.lease_duration, self.lease_renewable
        )

    def renew(self, lease_id: str, increment: float) -> tuple[float, bool]:
        self._check()
        self.renewals.append(lease_id)
        granted = increment if self.renew_cap is None else min(increment, self.renew_cap)
        return granted, True

    def maintain(self, now: float) -> float | None:
        return None

    def token_expires_at(self) -> float | None:
        return None

    def revoke(self, lease_id: str) -> None:
        self.revoked.append(lease_id)

    def observe(self, callback: Callable[[str], None]) -> None:
        return None

    def after_fork(self) -> None:
        return None

    def close(self) -> None:
        return None
