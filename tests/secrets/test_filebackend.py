from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from zwobs.secrets import (
    FileBackend,
    SecretConfigError,
    SecretError,
    SecretNotFoundError,
    SecretsClient,
    SecretsConfig,
    env_name,
)
from zwobs.secrets.value import SecretData

ROOT = Path(__file__).resolve().parents[2]


def _write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def test_file_provider_reads_keys_of_a_path(tmp_path: Path) -> None:
    file = _write(tmp_path / "s.yaml", "db:\n  password: pw1\n  user: app\n")
    data = FileBackend(file, env={}).read_kv("db", None)
    assert data.reveal() == {"password": "pw1", "user": "app"}


def test_environment_variable_overrides_the_file(tmp_path: Path) -> None:
    file = _write(tmp_path / "s.yaml", "app/db:\n  password: from-file\n")
    env = {env_name("ZWOBS_SECRET_", "app/db", "password"): "from-env"}
    assert env_name("ZWOBS_SECRET_", "app/db", "password") == "ZWOBS_SECRET_APP_DB__PASSWORD"
    assert FileBackend(file, env=env).read_kv("/app/db/", None)["password"].reveal() == "from-env"


def test_environment_alone_serves_secrets_without_a_file() -> None:
    backend = FileBackend(None, env={"ZWOBS_SECRET_DB__PASSWORD": "pw"})
    assert backend.read_kv("db", None)["password"].reveal() == "pw"


def test_missing_path_names_the_file_and_the_variables_to_set(tmp_path: Path) -> None:
    file = _write(tmp_path / "s.yaml", "db:\n  password: x\n")
    with pytest.raises(
        SecretNotFoundError,
        match=(r"'cache' not found in .*s\.yaml or in variables ZWOBS_SECRET_CACHE__\*"),
    ):
        FileBackend(file, env={}).read_kv("cache", None)


def test_file_provider_refuses_versions_instead_of_serving_the_current_one(tmp_path: Path) -> None:
    file = _write(tmp_path / "s.yaml", "db:\n  password: x\n")
    with pytest.raises(SecretNotFoundError, match="keeps one version only"):
        FileBackend(file, env={}).read_kv("db", 2)


def test_file_provider_is_read_only(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="read-only"):
        FileBackend(None, env={}).write_kv("db", {"a": "b"}, None)


def test_bad_yaml_gets_file_and_line_without_quoting_the_content(tmp_path: Path) -> None:
    file = _write(tmp_path / "s.yaml", "db:\n  password: ok\n  token: [unclosed-SECRETVALUE\n")
    with pytest.raises(SecretConfigError) as info:
        FileBackend(file, env={})
    message = str(info.value)
    assert str(file) in message and "line " in message
    assert "SECRETVALUE" not in message


def test_wrong_shape_names_the_path_and_what_was_expected(tmp_path: Path) -> None:
    file = _write(tmp_path / "s.yaml", "db: just-a-string\n")
    with pytest.raises(SecretConfigError, match=r"path 'db': expected a mapping of key -> value"):
        FileBackend(file, env={})


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(SecretConfigError, match="cannot read it"):
        FileBackend(tmp_path / "absent.yaml", env={})


def test_rotation_in_the_file_is_picked_up_after_the_ttl(tmp_path: Path) -> None:
    file = _write(tmp_path / "s.yaml", "db:\n  password: v1\n")
    now = [0.0]
    client = SecretsClient(
        SecretsConfig(file=file, ttl=1.0),
        backend=FileBackend(file, env={}),
        registry=CollectorRegistry(),
        clock=lambda: now[0],
        background=False,
    )
    assert client.get("db", "password").reveal() == "v1"
    _write(file, "db:\n  password: v2-longer\n")
    os.utime(file, ns=(1, 1))  # a distinct mtime even on coarse clocks
    assert client.get("db", "password").reveal() == "v1"  # inside the TTL: from memory
    now[0] = 1.5
    assert client.get("db", "password").reveal() == "v2-longer"


def test_file_provider_works_without_hvac_installed(tmp_path: Path) -> None:
    file = _write(tmp_path / "s.yaml", "db:\n  password: pw\n")
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["hvac"] = None  # as if the 'secrets' extra were not installed
        from zwobs import secrets
        secrets.configure(file=__import__("pathlib").Path({str(file)!r}))
        print(secrets.get("db", "password").reveal())
        try:
            env = {{"VAULT_ADDR": "http://127.0.0.1:1", "VAULT_TOKEN": "t"}}
            secrets.SecretsClient.from_env(env)
        except secrets.SecretConfigError as exc:
            print(exc)
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "ZWOBS_"))}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "pw"
    assert "hvac is not installed" in out[1] and "zwobs[secrets]" in out[1]


def test_after_fork_replaces_a_lock_held_at_fork_time(tmp_path: Path) -> None:
    file = tmp_path / "secrets.yaml"
    file.write_text("app/db:\n  password: pw\n")
    backend = FileBackend(file, env={})
    # As if the parent's upkeep thread was parsing the file when the process forked.
    assert backend._lock.acquire(timeout=1)
    backend.after_fork()
    results: list[SecretData] = []
    reader = threading.Thread(
        target=lambda: results.append(backend.read_kv("app/db", None)), daemon=True
    )
    reader.start()
    reader.join(timeout=5)
    assert not reader.is_alive(), "read_kv blocked on the lock held before the fork"
    assert results[0]["password"].reveal() == "pw"


def test_a_yaml_alias_bomb_in_the_secrets_file_is_refused_fast(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    lines.append("db: {password: *i}")
    file = _write(tmp_path / "s.yaml", "\n".join(lines) + "\n")
    assert file.stat().st_size < 600
    started = time.perf_counter()
    with pytest.raises(SecretConfigError, match=r"s\.yaml, line 1, column 1: document expands"):
        FileBackend(file, env={})
    assert time.perf_counter() - started < 5  # refused by counting, never expanded


def test_an_oversized_secrets_file_is_refused_before_parsing(tmp_path: Path) -> None:
    file = _write(tmp_path / "s.yaml", "db:\n  blob: " + "x" * (4 * 1024 * 1024) + "\n")
    with pytest.raises(SecretConfigError, match="larger than 4194304 bytes"):
        FileBackend(file, env={})
