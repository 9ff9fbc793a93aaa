"""zwobs.secrets against a real OpenBao dev server (Vault API): KV, AppRole, token and leases."""

from __future__ import annotations

import os
from pathlib import Path

import hvac
import pytest
from prometheus_client import CollectorRegistry

from tests.secrets import seed
from tests.servers.openbao import OpenBao, start_openbao
from tests.servers.process import wait_until
from zwobs import names
from zwobs.secrets import (
    AppRoleAuth,
    SecretConfigError,
    SecretNotFoundError,
    SecretPermissionError,
    SecretsClient,
    SecretsConfig,
    SecretValue,
    TokenAuth,
)
from zwobs.secrets.vault import VaultBackend

pytestmark = pytest.mark.integration


def _client(server: OpenBao, auth: object = None, **config: float) -> SecretsClient:
    return SecretsClient(
        SecretsConfig(
            addr=server.addr,
            auth=auth or TokenAuth(SecretValue(server.root_token)),  # type: ignore[arg-type]
            **config,  # type: ignore[arg-type]
        ),
        registry=CollectorRegistry(),
    )


def _backend(client: SecretsClient) -> VaultBackend:
    assert isinstance(client.backend, VaultBackend)
    return client.backend


def test_kv_v2_read_returns_data_and_version(openbao: OpenBao) -> None:
    seed.kv_put(openbao.root(), "kv-read/db", {"password": "pw-1", "user": "app"})
    with _client(openbao) as client:
        data = client.get("kv-read/db")
        assert data.version == 1
        assert data["password"].reveal() == "pw-1"
        assert client.get("kv-read/db", "user").reveal() == "app"


def test_rotation_written_by_the_test_is_seen_without_a_new_get(openbao: OpenBao) -> None:
    root = openbao.root()
    seed.kv_put(root, "kv-rotate/db", {"password": "v1"})
    with _client(openbao, ttl=1.0) as client:
        assert client.get("kv-rotate/db", "password").reveal() == "v1"
        seed.kv_put(root, "kv-rotate/db", {"password": "v2"})

        def refreshed_in_background() -> bool:
            cached = client.cached("kv-rotate/db")
            return cached is not None and cached.version == 2

        wait_until(refreshed_in_background, timeout=15, what="background refresh to version 2")
        assert client.get("kv-rotate/db", "password").reveal() == "v2"
        assert client.get("kv-rotate/db", "password", version=1).reveal() == "v1"


def test_write_through_the_client_is_read_back(openbao: OpenBao) -> None:
    with _client(openbao) as client:
        version = client.put("kv-write/app", {"token": "t-1"})
        assert client.get("kv-write/app", "token").reveal() == "t-1"
        assert client.put("kv-write/app", {"token": "t-2"}, cas=version) == version + 1
        assert client.get("kv-write/app").version == version + 1


def test_missing_path_is_a_clear_not_found(openbao: OpenBao) -> None:
    with _client(openbao) as client, pytest.raises(SecretNotFoundError) as info:
        client.get("does/not/exist")
    assert f"read secret/does/not/exist: not found at {openbao.addr}" in str(info.value)


def test_approle_with_read_only_policy_reads_and_a_write_is_a_clear_permission_error(
    openbao: OpenBao, tmp_path: Path
) -> None:
    root = openbao.root()
    seed.kv_put(root, "ro/db", {"password": "ro-pw"})
    role_id, secret_file = seed.approle(root, tmp_path, role="reader")
    with _client(openbao, AppRoleAuth(role_id, secret_id_file=secret_file)) as client:
        assert client.get("ro/db", "password").reveal() == "ro-pw"
        with pytest.raises(SecretPermissionError) as info:
            client.put("ro/db", {"password": "changed"})
        message = str(info.value)
        assert "write secret/ro/db: permission denied" in message
        assert "AppRole login at auth/approle" in message
        with pytest.raises(SecretPermissionError, match="permission denied"):
            client.get("kv-read/db")  # outside the policy
        assert _backend(client).logins <= 2  # one re-login attempt at most, no retry storm


def test_rejected_approle_login_surfaces_at_once_without_retries(
    openbao: OpenBao, tmp_path: Path
) -> None:
    role_id, _ = seed.approle(openbao.root(), tmp_path, role="rejected")
    bad = tmp_path / "bad-secret-id"
    bad.write_text("00000000-0000-0000-0000-000000000000")
    with _client(openbao, AppRoleAuth(role_id, secret_id_file=bad)) as client:
        with pytest.raises(SecretPermissionError) as info:
            client.get("ro/db")
        assert "AppRole login at auth/approle rejected by" in str(info.value)
        assert "HTTP 400" in str(info.value)
        registry_value = client._metrics.fetches.labels("token", "denied")._value.get()
        assert registry_value == 1  # one attempt: auth errors are never retried


