"""What the integration tests put into a fresh OpenBao dev server (it starts empty)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hvac

READ_ONLY_POLICY = """
path "secret/data/ro/*" { capabilities = ["read"] }
"""


def kv_put(root: hvac.Client, path: str, data: dict[str, Any]) -> int:
    response = root.secrets.kv.v2.create_or_update_secret(path, secret=data)
    return int(response["data"]["version"])


def approle(
    root: hvac.Client,
    workdir: Path,
    *,
    role: str = "app",
    policy: str = READ_ONLY_POLICY,
    token_ttl: str = "1h",
    token_max_ttl: str = "24h",
) -> tuple[str, Path]:
    """Enable AppRole (once), add a role with ``policy``; returns role_id and a secret_id file."""
    if "approle/" not in root.sys.list_auth_methods()["data"]:
        root.sys.enable_auth_method("approle")
    root.sys.create_or_update_policy(name=f"{role}-policy", policy=policy)
    root.auth.approle.create_or_update_approle(
        role,
        token_policies=[f"{role}-policy"],
        token_ttl=token_ttl,
        token_max_ttl=token_max_ttl,
    )
    role_id = root.auth.approle.read_role_id(role)["data"]["role_id"]
    secret_id = root.auth.approle.generate_secret_id(role)["data"]["secret_id"]
    file = workdir / f"{role}.secret-id"
    file.write_text(secret_id + "\n")
    return str(role_id), file


def pki(root: hvac.Client, *, ttl: str = "3s") -> None:
    """A PKI engine whose role issues short-lived certificates with (non-renewable) leases."""
    if "pki/" not in root.sys.list_mounted_secrets_engines()["data"]:
        root.sys.enable_secrets_engine("pki", config={"max_lease_ttl": "1h"})
        root.write("pki/root/generate/internal", common_name="example.com", ttl="1h")
    root.write(
        "pki/roles/web",
        allowed_domains="example.com",
        allow_subdomains=True,
        ttl=ttl,
        max_ttl=ttl,
        generate_lease=True,
    )


def approle_fixed(
    root: hvac.Client, *, role: str, role_id: str, secret_id: str, policy: str = READ_ONLY_POLICY
) -> None:
    """An AppRole with given credentials, so it can be seeded again after a restart."""
    if "approle/" not in root.sys.list_auth_methods()["data"]:
        root.sys.enable_auth_method("approle")
    root.sys.create_or_update_policy(name=f"{role}-policy", policy=policy)
    root.auth.approle.create_or_update_approle(role, token_policies=[f"{role}-policy"])
    root.auth.approle.update_role_id(role, role_id)
    root.auth.approle.create_custom_secret_id(role, secret_id)
