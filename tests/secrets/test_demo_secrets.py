"""The demo reads db/password via zwobs.secrets: the file by default, OpenBao with VAULT_ADDR."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.secrets import seed
from tests.servers.openbao import OpenBao

ROOT = Path(__file__).resolve().parents[2]
_PROBE = (
    "import asyncio; from examples import demo_secrets as d; "
    "print(d.db_password().reveal()); print(asyncio.run(d.adb_password()).reveal()); "
    "print(d.describe_store())"
)


def _run(extra_env: dict[str, str]) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "ZWOBS_"))}
    env.update(extra_env)
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_demo_reads_the_embedded_file_without_vault() -> None:
    password, again, store = _run({})
    assert password == again == "demo-only-not-a-real-password"
    assert store.startswith("file provider (") and store.endswith("examples/secrets.yaml)")


def test_demo_variable_overrides_the_embedded_file() -> None:
    assert _run({"ZWOBS_SECRET_DB__PASSWORD": "from-env"})[0] == "from-env"


@pytest.mark.integration
def test_demo_reads_openbao_when_vault_addr_is_set(openbao: OpenBao) -> None:
    seed.kv_put(openbao.root(), "db", {"password": "from-openbao"})
    password, again, store = _run({"VAULT_ADDR": openbao.addr, "VAULT_TOKEN": openbao.root_token})
    assert password == again == "from-openbao"
    assert store == f"Vault at {openbao.addr}"