def test_secret_id_file_is_reread_at_each_login(openbao: OpenBao, tmp_path: Path) -> None:
    root = openbao.root()
    seed.kv_put(root, "ro/rotating", {"k": "v"})
    role_id, secret_file = seed.approle(root, tmp_path, role="rotating")
    with _client(openbao, AppRoleAuth(role_id, secret_id_file=secret_file)) as client:
        client.get("ro/rotating")
        fresh = root.auth.approle.generate_secret_id("rotating")["data"]["secret_id"]
        root.auth.approle.destroy_secret_id("rotating", secret_file.read_text().strip())
        secret_file.write_text(fresh)
        backend = _backend(client)
        backend._logged_in = False  # force the next request to log in again
        assert client.get("ro/rotating", "k", version=1).reveal() == "v"  # not cached: a request
        assert backend.logins == 2


def test_short_ttl_token_is_renewed_in_the_background_then_replaced_at_max_ttl(
    openbao: OpenBao, tmp_path: Path
) -> None:
    root = openbao.root()
    seed.kv_put(root, "ro/renew", {"k": "v"})
    role_id, secret_file = seed.approle(
        root, tmp_path, role="short", token_ttl="2s", token_max_ttl="6s"
    )
    with _client(openbao, AppRoleAuth(role_id, secret_id_file=secret_file), ttl=60) as client:
        client.get("ro/renew")
        backend = _backend(client)
        wait_until(lambda: backend.renewals >= 2, timeout=20, what="two token renewals")
        wait_until(lambda: backend.logins >= 2, timeout=20, what="re-login at max TTL")
        wait_until(lambda: backend.renewals >= 4, timeout=20, what="renewals of the new token")
        # The token in use right now is valid: a request with it succeeds.
        assert client.backend.read_kv("ro/renew", None)["k"].reveal() == "v"
        assert client.expiry_seconds("token") > 0


def test_external_token_is_renewed_across_several_ttls(openbao: OpenBao) -> None:
    root = openbao.root()
    seed.kv_put(root, "kv-token/db", {"k": "v"})
    # 3 s TTL, renewed at 2 s: a second of slack for a loaded machine (it cannot log in again).
    token = root.auth.token.create(ttl="3s", renewable=True, policies=["root"])["auth"][
        "client_token"
    ]
    with _client(openbao, TokenAuth(SecretValue(token)), ttl=60) as client:
        client.get("kv-token/db")
        backend = _backend(client)
        wait_until(lambda: backend.renewals >= 3, timeout=20, what="three renewals (~3 TTLs)")
        assert client.backend.read_kv("kv-token/db", None)["k"].reveal() == "v"
        assert backend.logins == 1


def test_token_metrics_count_logins_and_expiry(openbao: OpenBao) -> None:
    registry = CollectorRegistry()
    token = openbao.root().auth.token.create(ttl="60s", policies=["root"])["auth"]["client_token"]
    client = SecretsClient(
        SecretsConfig(addr=openbao.addr, auth=TokenAuth(SecretValue(token))), registry=registry
    )
    with client:
        client.put("kv-metrics/x", {"k": "v"})
        client.get("kv-metrics/x")
        client.get("kv-metrics/x")
        assert (
            registry.get_sample_value(names.SECRET_FETCHES, {"kind": "token", "result": "ok"}) == 1
        )
        assert registry.get_sample_value(names.SECRET_FETCHES, {"kind": "kv", "result": "ok"}) == 1
        assert registry.get_sample_value(names.SECRET_CACHE_HITS) == 1
        expiry = registry.get_sample_value(names.SECRET_EXPIRY, {"kind": "token"})
        assert expiry is not None and 0 < expiry <= 60


def test_non_renewable_pki_lease_is_replaced_before_it_expires(openbao: OpenBao) -> None:
    root = openbao.root()
    seed.pki(root, ttl="3s")
    with _client(openbao) as client:
        lease = client.lease("pki/issue/web", {"common_name": "svc.example.com", "ttl": "3s"})
        first = lease["serial_number"].reveal()
        assert lease.lease_id.startswith("pki/issue/web/") and not lease.renewable
        wait_until(lambda: lease.generation >= 3, timeout=20, what="two re-issues")
        assert lease["serial_number"].reveal() != first
        assert "BEGIN CERTIFICATE" in lease["certificate"].reveal()
        assert "serial_number" in repr(lease) and first not in repr(lease)


