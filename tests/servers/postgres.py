"""A private PostgreSQL 15 cluster in a temp dir on a free loopback port, run as ``postgres``.

Fresh per test session (initdb), so every run starts with empty databases; stopped
with ``pg_ctl stop`` and, failing that, by the postmaster's own PID.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from tests.servers.process import free_port

__all__ = ["PG_BIN", "Postgres", "start_postgres"]

PG_BIN = Path("/usr/lib/postgresql/15/bin")
_USER = "postgres"


class Postgres:
    """One running cluster: ``host``, ``port``, ``user``; ``create_database`` gives a fresh one."""

    def __init__(self, datadir: Path, port: int) -> None:
        self.datadir = datadir
        self.port = port
        self.host = "127.0.0.1"
        self.user = _USER

    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv, user=_USER, capture_output=True, text=True, check=False, cwd=self.datadir
        )

    def create_database(self, name: str) -> str:
        result = self._run(
            str(PG_BIN / "createdb"), "-h", self.host, "-p", str(self.port), "-U", _USER, name
        )
        if result.returncode != 0:
            raise RuntimeError(f"createdb {name} failed: {result.stderr.strip()}")
        return name

    def _postmaster_pid(self) -> int | None:
        try:
            return int((self.datadir / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        pid = self._postmaster_pid()
        result = self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.datadir / "data"), "-m", "fast",
                           "-w", "-t", "20", "stop")  # fmt: skip
        if result.returncode != 0 and pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.datadir, ignore_errors=True)


def start_postgres() -> Postgres:
    """initdb + pg_ctl start in a new temp dir owned by ``postgres``; ~1 s."""
    if not (PG_BIN / "initdb").exists():
        raise RuntimeError(f"PostgreSQL 15 not found in {PG_BIN}: run scripts/install-unleash.sh")
    root = Path(tempfile.mkdtemp(prefix="zwobs-pg-"))
    shutil.chown(root, _USER, _USER)
    root.chmod(0o700)
    pg = Postgres(root, free_port())
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    shutil.chown(sock, _USER, _USER)
    init = pg._run(str(PG_BIN / "initdb"), "-D", str(data), "-U", _USER, "--auth=trust",
                   "-E", "UTF8", "--no-sync")  # fmt: skip
    if init.returncode != 0:
        raise RuntimeError(f"initdb failed: {init.stderr.strip()}")
    options = f"-p {pg.port} -c listen_addresses=127.0.0.1 -k {sock} -c fsync=off"
    started = pg._run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "postgres.log"),
                      "-w", "-t", "30", "-o", options, "start")  # fmt: skip
    if started.returncode != 0:
        log = (
            (root / "postgres.log").read_text(errors="replace")
            if (root / "postgres.log").exists()
            else ""
        )
        pg.stop()
        raise RuntimeError(f"pg_ctl start failed: {started.stderr.strip()}\n{log[-2000:]}")
    return pg
