"""No secret in any log record, exception text, repr or metric, across the whole lifecycle.

Captures every log record at DEBUG (zwobs, hvac, urllib3, ...) and every exception the
client raised, then greps all of it for the secret values, the token and the secret_id.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from tests.secrets import seed
from tests.servers.openbao import OpenBao
from tests.servers.process import wait_until
from zwobs.secrets import (
    AppRoleAuth,
    SecretError,
    SecretsClient,
    SecretsConfig,
    SecretValue,
    TokenAuth,
)

pytestmark = pytest.mark.integration


def test_secret_values_never_reach_logs_exceptions_reprs_or_metrics(
    own_openbao: OpenBao, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    password = "pw-" + uuid.uuid4().hex
    rotated = "pw-" + uuid.uuid4().hex
    root = own_openbao.root()
    seed.kv_put(root, "ro/db", {"password": password})
    role_id, secret_file = seed.approle(root, tmp_path, role="app", token_ttl="2s")
    secret_id = secret_file.read_text().strip()
    needles = {password, rotated, secret_id, own_openbao.root_token}
    texts: list[str] = []
    registry = CollectorRegistry()

    def record(exc: BaseException) -> None:
        texts.append("".join(traceback.format_exception(exc)))
        texts.append(repr(exc))

    caplog.set_level(logging.DEBUG)
    app = SecretsClient(
        SecretsConfig(
            addr=own_openbao.addr,
            auth=AppRoleAuth(role_id, secret_id_file=secret_file),
            ttl=0.5,
            max_staleness=0.5,
        ),
        registry=registry,
    )
    admin = SecretsClient(
        SecretsConfig(addr=own_openbao.addr, auth=TokenAuth(SecretValue(own_openbao.root_token))),
        registry=registry,
    )
    with app, admin:
        data = app.get("ro/db")
        texts += [repr(data), str(data), repr(data["password"]), f"{data['password']}", repr(app)]
        admin.put("ro/db", {"password": rotated})  # rotation, seen by the background refresh
        wait_until(lambda: app.cached("ro/db") is not None and app.get("ro/db").version == 2)
        for attempt in (
            lambda: app.put("ro/db", {"password": password}),  # denied write
            lambda: app.get("ro/db", "no-such-key"),
            lambda: app.get("ro/missing"),
        ):
            with pytest.raises(SecretError) as info:
                attempt()
            record(info.value)
        wait_until(lambda: app.backend.renewals >= 1, timeout=10)  # type: ignore[attr-defined]
        own_openbao.stop()

        def failed() -> bool:
            try:
                app.get("ro/db")
            except SecretError as exc:
                record(exc)
                return True
            return False

        wait_until(failed, timeout=20, interval=0.05)
    texts.append(caplog.text)
    texts += [r.getMessage() for r in caplog.records]
    texts += [
        "".join(traceback.format_exception(*r.exc_info)) for r in caplog.records if r.exc_info
    ]
    texts.append(generate_latest(registry).decode())
    haystack = "\n".join(texts)
    assert "serving the last good value" in haystack  # the outage was exercised
    assert "permission denied" in haystack and "no key 'no-such-key'" in haystack
    assert "Starting new HTTP connection" in haystack  # urllib3's DEBUG records are in too
    for needle in needles:
        assert needle not in haystack
