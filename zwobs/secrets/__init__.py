"""zwobs.secrets: Vault/OpenBao secrets with the lifecycle hvac leaves to you.

    from zwobs import secrets
    password = secrets.get("db", "password")      # SecretValue; .reveal() at the point of use
    creds = secrets.client().lease("database/creds/app")   # renewed in the background

Configured from VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE, VAULT_CACERT, ... (and
ZWOBS_VAULT_* / ZWOBS_SECRETS_* for AppRole, Kubernetes, TTL, staleness). Without
VAULT_ADDR the same API reads a YAML/JSON file (ZWOBS_SECRETS_FILE) and
ZWOBS_SECRET_<PATH>__<KEY> variables, so no server is needed for the demo or tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import overload

from zwobs.lifecycle.singleton import ProcessSingleton
from zwobs.secrets.aio import AsyncSecretsClient
from zwobs.secrets.auth import AppRoleAuth, Auth, KubernetesAuth, LoginResult, TokenAuth
from zwobs.secrets.client import SecretsClient
from zwobs.secrets.config import RetryPolicy, SecretsConfig
from zwobs.secrets.errors import (
    SecretConfigError,
    SecretError,
    SecretNotFoundError,
    SecretPermissionError,
    SecretUnavailableError,
)
from zwobs.secrets.filebackend import FileBackend, env_name
from zwobs.secrets.lease import Lease
from zwobs.secrets.value import REDACTED, SecretData, SecretValue

__all__ = [
    "REDACTED",
    "AppRoleAuth",
    "AsyncSecretsClient",
    "Auth",
    "FileBackend",
    "KubernetesAuth",
    "Lease",
    "LoginResult",
    "RetryPolicy",
    "SecretConfigError",
    "SecretData",
    "SecretError",
    "SecretNotFoundError",
    "SecretPermissionError",
    "SecretUnavailableError",
    "SecretValue",
    "SecretsClient",
    "SecretsConfig",
    "TokenAuth",
    "aget",
    "client",
    "configure",
    "env_name",
    "get",
]


_default_file: Path | None = None
_process: ProcessSingleton[SecretsClient] = ProcessSingleton(
    lambda: SecretsClient.from_env(file=_default_file)
)


def configure(*, file: Path | None = None) -> None:
    """Set the embedded default file used when neither VAULT_ADDR nor ZWOBS_SECRETS_FILE is set.

    Call it before the first read; a client already built keeps its configuration.
    """
    global _default_file  # noqa: PLW0603 - the process-wide default, read on first use
    _default_file = file


def client() -> SecretsClient:
    """The process-wide client, built from the environment on first use."""
    return _process.get()


@overload
def get(path: str, key: None = None, *, version: int | None = None) -> SecretData: ...


@overload
def get(path: str, key: str, *, version: int | None = None) -> SecretValue: ...


def get(
    path: str, key: str | None = None, *, version: int | None = None
) -> SecretData | SecretValue:
    """Read ``path`` (or its ``key``) through the process-wide client."""
    if key is None:
        return client().get(path, version=version)
    return client().get(path, key, version=version)


@overload
async def aget(path: str, key: None = None, *, version: int | None = None) -> SecretData: ...


@overload
async def aget(path: str, key: str, *, version: int | None = None) -> SecretValue: ...


async def aget(
    path: str, key: str | None = None, *, version: int | None = None
) -> SecretData | SecretValue:
    """``get`` for async code: never blocks the event loop."""
    aio = AsyncSecretsClient(client())
    if key is None:
        return await aio.get(path, version=version)
    return await aio.get(path, key, version=version)
