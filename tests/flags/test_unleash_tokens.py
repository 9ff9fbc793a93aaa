"""Unleash in token mode (seeded tokens): the right token works, a wrong one degrades."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from tests.servers.postgres import Postgres
from tests.servers.process import wait_until
from tests.servers.unleash import Unleash, start_unleash
from zwobs.flags import FlagsClient

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def secured(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Unleash]:
    """A second Unleash on its own fresh database (init tokens only apply to an empty one)."""
    secret = secrets.token_hex(16)
    server = start_unleash(
        postgres,
        "unleash_tokens",
        tmp_path_factory.mktemp("unleash-tokens") / "unleash.log",
        auth="open-source",
        admin_token=f"*:*.{secret}",
        backend_token=f"default:development.{secret}",
    )
    server.create_flag("tok_flag", rollout=100)
    yield server
    server.stop()


def test_backend_token_gets_the_flags_by_full_fetch_from_a_server_without_delta(
    secured: Unleash,
) -> None:
    client = FlagsClient(url=secured.api_url, api_token=secured.backend_token, refresh_interval=0.2)
    try:
        assert client.wait_until_ready(30), client.status()
        assert client.is_enabled("tok_flag") is True
        assert client._refresher is not None and not client._refresher.uses_delta
    finally:
        client.close()


def test_wrong_token_is_a_clear_degraded_state_not_a_crash(secured: Unleash) -> None:
    client = FlagsClient(
        url=secured.api_url,
        api_token="default:development.wrong",
        bootstrap={"tok_flag": "off"},
        refresh_interval=0.2,
    )
    try:
        wait_until(lambda: client.status().degraded, timeout=15, what="degraded")
        status = client.status()
        assert (status.ready, status.reason_code, status.source) == (
            False, "unauthorized", "bootstrap",
        )  # fmt: skip
        assert "check UNLEASH_API_TOKEN" in (status.reason or "")
        assert "wrong" not in (status.reason or "")  # the token never appears
        assert client.is_enabled("tok_flag", True) is False  # the bootstrap keeps answering
    finally:
        client.close()


def test_missing_token_is_unauthorized_too(secured: Unleash) -> None:
    client = FlagsClient(url=secured.api_url, refresh_interval=0.2)
    try:
        wait_until(lambda: client.status().degraded, timeout=15, what="degraded")
        assert client.status().reason_code == "unauthorized"
    finally:
        client.close()
