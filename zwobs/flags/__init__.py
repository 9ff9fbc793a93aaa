"""Feature flags over Unleash that never block, never go stale, and work offline.

    from zwobs import flags
    if flags.is_enabled("new_chat_ui"):          # request context (user, address) is automatic
        ...
    flags.configure(bootstrap="flags.yaml")      # or env: ZWOBS_FLAGS_FILE, UNLEASH_URL

The process-wide client comes from the environment on first use (see
``from_env``); ``FlagsClient`` is there for whoever needs several. Evaluation is
Unleash's own engine (the ``flags`` extra, UnleashClient); on/off flags from a
bootstrap file work without it. Tests force flags with ``zwobs.flags.testing``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from zwobs.flags._client import FlagsClient
from zwobs.flags._context import ContextExtractor, starlette_user
from zwobs.flags._process import client, configure, from_env
from zwobs.flags.bootstrap import load_bootstrap
from zwobs.flags.errors import FlagsConfigError, FlagsUnavailableError
from zwobs.flags.status import FlagStatus
from zwobs.flags.variant import Variant

__all__ = [
    "ContextExtractor",
    "FlagStatus",
    "FlagsClient",
    "FlagsConfigError",
    "FlagsUnavailableError",
    "Variant",
    "client",
    "configure",
    "from_env",
    "get_float",
    "get_int",
    "get_json",
    "get_string",
    "get_variant",
    "is_enabled",
    "load_bootstrap",
    "starlette_user",
    "status",
    "wait_until_ready",
]


def is_enabled(
    name: str,
    default: bool = False,
    *,
    user_id: str | None = None,
    session_id: str | None = None,
    remote_address: str | None = None,
    current_time: datetime | str | None = None,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
) -> bool:
    """Whether ``name`` is on (process-wide client); ``default`` when the flag is unknown."""
    return client().is_enabled(
        name,
        default,
        user_id=user_id,
        session_id=session_id,
        remote_address=remote_address,
        current_time=current_time,
        properties=properties,
        context=context,
    )


def get_variant(
    name: str,
    default: Variant | None = None,
    *,
    user_id: str | None = None,
    session_id: str | None = None,
    remote_address: str | None = None,
    current_time: datetime | str | None = None,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
) -> Variant:
    """The variant of ``name`` (process-wide client); ``default`` or ``disabled`` when unknown."""
    return client().get_variant(
        name,
        default,
        user_id=user_id,
        session_id=session_id,
        remote_address=remote_address,
        current_time=current_time,
        properties=properties,
        context=context,
    )


def get_string(name: str, default: str, **context: Any) -> str:
    """The enabled variant's payload as text, else ``default``."""
    return client().get_string(name, default, **context)


def get_int(name: str, default: int, **context: Any) -> int:
    """The enabled variant's payload as an integer, else ``default``."""
    return client().get_int(name, default, **context)


def get_float(name: str, default: float, **context: Any) -> float:
    """The enabled variant's payload as a number, else ``default``."""
    return client().get_float(name, default, **context)


def get_json(name: str, default: Any, **context: Any) -> Any:
    """The enabled variant's payload parsed as JSON, else ``default``."""
    return client().get_json(name, default, **context)


def status() -> FlagStatus:
    """Readiness and health of the process-wide client."""
    return client().status()


def wait_until_ready(timeout: float | None = None) -> bool:
    """Wait up to ``timeout`` seconds for the process-wide client's first server state."""
    return client().wait_until_ready(timeout)
