"""A dynamic secret (database credentials, certificates) that zwobs keeps valid.

The client renews the lease at ~2/3 of its duration; when renewal is impossible
or capped by the max TTL it issues new credentials and swaps them in, so code
that reads ``lease["password"]`` at the point of use always gets current ones.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from zwobs.lifecycle.schedule import Renewal
from zwobs.secrets.backend import LeaseGrant
from zwobs.secrets.errors import SecretNotFoundError, SecretUnavailableError
from zwobs.secrets.value import SecretData, SecretValue

__all__ = ["Lease"]

_log = logging.getLogger("zwobs.secrets")


class Lease(Mapping[str, SecretValue]):
    """Current credentials of one dynamic secret; ``generation`` counts re-issues."""

    def __init__(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        grant: LeaseGrant,
        now: float,
        clock: Callable[[], float],
    ) -> None:
        self.path = path
        self.params = dict(params or {})
        self._clock = clock
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[Lease], None]] = []
        self.generation = 0
        self.renewal = Renewal()
        """When to renew and when the credentials expire (shared rule: zwobs.lifecycle)."""
        self.apply(grant, now)

    def apply(self, grant: LeaseGrant, now: float) -> None:
        """Take a new grant (first issue or re-issue) and tell the on_rotate callbacks."""
        with self._lock:
            self._data = grant.data
            self.lease_id = grant.lease_id
            self.renewable = grant.renewable
            self.duration = grant.duration
            self.renewal.start(grant.duration, now)
            self.generation += 1
            callbacks = list(self._callbacks) if self.generation > 1 else []
        for callback in callbacks:
            try:
                callback(self)
            except Exception:
                _log.exception("on_rotate callback for lease %s failed", self.path)

    def renewed(self, granted: float, renewable: bool, now: float) -> None:
        """Record a renewal; a grant capped below the request means the max TTL is near."""
        with self._lock:
            self.renewable = renewable
            self.renewal.renewed(granted, now)

    @property
    def expires_at(self) -> float | None:
        return self.renewal.expires_at

    @property
    def renew_at(self) -> float | None:
        return self.renewal.renew_at

    @property
    def final(self) -> bool:
        """True once a renewal came back capped: the next upkeep issues new credentials."""
        return self.renewal.final

    def on_rotate(self, callback: Callable[[Lease], None]) -> None:
        """Call ``callback(lease)`` after new credentials replaced the old ones."""
        with self._lock:
            self._callbacks.append(callback)

    def expires_in(self) -> float | None:
        """Seconds until the current credentials expire (None: they do not)."""
        return None if self.expires_at is None else self.expires_at - self._clock()

    @property
    def data(self) -> SecretData:
        """The current credentials; an error once they expired without replacement."""
        if self.expires_at is not None and self._clock() >= self.expires_at:
            raise SecretUnavailableError(
                f"lease {self.path}: the credentials expired and new ones could not be issued"
            )
        return self._data

    def __getitem__(self, key: str) -> SecretValue:
        data = self.data
        try:
            return data[key]
        except KeyError:
            raise SecretNotFoundError(
                f"lease {self.path} has no key {key!r} (keys: {', '.join(sorted(data))})"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        left = self.expires_in()
        expiry = "never" if left is None else f"{left:.0f}s"
        return (
            f"Lease(path={self.path!r}, keys=[{', '.join(sorted(self._data))}], "
            f"generation={self.generation}, expires_in={expiry})"
        )

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a Lease cannot be pickled (it would leave the process unredacted)")
