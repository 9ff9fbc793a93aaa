"""A dynamic database lease from a real OpenBao over a real PostgreSQL, kept renewed.

OpenBao's database secrets engine creates a PostgreSQL role per lease; zwobs renews
the lease at ~2/3 of its duration and issues new credentials at the max TTL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry

from tests.servers.openbao import OpenBao
from tests.servers.postgres import PG_BIN, Postgres, start_postgres
from tests.servers.process import wait_until
from zwobs import names
from zwobs.secrets import Lease, SecretsClient, SecretsConfig, SecretValue, TokenAuth

pytestmark = pytest.mark.integration

_CREATE = (
    "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';"
)


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL 15 not found in {PG_BIN}: run scripts/install-unleash.sh")
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


def _database_engine(openbao: OpenBao, pg: Postgres, *, ttl: str, max_ttl: str) -> None:
    root = openbao.root()
    if "database/" not in root.sys.list_mounted_secrets_engines()["data"]:
        root.sys.enable_secrets_engine("database")
    root.write(
        "database/config/pg",
        plugin_name="postgresql-database-plugin",
        connection_url=f"postgresql://{{{{username}}}}:{{{{password}}}}@{pg.host}:{pg.port}/postgres?sslmode=disable",
        username=pg.user,
        password="trust-auth-ignores-it",
        allowed_roles="app",
        verify_connection=True,
    )
    root.write(
        "database/roles/app",
        db_name="pg",
        creation_statements=_CREATE,
        default_ttl=ttl,
        max_ttl=max_ttl,
    )


def test_database_lease_is_renewed_then_replaced_at_max_ttl(
    openbao: OpenBao, postgres: Postgres
) -> None:
    _database_engine(openbao, postgres, ttl="4s", max_ttl="10s")
    registry = CollectorRegistry()
    config = SecretsConfig(addr=openbao.addr, auth=TokenAuth(SecretValue(openbao.root_token)))
    with SecretsClient(config, registry=registry) as client:
        lease = client.lease("database/creds/app")
        assert isinstance(lease, Lease) and lease.renewable
        first_id, first_user = lease.lease_id, lease["username"].reveal()
        assert first_user.startswith("v-") and lease["password"].reveal()
        rotations: list[str] = []
        lease.on_rotate(lambda current: rotations.append(current["username"].reveal()))

        def lease_fetches() -> float:
            value = registry.get_sample_value(
                names.SECRET_FETCHES, {"kind": "lease", "result": "ok"}
            )
            return value or 0.0

        wait_until(lambda: lease_fetches() >= 3, timeout=20, what="two renewals")
        assert (lease.lease_id, lease.generation) == (first_id, 1)  # renewed, not replaced
        wait_until(lambda: lease.generation >= 2, timeout=30, what="new credentials at max TTL")
        assert lease.lease_id != first_id
        assert (
            lease["username"].reveal() != first_user and rotations[0] == lease["username"].reveal()
        )
        expiry = registry.get_sample_value(names.SECRET_EXPIRY, {"kind": "lease"})
        assert expiry is not None and 0 < expiry <= 10
