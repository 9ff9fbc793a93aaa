"""OpenBao stopped mid-run and restarted: stale-if-error, a clear error, recovery in place."""

from __future__ import annotations

import logging
import uuid

import pytest
from prometheus_client import CollectorRegistry

from tests.secrets import seed
from tests.servers.openbao import OpenBao
from tests.servers.process import wait_until
from zwobs import names
from zwobs.secrets import (
    AppRoleAuth,
    SecretsClient,
    SecretsConfig,
    SecretUnavailableError,
    SecretValue,
)
from zwobs.secrets.vault import VaultBackend

pytestmark = pytest.mark.integration


def _seed(server: OpenBao, role_id: str, secret_id: str, password: str) -> None:
    root = server.root()
    seed.kv_put(root, "ro/db", {"password": password})
    seed.approle_fixed(root, role="app", role_id=role_id, secret_id=secret_id)


def test_outage_serves_stale_until_max_staleness_then_errors_and_recovers_after_restart(
    own_openbao: OpenBao, caplog: pytest.LogCaptureFixture
) -> None:
    role_id, secret_id = str(uuid.uuid4()), str(uuid.uuid4())
    _seed(own_openbao, role_id, secret_id, "before-outage")
    registry = CollectorRegistry()
    config = SecretsConfig(
        addr=own_openbao.addr,
        auth=AppRoleAuth(role_id, secret_id=SecretValue(secret_id)),
        ttl=1.0,
        max_staleness=3.0,
        timeout=2.0,
    )
    with SecretsClient(config, registry=registry) as client, caplog.at_level(logging.WARNING):
        assert client.get("ro/db", "password").reveal() == "before-outage"
        own_openbao.stop()

        served_stale: list[str] = []
        errors: list[SecretUnavailableError] = []

        def outage_error_raised() -> bool:
            try:
                value = client.get("ro/db", "password").reveal()
            except SecretUnavailableError as exc:
                errors.append(exc)
                return True
            if (registry.get_sample_value(names.SECRET_STALENESS) or 0) > 0:
                served_stale.append(value)
            return False

        wait_until(outage_error_raised, timeout=30, interval=0.1, what="error past max staleness")
        assert served_stale and set(served_stale) == {"before-outage"}
        stale_count = registry.get_sample_value(
            names.SECRET_FETCHES, {"kind": "kv", "result": "stale"}
        )
        assert stale_count is not None and stale_count >= 1
        assert "serving the last good value" in caplog.text
        message = str(errors[0])
        assert "secret ro/db" in message and "beyond max_staleness=3s" in message
        assert "unavailable" in message

        own_openbao.start()  # same address, empty: the test seeds it again
        _seed(own_openbao, role_id, secret_id, "after-restart")

        def recovered() -> bool:
            return client.get("ro/db", "password").reveal() == "after-restart"

        wait_until(recovered, timeout=30, interval=0.1, what="recovery after restart")
        assert registry.get_sample_value(names.SECRET_STALENESS) == 0
        assert isinstance(client.backend, VaultBackend)
        assert client.backend.logins == 2  # the old token died with the server: logged in again


def test_token_expiring_during_an_outage_is_replaced_by_a_background_login_after_restart(
    own_openbao: OpenBao,
) -> None:
    role_id, secret_id = str(uuid.uuid4()), str(uuid.uuid4())
    _seed(own_openbao, role_id, secret_id, "pw")
    own_openbao.root().write("auth/approle/role/app", token_ttl="2s", token_max_ttl="1h")
    registry = CollectorRegistry()
    config = SecretsConfig(
        addr=own_openbao.addr,
        auth=AppRoleAuth(role_id, secret_id=SecretValue(secret_id)),
        ttl=3600,
        timeout=1.0,
    )
    with SecretsClient(config, registry=registry) as client:
        client.get("ro/db")
        backend = client.backend
        assert isinstance(backend, VaultBackend)
        own_openbao.stop()
        # Let the 2 s token run out while the server is down.
        wait_until(lambda: client.expiry_seconds("token") < -1, timeout=20, what="token expiry")
        errors = registry.get_sample_value(
            names.SECRET_FETCHES, {"kind": "token", "result": "error"}
        )
        assert errors is not None and 1 <= errors < 25  # backoff, not a busy loop
        own_openbao.start()
        _seed(own_openbao, role_id, secret_id, "pw")
        wait_until(lambda: backend.logins >= 2, timeout=30, what="background re-login")
        assert client.expiry_seconds("token") > 0
        assert client.get("ro/db", "password", version=1).reveal() == "pw"


def test_a_background_login_refused_while_the_store_is_reseeded_is_retried_until_it_works(
    own_openbao: OpenBao,
) -> None:
    """A store back before its auth setup refuses the login: upkeep keeps trying (slowly)
    instead of giving up until the next foreground read."""
    role_id, secret_id = str(uuid.uuid4()), str(uuid.uuid4())
    _seed(own_openbao, role_id, secret_id, "pw")
    own_openbao.root().write("auth/approle/role/app", token_ttl="2s", token_max_ttl="1h")
    config = SecretsConfig(
        addr=own_openbao.addr, auth=AppRoleAuth(role_id, secret_id=SecretValue(secret_id)), ttl=3600
    )
    with SecretsClient(config, registry=CollectorRegistry()) as client:
        client.get("ro/db")
        backend = client.backend
        assert isinstance(backend, VaultBackend)
        own_openbao.root().auth.approle.delete_role("app")  # as if restarted, not yet seeded
        # The 2 s token expires, renewal fails, then the re-login is refused.
        wait_until(lambda: not backend._logged_in, timeout=20, what="a refused login")
        assert backend.logins == 1
        _seed(own_openbao, role_id, secret_id, "pw")
        wait_until(lambda: backend.logins >= 2, timeout=30, what="background re-login")
        assert client.expiry_seconds("token") > 0
