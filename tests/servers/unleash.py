"""A real Unleash 8 server (npm ``unleash-server`` in .cache/unleash) on the test PostgreSQL.

``start_unleash`` runs node on a start file (ESM ``.mjs``) with a loopback port
and a database of its own; version checks and telemetry are off so nothing
leaves the machine. The admin helpers wrap the few admin API calls tests need.

``delta_api=True`` serves Unleash's delta API: Unleash 8's open-source server computes
deltas (its own delta service, kept current with ``UNLEASH_EXPERIMENTAL_DELTA_API``) but
mounts no route for them, so the start file mounts that service at ``/api/client/delta``
with the delta API's HTTP contract (revision in If-None-Match, 304 when nothing changed,
the last event id as ETag). The deltas themselves are the server's.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.servers.postgres import Postgres
from tests.servers.process import ServerProcess, free_port, http_ok

__all__ = ["UNLEASH_DIR", "Unleash", "start_unleash"]

ROOT = Path(__file__).resolve().parents[2]
UNLEASH_DIR = ROOT / ".cache" / "unleash"

_START_FILE = """\
// Written by tests/servers/unleash.py: starts Unleash with settings from the environment.
import { start } from 'unleash-server';
const env = process.env;
const deltaRoute = (app, config, services) => {
  app.get('/api/client/delta', async (req, res, next) => {
    try {
      const tag = String(req.headers['if-none-match'] || '').replace(/^W\\//, '').replace(/"/g, '');
      const revision = /^\\d+$/.test(tag) ? Number(tag) : undefined;
      // As /api/client/features resolves it: the token's environment and projects, else
      // the server's default environment (the delta service alone would use 'default').
      const user = req.user || {};
      const projects = user.projects && !user.projects.includes('*') ? user.projects : undefined;
      const own = user.environment && user.environment !== '*' ? user.environment : undefined;
      const query = {
        environment: own || 'development',
        project: projects || (req.query.project ? [].concat(req.query.project) : undefined),
      };
      const delta = await services.clientFeatureToggleService.getClientDelta(revision, query);
      if (!delta) {
        res.status(304).end();
        return;
      }
      res.setHeader('ETag', `"${delta.events.at(-1)?.eventId ?? 0}"`);
      res.json(delta);
    } catch (error) {
      next(error);
    }
  });
};
await start({
  db: {
    host: '127.0.0.1', port: Number(env.ZWOBS_DB_PORT), user: env.ZWOBS_DB_USER,
    password: '', database: env.ZWOBS_DB_NAME, ssl: false,
  },
  server: { port: Number(env.ZWOBS_PORT), host: '127.0.0.1' },
  authentication: { type: env.ZWOBS_AUTH || 'none' },
  versionCheck: { enable: false },
  telemetry: false,
  logLevel: 'warn',
  preRouterHook: env.UNLEASH_EXPERIMENTAL_DELTA_API === 'true' ? deltaRoute : undefined,
});
"""


class Unleash:
    """A running (or stopped, restartable) Unleash server and its admin API."""

    def __init__(
        self,
        postgres: Postgres,
        database: str,
        log: Path,
        *,
        auth: str = "none",
        admin_token: str | None = None,
        backend_token: str | None = None,
        delta_api: bool = False,
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.api_url = f"{self.base}/api"
        self.admin_token = admin_token
        self.backend_token = backend_token
        self._log = log
        self._env = {
            "ZWOBS_DB_PORT": str(postgres.port),
            "ZWOBS_DB_USER": postgres.user,
            "ZWOBS_DB_NAME": database,
            "ZWOBS_PORT": str(self.port),
            "ZWOBS_AUTH": auth,
            "CHECK_VERSION": "false",
            "SEND_TELEMETRY": "false",
            "NODE_ENV": "production",
        }
        if admin_token:
            self._env["INIT_ADMIN_API_TOKENS"] = admin_token
        if backend_token:
            self._env["INIT_BACKEND_API_TOKENS"] = backend_token
        if delta_api:
            self._env["UNLEASH_EXPERIMENTAL_DELTA_API"] = "true"
        self.process: ServerProcess | None = None

    def start(self, timeout: float = 120.0) -> None:
        """Start node and wait for /health (the first start runs the migrations)."""
        # Named by content: trees with another version of it share .cache/unleash safely.
        digest = hashlib.sha256(_START_FILE.encode()).hexdigest()[:12]
        start_file = UNLEASH_DIR / f"zwobs-start-{digest}.mjs"
        if not start_file.exists() or start_file.read_text() != _START_FILE:
            # Atomic: another test session in the same tree may be starting Unleash too.
            fd, tmp = tempfile.mkstemp(dir=UNLEASH_DIR, suffix=".mjs")
            with os.fdopen(fd, "w") as out:
                out.write(_START_FILE)
            os.replace(tmp, start_file)
        self.process = ServerProcess(
            ["node", str(start_file)], log=self._log, env=self._env, cwd=UNLEASH_DIR
        )
        self.process.wait_ready(lambda: http_ok(f"{self.base}/health"), timeout=timeout)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        """Call the admin API (``path`` under /api/admin); returns the decoded JSON or None."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.api_url}/admin/{path.lstrip('/')}", data=data, method=method
        )
        request.add_header("Content-Type", "application/json")
        if self.admin_token:
            request.add_header("Authorization", self.admin_token)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path}: HTTP {exc.code}: {exc.read()[:500]!r}") from None
        return json.loads(raw) if raw else None

    def create_flag(
        self,
        name: str,
        *,
        rollout: int = 100,
        stickiness: str = "default",
        constraints: list[dict[str, Any]] | None = None,
        variants: list[dict[str, Any]] | None = None,
        environment: str = "development",
        enabled: bool = True,
    ) -> None:
        """A release flag with one flexibleRollout strategy in ``environment``."""
        self.admin("POST", "projects/default/features", {"name": name, "type": "release"})
        strategy: dict[str, Any] = {
            "name": "flexibleRollout",
            "parameters": {"rollout": str(rollout), "stickiness": stickiness, "groupId": name},
            "constraints": constraints or [],
        }
        if variants:
            strategy["variants"] = variants
        self.admin(
            "POST",
            f"projects/default/features/{name}/environments/{environment}/strategies",
            strategy,
        )
        self.toggle(name, enabled, environment=environment)

    def toggle(self, name: str, on: bool, *, environment: str = "development") -> None:
        action = "on" if on else "off"
        self.admin("POST", f"projects/default/features/{name}/environments/{environment}/{action}")


def start_unleash(
    postgres: Postgres,
    database: str,
    log: Path,
    *,
    auth: str = "none",
    admin_token: str | None = None,
    backend_token: str | None = None,
    delta_api: bool = False,
) -> Unleash:
    """Create ``database`` (must not exist: init tokens only apply to an empty one) and start."""
    if not (UNLEASH_DIR / "node_modules" / "unleash-server").exists():
        raise RuntimeError(
            f"unleash-server not installed in {UNLEASH_DIR}: run scripts/install-unleash.sh"
        )
    postgres.create_database(database)
    server = Unleash(
        postgres,
        database,
        log,
        auth=auth,
        admin_token=admin_token,
        backend_token=backend_token,
        delta_api=delta_api,
    )
    server.start()
    return server
