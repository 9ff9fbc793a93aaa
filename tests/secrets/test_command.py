"""``zwobs secrets check``: exit codes and output, and never a secret value in it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.secrets import seed
from tests.servers.html_stand_in import not_a_server
from tests.servers.openbao import OpenBao
from tests.servers.process import free_port

ROOT = Path(__file__).resolve().parents[2]


def _zwobs(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "ZWOBS_"))}
    return subprocess.run(
        [sys.executable, "-m", "zwobs.cli", "secrets", "check", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_with_the_file_provider_prints_keys_not_values(tmp_path: Path) -> None:
    file = tmp_path / "s.yaml"
    file.write_text("db:\n  password: file-secret-123\n  user: app\n")
    result = _zwobs("db", "--key", "password", "--file", str(file), env={})
    assert result.returncode == 0, result.stderr
    assert "keys: password, user" in result.stdout
    assert "file-secret-123" not in result.stdout + result.stderr


def test_check_missing_key_is_a_user_error(tmp_path: Path) -> None:
    file = tmp_path / "s.yaml"
    file.write_text("db:\n  password: x\n")
    result = _zwobs("db", "--key", "pass", "--file", str(file), env={})
    assert result.returncode == 2
    assert "no key 'pass' (keys: password)" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_bad_configuration_is_a_user_error_without_traceback() -> None:
    result = _zwobs("db", env={"VAULT_ADDR": "http://127.0.0.1:1"})
    assert result.returncode == 2
    assert "no auth is configured" in result.stderr and "Traceback" not in result.stderr


def test_check_unreachable_store_is_inconclusive() -> None:
    addr = f"http://127.0.0.1:{free_port()}"
    result = _zwobs("db", env={"VAULT_ADDR": addr, "VAULT_TOKEN": "t"})
    assert result.returncode == 3
    assert "unavailable" in result.stderr


@pytest.mark.integration
def test_check_against_openbao_prints_version_keys_and_token_life(openbao: OpenBao) -> None:
    seed.kv_put(openbao.root(), "cli/db", {"password": "bao-secret-456"})
    token = openbao.root().auth.token.create(ttl="1h", policies=["root"])["auth"]["client_token"]
    result = _zwobs("cli/db", env={"VAULT_ADDR": openbao.addr, "VAULT_TOKEN": token})
    assert result.returncode == 0, result.stderr
    assert f"ok: cli/db version 1 from Vault at {openbao.addr}" in result.stdout
    assert "token expires in" in result.stdout
    assert "bao-secret-456" not in result.stdout + result.stderr
    assert token not in result.stdout + result.stderr
    denied = _zwobs("cli/db", env={"VAULT_ADDR": openbao.addr, "VAULT_TOKEN": "not-a-token"})
    assert denied.returncode == 2 and "rejected" in denied.stderr


def test_check_against_an_html_answering_vault_addr_is_unavailable_without_traceback() -> None:
    with not_a_server() as addr:
        result = _zwobs("db", env={"VAULT_ADDR": addr, "VAULT_TOKEN": "t"})
    assert result.returncode == 3, result.stderr
    assert "text/html, not Vault's JSON" in result.stderr
    assert "Traceback" not in result.stderr
