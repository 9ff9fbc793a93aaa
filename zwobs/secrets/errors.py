"""Errors of zwobs.secrets: each names the path and the cause, never a secret value."""

from __future__ import annotations

__all__ = [
    "SecretConfigError",
    "SecretError",
    "SecretNotFoundError",
    "SecretPermissionError",
    "SecretUnavailableError",
]


class SecretError(Exception):
    """Base of every error zwobs.secrets raises."""


class SecretConfigError(SecretError, ValueError):
    """The configuration (environment, arguments, files) is wrong; fix it, retrying won't help."""


class SecretNotFoundError(SecretError, LookupError):
    """The path, version or key does not exist (a definite answer from the store)."""


class SecretPermissionError(SecretError, PermissionError):
    """The store refused: login rejected or the token's policy does not allow the operation.

    No backoff retries: an auth error surfaces at once, after at most one re-login when the auth
    method can log in again (AppRole, Kubernetes) and the store refused a request.
    """


class SecretUnavailableError(SecretError, ConnectionError):
    """The store cannot be reached (or keeps failing) and no value young enough is cached."""
