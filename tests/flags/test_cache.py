"""The disk copy of the server state: bounded, never fatal."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from zwobs.flags import FlagsClient
from zwobs.flags._cache import MAX_BYTES, DiskCache


def test_read_only_cache_dir_is_not_an_error(tmp_path: Path) -> None:
    cache_dir = tmp_path / "ro"
    cache_dir.mkdir()
    cache_dir.chmod(stat.S_IRUSR | stat.S_IXUSR)
    cache = DiskCache(cache_dir, "app")
    if os.geteuid() == 0:  # root writes anyway; make the directory a file instead
        cache.file = tmp_path / "not-a-dir" / "x.json"
        (tmp_path / "not-a-dir").write_text("")
    cache.save(b'{"features": []}')
    assert cache.writable is False
    client = FlagsClient(
        bootstrap={"a": True}, cache_dir=cache_dir, url="http://127.0.0.1:9/api", start=False
    )
    assert client.is_enabled("a") is True


def test_the_app_name_cannot_escape_the_cache_dir(tmp_path: Path) -> None:
    assert DiskCache(tmp_path, "../../etc/x y").file.parent == tmp_path


def test_a_cached_state_seeds_a_server_client_before_the_bootstrap(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path, "app")
    cache.save(json.dumps({"features": [{"name": "cached", "enabled": True}]}).encode())
    client = FlagsClient(
        app_name="app",
        bootstrap={"boot": True},
        cache_dir=tmp_path,
        url="http://127.0.0.1:9/api",
        start=False,
    )
    assert client.status().source == "cache" and client.known("cached")


def test_a_broken_or_oversized_cache_is_ignored(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path, "app")
    cache.file.write_text("{not json")
    assert cache.load() is None
    cache.file.write_text("[" * 100_000)  # json.loads raises RecursionError on this
    assert cache.load() is None
    with open(cache.file, "wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    assert cache.load() is None
