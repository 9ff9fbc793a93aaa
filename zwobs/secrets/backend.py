"""What the client needs from a secret store; Vault (hvac) and the file/env provider have it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from zwobs.secrets.errors import SecretConfigError
from zwobs.secrets.value import SecretData

__all__ = ["Backend", "LeaseGrant", "normalize_path"]


@dataclass(frozen=True)
class LeaseGrant:
    """A dynamic secret: its data and lease (duration 0 = no expiry)."""

    data: SecretData
    lease_id: str
    duration: float
    renewable: bool


class Backend(Protocol):
    """A secret store. Errors are zwobs.secrets errors, never the store's own exceptions."""

    kind: str
    describe: str
    default_ttl: float | None
    """TTL the store suggests for cached KV values (None: the configured TTL)."""

    def read_kv(
        self, path: str, version: int | None, *, attempts: int | None = None
    ) -> SecretData: ...

    def write_kv(self, path: str, data: Mapping[str, Any], cas: int | None) -> int: ...

    def issue(
        self, path: str, params: Mapping[str, Any] | None, *, attempts: int | None = None
    ) -> LeaseGrant: ...

    def renew(self, lease_id: str, increment: float) -> tuple[float, bool]:
        """Renew a lease; returns (granted seconds, renewable)."""
        ...

    def maintain(self, now: float) -> float | None:
        """Renew or replace the token when due; returns when to come back (monotonic) or None."""
        ...

    def token_expires_at(self) -> float | None: ...

    def revoke(self, lease_id: str) -> None:
        """End a lease now (its credentials stop working); a store without leases does nothing."""
        ...

    def observe(self, callback: Callable[[str], None]) -> None:
        """Have ``callback(result)`` called for each login or token renewal (metrics)."""
        ...

    def after_fork(self) -> None:
        """In a forked child: own locks and connections (the parent's are not ours)."""
        ...

    def close(self) -> None: ...


def normalize_path(path: str) -> str:
    """``/db/`` and ``db`` are one path; ``..`` and empty paths are errors, never guessed."""
    if not isinstance(path, str):
        raise SecretConfigError(f"secret path: expected a string, got {type(path).__name__}")
    parts = [p for p in path.strip().split("/") if p]
    if not parts:
        raise SecretConfigError("secret path: expected a path like 'app/db', got an empty one")
    if any(p in {".", ".."} for p in parts):
        raise SecretConfigError(f"secret path {path!r}: '.' and '..' segments are not allowed")
    return "/".join(parts)