def test_forked_worker_gets_its_own_upkeep_thread_and_connections(openbao: OpenBao) -> None:
    seed.kv_put(openbao.root(), "kv-fork/db", {"k": "v"})
    with _client(openbao) as client:
        client.get("kv-fork/db")  # starts the upkeep thread in the parent (like gunicorn --preload)
        parent_thread = client._thread
        pid = os.fork()
        if pid == 0:  # the child: a pre-forked worker
            ok = (
                client._thread is not None
                and client._thread is not parent_thread
                and client._thread.is_alive()
                and client.get("kv-fork/db", "k", version=1).reveal() == "v"
            )
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert client.get("kv-fork/db", "k", version=1).reveal() == "v"


def test_soft_deleted_latest_version_is_not_found_and_never_served_from_cache(
    openbao: OpenBao,
) -> None:
    root = openbao.root()
    seed.kv_put(root, "kv-delete/db", {"password": "p1"})
    seed.kv_put(root, "kv-delete/db", {"password": "p2"})
    with _client(openbao, ttl=0.3) as client:
        assert client.get("kv-delete/db", "password").reveal() == "p2"
        root.secrets.kv.v2.delete_latest_version_of_secret("kv-delete/db")

        def gone() -> bool:
            try:
                client.get("kv-delete/db")
            except SecretNotFoundError:
                return True
            return False

        wait_until(gone, timeout=10, what="deleted latest version reported as not found")
        assert client.cached("kv-delete/db") is None
        assert client.get("kv-delete/db", "password", version=1).reveal() == "p1"


def test_closed_client_stops_reporting_expiry_and_staleness(openbao: OpenBao) -> None:
    registry = CollectorRegistry()
    token = openbao.root().auth.token.create(ttl="60s", policies=["root"])["auth"]["client_token"]
    config = SecretsConfig(addr=openbao.addr, auth=TokenAuth(SecretValue(token)))
    client = SecretsClient(config, registry=registry)
    client.put("kv-closed/x", {"k": "v"})
    expiry = registry.get_sample_value(names.SECRET_EXPIRY, {"kind": "token"})
    assert expiry is not None and expiry <= 60
    client.close()
    assert registry.get_sample_value(names.SECRET_EXPIRY, {"kind": "token"}) == float("inf")


def test_vault_namespace_from_the_environment_reads_inside_that_namespace(
    openbao: OpenBao,
) -> None:
    root = openbao.root()
    root.adapter.post("/v1/sys/namespaces/team-a")
    inside = hvac.Client(url=openbao.addr, token=openbao.root_token, namespace="team-a")
    inside.sys.enable_secrets_engine("kv", path="secret", options={"version": "2"})
    inside.secrets.kv.v2.create_or_update_secret("ns/db", secret={"password": "in-team-a"})
    env = {
        "VAULT_ADDR": openbao.addr,
        "VAULT_TOKEN": openbao.root_token,
        "VAULT_NAMESPACE": "team-a",
    }
    with SecretsClient.from_env(env, registry=CollectorRegistry()) as client:
        assert client.get("ns/db", "password").reveal() == "in-team-a"
    with _client(openbao) as outside, pytest.raises(SecretNotFoundError):
        outside.get("ns/db")  # the root namespace has no such secret


def test_tls_server_is_read_with_vault_cacert_and_refused_without_it(tmp_path: Path) -> None:
    server = start_openbao(tmp_path, tls=True)
    try:
        seed.kv_put(server.root(), "tls/db", {"password": "over-tls"})
        env = {"VAULT_ADDR": server.addr, "VAULT_TOKEN": server.root_token}
        with SecretsClient.from_env(
            {**env, "VAULT_CACERT": str(server.ca_cert)}, registry=CollectorRegistry()
        ) as client:
            assert client.get("tls/db", "password").reveal() == "over-tls"
        with (
            SecretsClient.from_env(env, registry=CollectorRegistry()) as client,
            pytest.raises(SecretConfigError, match=r"TLS verification of https://127\.0\.0\.1"),
        ):
            client.get("tls/db")
    finally:
        server.stop()


def test_close_with_revoke_leases_revokes_them_at_the_server(openbao: OpenBao) -> None:
    root = openbao.root()
    seed.pki(root, ttl="3s")
    client = _client(openbao)
    lease = client.lease("pki/issue/web", {"common_name": "rev.example.com", "ttl": "3s"})
    assert root.sys.read_lease(lease.lease_id)["data"]["id"] == lease.lease_id
    client.close(revoke_leases=True)
    with pytest.raises(hvac.exceptions.InvalidRequest):
        root.sys.read_lease(lease.lease_id)


def test_file_provider_lease_is_static_and_never_expires(tmp_path: Path) -> None:
    file = tmp_path / "s.yaml"
    file.write_text("database/creds/app:\n  username: u\n  password: p\n")
    client = SecretsClient(SecretsConfig(file=file), registry=CollectorRegistry())
    with client:
        lease = client.lease("database/creds/app")
        assert (lease["username"].reveal(), lease.expires_in(), lease.renewable) == (
            "u",
            None,
            False,
        )
