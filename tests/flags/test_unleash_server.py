"""Against a real Unleash 8 server (PostgreSQL 15): see, toggle, outage, recovery, fork."""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from UnleashClient import UnleashClient

from tests.servers.process import ServerProcess, free_port, http_ok, wait_until
from tests.servers.unleash import Unleash
from zwobs.flags import FlagsClient

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

INTERVAL = 0.2
"""Refresh interval in these tests; a change must show within a few of them (noisy machine)."""
SEEN_WITHIN = 15.0


def _served(client: FlagsClient, name: str) -> None:
    """Wait until the client holds ``name`` fully set up (created, strategy added, switched on)."""

    def complete() -> bool:
        features = {f["name"]: f for f in client._state.payload["features"]}
        feature = features.get(name)
        return bool(feature and feature["enabled"] and feature["strategies"])

    wait_until(complete, timeout=SEEN_WITHIN, what=f"{name} served")


@pytest.fixture
def client(unleash: Unleash, tmp_path: Path) -> Iterator[FlagsClient]:
    flags = FlagsClient(
        url=unleash.api_url,
        app_name="zwobs-it",
        environment="development",
        refresh_interval=INTERVAL,
        request_timeout=2,
        cache_dir=tmp_path / "cache",
    )
    assert flags.wait_until_ready(30), flags.status()
    yield flags
    flags.close()


def test_flexible_rollout_created_through_the_admin_api_is_seen(
    unleash: Unleash, client: FlagsClient
) -> None:
    unleash.create_flag("it_everyone", rollout=100)
    _served(client, "it_everyone")
    assert client.is_enabled("it_everyone", user_id="anyone") is True
    status = client.status()
    assert (status.ready, status.degraded, status.source) == (True, False, "server")


def test_rollout_with_constraints_decides_like_unleash_client_on_the_same_server(
    unleash: Unleash, client: FlagsClient, tmp_path: Path
) -> None:
    unleash.create_flag(
        "it_rollout",
        rollout=40,
        stickiness="userId",
        constraints=[{"contextName": "plan", "operator": "IN", "values": ["pro"]}],
        variants=[
            {"name": "a", "weight": 500, "weightType": "variable", "stickiness": "userId"},
            {"name": "b", "weight": 500, "weightType": "variable", "stickiness": "userId"},
        ],
    )
    _served(client, "it_rollout")
    raw = UnleashClient(
        url=unleash.api_url,
        app_name="zwobs-it-raw",
        environment="development",
        cache_directory=str(tmp_path / "raw"),
        disable_metrics=True,
        disable_registration=True,
        refresh_interval=1,
    )
    raw.initialize_client()
    try:
        wait_until(lambda: "it_rollout" in raw.feature_definitions(), timeout=SEEN_WITHIN)
        for i in range(200):
            plan = "pro" if i % 4 else "free"
            ctx = {"userId": f"user-{i}", "properties": {"plan": plan}}
            assert client.is_enabled("it_rollout", context=ctx) is raw.is_enabled("it_rollout", ctx)
            assert (
                client.get_variant("it_rollout", context=ctx).name
                == (raw.get_variant("it_rollout", ctx)["name"])
            )
        enabled = sum(
            client.is_enabled("it_rollout", user_id=f"user-{i}", properties={"plan": "pro"})
            for i in range(1000)
        )
        assert 300 < enabled < 500
    finally:
        raw.destroy()


def test_toggling_in_unleash_shows_within_the_refresh_interval(
    unleash: Unleash, client: FlagsClient
) -> None:
    unleash.create_flag("it_toggle", rollout=100)
    wait_until(lambda: client.is_enabled("it_toggle"), timeout=SEEN_WITHIN, what="on")
    unleash.toggle("it_toggle", False)
    wait_until(lambda: not client.is_enabled("it_toggle"), timeout=SEEN_WITHIN, what="off")
    unleash.toggle("it_toggle", True)
    wait_until(lambda: client.is_enabled("it_toggle"), timeout=SEEN_WITHIN, what="on again")


def test_unchanged_state_is_confirmed_by_etag_without_reloading(client: FlagsClient) -> None:
    state = client._state
    first = client.status().last_refresh
    assert client.refresh_now() is True
    assert client._state is state  # 304: same state object, just confirmed
    assert (client.status().last_refresh or 0) >= (first or 0)


