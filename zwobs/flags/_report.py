"""What Unleash shows about a client: its registration and its usage counts (best effort)."""

from __future__ import annotations

import json
import logging
import platform
import time
from datetime import UTC, datetime
from typing import Any

from zwobs.flags._connection import SDK, Connection
from zwobs.flags._fetch import FetchError
from zwobs.flags._usage import Usage

__all__ = ["Reporter"]

_log = logging.getLogger("zwobs.flags")
_STRATEGIES = (
    "default", "flexibleRollout", "userWithId", "remoteAddress", "applicationHostname",
    "gradualRolloutRandom", "gradualRolloutSessionId", "gradualRolloutUserId",
)  # fmt: skip


class Reporter:
    """Registers once per process, then sends the usage counted every ``interval`` seconds."""

    def __init__(
        self, connection: Connection, *, app_name: str, environment: str, interval: float
    ) -> None:
        self._connection = connection
        self._app_name = app_name
        self._environment = environment
        self._interval = interval
        self.after_fork()

    def after_fork(self) -> None:
        """Usage is counted per process: a forked child counts (and registers) anew."""
        self.usage = Usage()
        self._registered = False
        self._sent = time.monotonic()

    def _client_info(self) -> dict[str, Any]:
        return {
            "appName": self._app_name,
            "instanceId": self._connection.instance_id,
            "connectionId": self._connection.connection_id,
            "environment": self._environment,
            "platformName": platform.python_implementation(),
            "platformVersion": platform.python_version(),
        }

    def report(self) -> None:
        """Register if not yet done, then send the usage counted when due; never raises."""
        try:
            if not self._registered:
                register = {
                    **self._client_info(),
                    "sdkVersion": SDK,
                    "strategies": list(_STRATEGIES),
                    "started": datetime.now(UTC).isoformat(),
                    "interval": int(self._interval * 1000),
                }
                self._connection.post("register", json.dumps(register).encode())
                self._registered = True
            if time.monotonic() - self._sent < self._interval:
                return
            self._sent = time.monotonic()
            bucket = self.usage.take()
            if bucket is not None:
                body = json.dumps({**self._client_info(), "bucket": bucket}).encode()
                self._connection.post("metrics", body)
        except FetchError as exc:
            _log.debug("flags: usage report to Unleash failed: %s", exc.detail)
