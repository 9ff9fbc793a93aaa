"""The demo service's secrets through zwobs.secrets: one call, the store chosen by configuration.

Without VAULT_ADDR the values come from examples/secrets.yaml (or ZWOBS_SECRET_DB__PASSWORD);
with VAULT_ADDR + VAULT_TOKEN (or AppRole/Kubernetes variables) from Vault/OpenBao KV v2.
"""

from __future__ import annotations

from pathlib import Path

from zwobs import secrets

__all__ = ["DEFAULT_FILE", "adb_password", "db_password", "describe_store"]

DEFAULT_FILE = Path(__file__).with_name("secrets.yaml")
secrets.configure(file=DEFAULT_FILE)


def db_password() -> secrets.SecretValue:
    """The database password (``db/password``); call ``.reveal()`` only where it is used."""
    return secrets.get("db", "password")


async def adb_password() -> secrets.SecretValue:
    """``db_password`` for async handlers: never blocks the event loop."""
    return await secrets.aget("db", "password")


def describe_store() -> str:
    """Where the secrets come from, safe to log or show (no value)."""
    return secrets.client().backend.describe
