"""The file provider after a fork: a lock held in the parent does not block the child."""

from __future__ import annotations

import threading
from pathlib import Path

from zwobs.secrets import FileBackend
from zwobs.secrets.value import SecretData


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
