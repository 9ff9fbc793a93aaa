"""The process-wide client: built from the environment on first use, or by ``configure``.

It is the client whose readiness the default Prometheus registry exports.
"""

from __future__ import annotations

from typing import Any

from zwobs.env import EnvError, env_bool, env_seconds, env_str
from zwobs.flags._client import FlagsClient
from zwobs.flags._metrics import flag_metrics
from zwobs.flags.errors import FlagsConfigError
from zwobs.lifecycle.singleton import ProcessSingleton

__all__ = ["client", "configure", "current", "from_env", "reset"]


def from_env(**overrides: Any) -> FlagsClient:
    """A client configured from the environment; keyword arguments win over it.

    UNLEASH_URL (API root, e.g. http://unleash:4242/api), UNLEASH_API_TOKEN,
    UNLEASH_APP_NAME / ZWOBS_SERVICE / OTEL_SERVICE_NAME, UNLEASH_ENVIRONMENT /
    ZWOBS_ENVIRONMENT, UNLEASH_REFRESH_INTERVAL, UNLEASH_TIMEOUT, UNLEASH_PROJECT,
    UNLEASH_METRICS_INTERVAL, UNLEASH_DISABLE_METRICS, ZWOBS_FLAGS_FILE (bootstrap),
    ZWOBS_FLAGS_CACHE_DIR, ZWOBS_FLAGS_SPAN_EVENTS. Seconds and booleans follow
    zwobs.env's one rule (``30s``, ``500ms`` or a number; ``true``/``false``).
    """
    try:
        settings: dict[str, Any] = {
            "url": env_str("UNLEASH_URL"),
            "api_token": env_str("UNLEASH_API_TOKEN"),
            "app_name": env_str("UNLEASH_APP_NAME")
            or env_str("ZWOBS_SERVICE")
            or env_str("OTEL_SERVICE_NAME"),
            "environment": env_str("UNLEASH_ENVIRONMENT")
            or env_str("ZWOBS_ENVIRONMENT")
            or "default",
            "refresh_interval": env_seconds("UNLEASH_REFRESH_INTERVAL", 15.0),
            "request_timeout": env_seconds("UNLEASH_TIMEOUT", 5.0),
            "project": env_str("UNLEASH_PROJECT"),
            "bootstrap": env_str("ZWOBS_FLAGS_FILE"),
            "cache_dir": env_str("ZWOBS_FLAGS_CACHE_DIR"),
            "span_events": env_bool("ZWOBS_FLAGS_SPAN_EVENTS", False),
            "send_metrics": not env_bool("UNLEASH_DISABLE_METRICS", False),
            "metrics_interval": env_seconds("UNLEASH_METRICS_INTERVAL", 60.0),
        }
    except EnvError as exc:
        raise FlagsConfigError(str(exc)) from None
    settings.update(overrides)
    return FlagsClient(**settings)


def _process_client(**settings: Any) -> FlagsClient:
    new = from_env(**settings)
    flag_metrics().export_status(new)
    return new


_process: ProcessSingleton[FlagsClient] = ProcessSingleton(_process_client)


def configure(**settings: Any) -> FlagsClient:
    """Replace the process-wide client (environment first, ``settings`` win); returns it."""
    new = _process_client(**settings)
    old = _process.replace(new)
    if old is not None:
        old.close()
    return new


def client() -> FlagsClient:
    """The process-wide client, created from the environment on first use."""
    return _process.get()


def current() -> FlagsClient | None:
    """The process-wide client if one exists (nothing is created)."""
    return _process.current()


def reset() -> None:
    """Close and forget the process-wide client (tests): the next use builds a new one."""
    old = _process.replace(None)
    if old is not None:
        old.close()
