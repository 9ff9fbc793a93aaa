"""Client settings: explicit arguments or the standard Vault environment (VAULT_ADDR, ...)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from zwobs.env import EnvError, env_bool, env_seconds
from zwobs.lifecycle.schedule import Backoff
from zwobs.secrets.auth import AppRoleAuth, Auth, KubernetesAuth, TokenAuth
from zwobs.secrets.errors import SecretConfigError
from zwobs.secrets.value import SecretValue

__all__ = ["DEFAULT_MAX_STALENESS", "DEFAULT_TTL", "RetryPolicy", "SecretsConfig"]

DEFAULT_TTL = 60.0
"""Seconds a KV value is served from memory before it is re-read (Vault KV v2 has no lease)."""
DEFAULT_MAX_STALENESS = 300.0
"""Seconds a value may be served past its TTL while the store is unreachable."""


@dataclass(frozen=True)
class RetryPolicy:
    """Jittered exponential backoff ("full jitter") for connection errors, 5xx, 412 and 429."""

    attempts: int = 4
    base: float = 0.1
    cap: float = 2.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base <= 0 or self.cap < self.base:
            raise SecretConfigError(
                f"retry policy: expected attempts >= 1 and 0 < base <= cap, got {self}"
            )

    @property
    def backoff(self) -> Backoff:
        """The shared schedule (zwobs.lifecycle) with this policy's base and cap."""
        return Backoff(self.base, self.cap)


@dataclass(frozen=True)
class SecretsConfig:
    """Where the store is and how zwobs talks to it; ``addr=None`` selects the file/env provider."""

    addr: str | None = None
    auth: Auth | None = None
    namespace: str | None = None
    kv_mount: str = "secret"
    verify: bool | str = True
    client_cert: tuple[str, str] | None = None
    timeout: float = 5.0
    ttl: float = DEFAULT_TTL
    max_staleness: float = DEFAULT_MAX_STALENESS
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    file: Path | None = None
    env_prefix: str = "ZWOBS_SECRET_"

    def __post_init__(self) -> None:
        if self.ttl <= 0:
            raise SecretConfigError(f"ttl: expected seconds > 0, got {self.ttl}")
        if self.max_staleness < 0:
            raise SecretConfigError(
                f"max_staleness: expected seconds >= 0, got {self.max_staleness}"
            )
        if self.timeout <= 0:
            raise SecretConfigError(f"timeout: expected seconds > 0, got {self.timeout}")
        if self.addr is not None and not self.addr.startswith(("http://", "https://")):
            raise SecretConfigError(
                f"VAULT_ADDR: expected an http:// or https:// URL, got {self.addr!r}"
            )

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, file: Path | None = None
    ) -> SecretsConfig:
        """Read the standard Vault variables plus ZWOBS_* for what Vault has no variable for.

        ``file`` is the embedded default used when ZWOBS_SECRETS_FILE is unset. Booleans and
        seconds follow zwobs.env's one rule (``30s``, ``5m`` or a number; ``true``/``false``).
        """
        try:
            return cls._from_env(env, file)
        except EnvError as exc:
            raise SecretConfigError(str(exc)) from None

    @classmethod
    def _from_env(cls, env: Mapping[str, str] | None, file: Path | None) -> SecretsConfig:
        e = os.environ if env is None else env
        addr = e.get("VAULT_ADDR") or None
        verify: bool | str = True
        if env_bool("VAULT_SKIP_VERIFY", False, e):
            verify = False
        elif e.get("VAULT_CACERT"):
            verify = e["VAULT_CACERT"]
        elif e.get("VAULT_CAPATH"):
            verify = e["VAULT_CAPATH"]
        cert = None
        if e.get("VAULT_CLIENT_CERT") or e.get("VAULT_CLIENT_KEY"):
            if not (e.get("VAULT_CLIENT_CERT") and e.get("VAULT_CLIENT_KEY")):
                raise SecretConfigError(
                    "VAULT_CLIENT_CERT and VAULT_CLIENT_KEY must be set together"
                )
            cert = (e["VAULT_CLIENT_CERT"], e["VAULT_CLIENT_KEY"])
        env_file = e.get("ZWOBS_SECRETS_FILE")
        return cls(
            addr=addr,
            auth=_auth_from_env(e) if addr else None,
            namespace=e.get("VAULT_NAMESPACE") or None,
            kv_mount=e.get("ZWOBS_SECRETS_KV_MOUNT") or "secret",
            verify=verify,
            client_cert=cert,
            timeout=env_seconds("VAULT_CLIENT_TIMEOUT", 5.0, e),
            ttl=env_seconds("ZWOBS_SECRETS_TTL", DEFAULT_TTL, e),
            max_staleness=env_seconds(
                "ZWOBS_SECRETS_MAX_STALENESS", DEFAULT_MAX_STALENESS, e, allow_zero=True
            ),
            retry=RetryPolicy(attempts=_count(e, "ZWOBS_SECRETS_RETRIES", 4)),
            file=Path(env_file) if env_file else file,
        )


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SecretConfigError(f"{name}={raw!r}: expected a whole number >= 1")
    return int(raw)


def _auth_from_env(env: Mapping[str, str]) -> Auth:
    method = (env.get("ZWOBS_VAULT_AUTH") or "").strip().lower()
    if not method:
        if env.get("VAULT_TOKEN"):
            method = "token"
        elif env.get("ZWOBS_VAULT_ROLE_ID"):
            method = "approle"
        elif env.get("ZWOBS_VAULT_K8S_ROLE"):
            method = "kubernetes"
        else:
            raise SecretConfigError(
                "VAULT_ADDR is set but no auth is configured: set VAULT_TOKEN, "
                "ZWOBS_VAULT_ROLE_ID (+ ZWOBS_VAULT_SECRET_ID or ZWOBS_VAULT_SECRET_ID_FILE) "
                "or ZWOBS_VAULT_K8S_ROLE"
            )
    mount = env.get("ZWOBS_VAULT_AUTH_MOUNT") or None
    if method == "token":
        if not env.get("VAULT_TOKEN"):
            raise SecretConfigError("ZWOBS_VAULT_AUTH=token: VAULT_TOKEN is not set")
        return TokenAuth(SecretValue(env["VAULT_TOKEN"]))
    if method == "approle":
        role_id = env.get("ZWOBS_VAULT_ROLE_ID")
        if not role_id:
            raise SecretConfigError("ZWOBS_VAULT_AUTH=approle: ZWOBS_VAULT_ROLE_ID is not set")
        secret_id = env.get("ZWOBS_VAULT_SECRET_ID")
        secret_file = env.get("ZWOBS_VAULT_SECRET_ID_FILE")
        return AppRoleAuth(
            role_id,
            secret_id=SecretValue(secret_id) if secret_id else None,
            secret_id_file=Path(secret_file) if secret_file else None,
            mount=mount or "approle",
        )
    if method == "kubernetes":
        role = env.get("ZWOBS_VAULT_K8S_ROLE")
        if not role:
            raise SecretConfigError("ZWOBS_VAULT_AUTH=kubernetes: ZWOBS_VAULT_K8S_ROLE is not set")
        jwt_file = env.get("ZWOBS_VAULT_K8S_JWT_FILE")
        return KubernetesAuth(
            role,
            jwt_file=Path(jwt_file) if jwt_file else KubernetesAuth.DEFAULT_JWT_FILE,
            mount=mount or "kubernetes",
        )
    raise SecretConfigError(
        f"ZWOBS_VAULT_AUTH: expected token, approle or kubernetes, got {method!r}"
    )
