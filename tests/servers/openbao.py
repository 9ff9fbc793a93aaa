"""An OpenBao dev server (Vault API) on a free loopback port with a random root token.

The dev server keeps everything in memory: ``restart()`` comes back empty on the
same address and token, and the test re-seeds what it needs.
"""

from __future__ import annotations

import secrets
import shutil
import ssl
import sys
import urllib.request
from pathlib import Path

import hvac

from tests.servers.process import ServerProcess, free_port, http_ok

__all__ = ["OpenBao", "bao_binary", "start_openbao"]


def bao_binary() -> str | None:
    """The ``bao`` of this venv (scripts/install-openbao.sh), else one on PATH."""
    local = Path(sys.executable).parent / "bao"
    if local.exists():
        return str(local)
    return shutil.which("bao")


class OpenBao:
    """One dev server; ``stop`` signals its own PID only."""

    def __init__(self, workdir: Path, binary: str, *, tls: bool = False) -> None:
        self.workdir = workdir
        self.binary = binary
        self.tls = tls
        self.port = free_port()
        self.addr = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.ca_cert = workdir / "tls" / "vault-ca.pem"
        """With ``tls``: the CA the dev server generated for its certificate."""
        self.root_token = "root-" + secrets.token_hex(12)
        self.process: ServerProcess | None = None

    def start(self) -> None:
        home = self.workdir / "home"  # the dev server stores its token in ~; keep it here
        home.mkdir(parents=True, exist_ok=True)
        argv = [
            self.binary,
            "server",
            "-dev",
            f"-dev-listen-address=127.0.0.1:{self.port}",
            f"-dev-root-token-id={self.root_token}",
        ]
        if self.tls:
            self.ca_cert.parent.mkdir(parents=True, exist_ok=True)
            argv += ["-dev-tls", f"-dev-tls-cert-dir={self.ca_cert.parent}"]
        self.process = ServerProcess(
            argv,
            log=self.workdir / "openbao.log",
            env={"HOME": str(home), "BAO_ADDR": self.addr, "VAULT_ADDR": self.addr},
            cwd=self.workdir,
        )
        self.process.wait_ready(self._healthy, timeout=30)

    def _healthy(self) -> bool:
        if not self.tls:
            return http_ok(f"{self.addr}/v1/sys/health")
        if not self.ca_cert.exists():
            return False
        context = ssl.create_default_context(cafile=str(self.ca_cert))
        try:
            with urllib.request.urlopen(
                f"{self.addr}/v1/sys/health", timeout=1, context=context
            ) as response:
                return int(response.status) == 200
        except (OSError, ssl.SSLError):
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None

    def restart(self) -> None:
        """Stop and start again on the same port and root token (empty: re-seed after)."""
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.alive()

    def root(self) -> hvac.Client:
        """An hvac client with the root token, for the test to seed and rotate."""
        verify: bool | str = str(self.ca_cert) if self.tls else True
        return hvac.Client(url=self.addr, token=self.root_token, verify=verify)


def start_openbao(workdir: Path, *, tls: bool = False) -> OpenBao:
    binary = bao_binary()
    if binary is None:
        raise RuntimeError("bao not found: run scripts/install-openbao.sh (make servers)")
    server = OpenBao(workdir, binary, tls=tls)
    server.start()
    return server
