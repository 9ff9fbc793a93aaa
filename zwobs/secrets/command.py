"""``zwobs secrets check``: can this configuration read this secret? Never prints a value.

For a deploy pipeline or an on-call shell: it uses the same environment as the service
(VAULT_ADDR, VAULT_TOKEN, ZWOBS_*), logs in, reads the path and prints where from, the
version, the key names and how long the token lives.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from prometheus_client import CollectorRegistry

from zwobs.secrets.client import SecretsClient
from zwobs.secrets.config import RetryPolicy, SecretsConfig
from zwobs.secrets.errors import (
    SecretConfigError,
    SecretError,
    SecretNotFoundError,
    SecretPermissionError,
    SecretUnavailableError,
)

__all__ = ["configure"]

EXIT_OK, EXIT_USER, EXIT_UNAVAILABLE = 0, 2, 3


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="secrets_command", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="read a secret with this environment's configuration; print key names, never values",
        description="Exit 0 readable, 2 configuration error, denied or not found,"
        " 3 store unavailable.",
    )
    check.add_argument("path", help="secret path, e.g. app/db (KV v2, under the configured mount)")
    check.add_argument("--key", action="append", default=[], help="a key that must exist")
    check.add_argument("--version", type=int, default=None, help="a KV v2 version")
    check.add_argument(
        "--file", type=Path, default=None, help="file provider when VAULT_ADDR is unset"
    )
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    try:
        config = SecretsConfig.from_env(file=args.file)
        config = replace(config, retry=RetryPolicy(attempts=min(config.retry.attempts, 2)))
        client = SecretsClient(config, registry=CollectorRegistry(), background=False)
    except SecretConfigError as exc:
        print(f"zwobs secrets: {exc}", file=sys.stderr)
        return EXIT_USER
    try:
        data = client.get(args.path, version=args.version)
        for key in args.key:
            client.get(args.path, key, version=args.version)
        token = client.expiry_seconds("token")
    except SecretUnavailableError as exc:
        print(f"zwobs secrets: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except (SecretConfigError, SecretNotFoundError, SecretPermissionError, SecretError) as exc:
        print(f"zwobs secrets: {exc}", file=sys.stderr)
        return EXIT_USER
    finally:
        client.close()
    version = f" version {data.version}" if data.version is not None else ""
    print(f"ok: {data.path}{version} from {client.backend.describe}")
    print(f"keys: {', '.join(sorted(data)) or '(none)'}")
    if token != float("inf"):
        print(f"token expires in {token:.0f}s")
    return EXIT_OK