def test_server_outage_keeps_serving_the_last_state_and_recovers(
    unleash: Unleash, client: FlagsClient, tmp_path: Path
) -> None:
    unleash.create_flag("it_outage", rollout=100)
    wait_until(lambda: client.is_enabled("it_outage"), timeout=SEEN_WITHIN, what="flag on")
    unleash.stop()
    try:
        wait_until(lambda: client.status().degraded, timeout=SEEN_WITHIN, what="degraded")
        status = client.status()
        assert status.reason_code == "connection"
        assert status.ready is True  # it did get a server state; it is serving that
        assert "serving the last good state (server)" in (status.reason or "")
        assert client.is_enabled("it_outage") is True
        # A new process-like client starts from the cache written by the last good fetch.
        restarted = FlagsClient(
            url=unleash.api_url,
            app_name="zwobs-it",
            cache_dir=tmp_path / "cache",
            start=False,
        )
        assert restarted.status().source == "cache"
        assert restarted.is_enabled("it_outage") is True
    finally:
        unleash.start()
    wait_until(lambda: not client.status().degraded, timeout=60, what="recovered")
    unleash.toggle("it_outage", False)
    wait_until(lambda: not client.is_enabled("it_outage"), timeout=SEEN_WITHIN, what="fresh")


def test_forked_child_keeps_refreshing(unleash: Unleash, client: FlagsClient) -> None:
    unleash.create_flag("it_fork", rollout=100)
    wait_until(lambda: client.is_enabled("it_fork"), timeout=SEEN_WITHIN, what="flag on")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: wait for the parent's toggle to arrive through our own refresher
        code = 1
        try:
            os.close(read_end)
            os.write(write_end, b"r")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if not client.is_enabled("it_fork"):
                    code = 0
                    break
                time.sleep(0.05)
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        assert os.read(read_end, 1) == b"r"
        unleash.toggle("it_fork", False)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(read_end)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, "child never saw the toggle"
    wait_until(lambda: not client.is_enabled("it_fork"), timeout=SEEN_WITHIN, what="parent too")


def test_usage_counts_reach_unleash(unleash: Unleash) -> None:
    unleash.create_flag("it_usage", rollout=100)
    client = FlagsClient(
        url=unleash.api_url,
        app_name="zwobs-it-usage",
        environment="development",
        refresh_interval=INTERVAL,
        metrics_interval=0.5,
    )
    try:
        _served(client, "it_usage")
        for i in range(25):
            client.is_enabled("it_usage", user_id=f"u{i}")

        def seen() -> bool:
            usage = unleash.admin("GET", "client-metrics/features/it_usage")
            return sum(h["yes"] for h in usage["lastHourUsage"]) >= 25 and (
                "zwobs-it-usage" in usage["seenApplications"]
            )

        wait_until(seen, timeout=60, interval=0.5, what="usage shown by Unleash")
    finally:
        client.close()


def test_gunicorn_preload_workers_keep_refreshing(unleash: Unleash, tmp_path: Path) -> None:
    unleash.create_flag("it_preload", rollout=100)
    port = free_port()
    server = ServerProcess(
        [sys.executable, "-m", "gunicorn", "--preload", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "tests.flags.preload_app:app"],
        log=tmp_path / "gunicorn.log",
        cwd=ROOT,
        env={"UNLEASH_URL": unleash.api_url, "UNLEASH_ENVIRONMENT": "development",
             "UNLEASH_REFRESH_INTERVAL": str(INTERVAL), "ZWOBS_SERVICE": "zwobs-it-gunicorn"},
    )  # fmt: skip
    try:
        server.wait_ready(lambda: http_ok(f"http://127.0.0.1:{port}/"), timeout=60)

        def answers() -> dict[int, bool]:
            seen: dict[int, bool] = {}
            for _ in range(40):  # two workers: enough requests to hear from both
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = json.loads(response.read())
                seen[body["pid"]] = body["on"]
            return seen

        wait_until(lambda: len(answers()) == 2 and all(answers().values()), timeout=SEEN_WITHIN)
        unleash.toggle("it_preload", False)
        wait_until(
            lambda: len(seen := answers()) == 2 and not any(seen.values()),
            timeout=SEEN_WITHIN,
            what="both workers see the toggle",
        )
    finally:
        server.stop()


def test_refreshes_use_the_delta_api_and_apply_updates_and_removals(
    unleash: Unleash, client: FlagsClient
) -> None:
    assert client._refresher is not None and client._refresher.uses_delta
    unleash.create_flag("it_delta", rollout=100)
    _served(client, "it_delta")
    unleash.toggle("it_delta", False)
    wait_until(lambda: not client.is_enabled("it_delta"), timeout=SEEN_WITHIN, what="off")
    unleash.admin("DELETE", "projects/default/features/it_delta")  # archive: feature-removed
    wait_until(lambda: not client.known("it_delta"), timeout=SEEN_WITHIN, what="removed")
    full = FlagsClient(url=unleash.api_url, environment="development", delta=False, start=False)
    assert full.refresh_now() and full._refresher is not None and not full._refresher.uses_delta
    assert full.flag_names == client.flag_names  # the delta-built state is the full state
