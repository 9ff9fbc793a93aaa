"""The process-wide client: built from the environment on first use, or by ``configure``."""

from __future__ import annotations

import os
import threading
from typing import Any

from zwobs.flags._client import FlagsClient
from zwobs.flags.errors import FlagsConfigError

__all__ = ["client", "configure", "current", "from_env"]

_client: FlagsClient | None = None
_lock = threading.Lock()


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise FlagsConfigError(f"{name}={raw!r}: expected a positive number of seconds")
    return value


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def from_env(**overrides: Any) -> FlagsClient:
    """A client configured from the environment; keyword arguments win over it.

    UNLEASH_URL (API root, e.g. http://unleash:4242/api), UNLEASH_API_TOKEN,
    UNLEASH_APP_NAME / ZWOBS_SERVICE / OTEL_SERVICE_NAME, UNLEASH_ENVIRONMENT /
    ZWOBS_ENVIRONMENT, UNLEASH_REFRESH_INTERVAL, UNLEASH_TIMEOUT, UNLEASH_PROJECT,
    UNLEASH_METRICS_INTERVAL, UNLEASH_DISABLE_METRICS, ZWOBS_FLAGS_FILE (bootstrap),
    ZWOBS_FLAGS_CACHE_DIR, ZWOBS_FLAGS_SPAN_EVENTS.
    """
    env = os.environ.get
    settings: dict[str, Any] = {
        "url": env("UNLEASH_URL") or None,
        "api_token": env("UNLEASH_API_TOKEN") or None,
        "app_name": env("UNLEASH_APP_NAME") or env("ZWOBS_SERVICE") or env("OTEL_SERVICE_NAME"),
        "environment": env("UNLEASH_ENVIRONMENT") or env("ZWOBS_ENVIRONMENT") or "default",
        "refresh_interval": _number("UNLEASH_REFRESH_INTERVAL", 15.0),
        "request_timeout": _number("UNLEASH_TIMEOUT", 5.0),
        "project": env("UNLEASH_PROJECT") or None,
        "bootstrap": env("ZWOBS_FLAGS_FILE") or None,
        "cache_dir": env("ZWOBS_FLAGS_CACHE_DIR") or None,
        "span_events": _truthy("ZWOBS_FLAGS_SPAN_EVENTS"),
        "send_metrics": not _truthy("UNLEASH_DISABLE_METRICS"),
        "metrics_interval": _number("UNLEASH_METRICS_INTERVAL", 60.0),
    }
    settings.update(overrides)
    return FlagsClient(**settings)


def configure(**settings: Any) -> FlagsClient:
    """Replace the process-wide client (environment first, ``settings`` win); returns it."""
    global _client  # the one process-wide client
    new = from_env(**settings)
    with _lock:
        old, _client = _client, new
    if old is not None:
        old.close()
    return new


def client() -> FlagsClient:
    """The process-wide client, created from the environment on first use."""
    global _client  # noqa: PLW0603
    current_client = _client
    if current_client is not None:
        return current_client
    with _lock:
        if _client is None:
            _client = from_env()
        return _client


def current() -> FlagsClient | None:
    """The process-wide client if one exists (metrics read it without creating one)."""
    return _client
