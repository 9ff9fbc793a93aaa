"""The embedded provider: secrets from a YAML/JSON file and ZWOBS_SECRET_* variables.

Same API as Vault, so the demo and unit tests run without a server and a service
switches by configuration alone. The file is re-read when it changes (rotation).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from zwobs.secrets.backend import LeaseGrant, normalize_path
from zwobs.secrets.errors import SecretConfigError, SecretError, SecretNotFoundError
from zwobs.secrets.value import SecretData
from zwobs.yamlread import YamlInputError, load_documents, read_text

__all__ = ["FileBackend", "env_name"]

_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def env_name(prefix: str, path: str, key: str) -> str:
    """The variable that holds ``key`` of ``path``: ``ZWOBS_SECRET_APP_DB__PASSWORD``."""
    return f"{prefix}{_env_part(path)}__{_env_part(key)}"


def _env_part(text: str) -> str:
    return _NON_ALNUM.sub("_", text).strip("_").upper()


class FileBackend:
    """Reads ``{path: {key: value}}`` from a file; environment variables override it."""

    kind = "file"
    default_ttl: float | None = 5.0

    def __init__(
        self,
        file: Path | None = None,
        *,
        env: Mapping[str, str] | None = None,
        env_prefix: str = "ZWOBS_SECRET_",
    ) -> None:
        self._file = file
        self._env = env
        self._prefix = env_prefix
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._secrets: dict[str, dict[str, Any]] = {}
        self.describe = f"file provider ({file})" if file else "environment provider"
        if file is not None:
            self._load()

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._file is None:
            return {}
        with self._lock:
            try:
                st = self._file.stat()
            except OSError as exc:
                raise SecretConfigError(
                    f"secrets file {self._file}: cannot read it ({exc.strerror})"
                ) from None
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp != self._stamp:
                self._secrets = _parse(self._file)
                self._stamp = stamp
            return self._secrets

    def after_fork(self) -> None:
        """In a forked child: an own lock (the parent's upkeep thread may have held it)."""
        self._lock = threading.Lock()

    def _from_env(self, path: str) -> dict[str, str]:
        env = os.environ if self._env is None else self._env
        head = f"{self._prefix}{_env_part(path)}__"
        return {k[len(head) :].lower(): v for k, v in env.items() if k.startswith(head)}

    def read_kv(self, path: str, version: int | None, *, attempts: int | None = None) -> SecretData:
        path = normalize_path(path)
        if version is not None:
            raise SecretNotFoundError(
                f"secret {path!r} version {version}: the {self.describe} keeps one version only"
            )
        items = dict(self._load().get(path, {}))
        items.update(self._from_env(path))
        if not items:
            where = f"in {self._file} or " if self._file else ""
            raise SecretNotFoundError(
                f"secret {path!r} not found {where}in variables {self._prefix}{_env_part(path)}__*"
            )
        return SecretData(path, items, None)

    def write_kv(self, path: str, data: Mapping[str, Any], cas: int | None) -> int:
        raise SecretError(f"cannot write {path!r}: the {self.describe} is read-only")

    def issue(
        self, path: str, params: Mapping[str, Any] | None, *, attempts: int | None = None
    ) -> LeaseGrant:
        return LeaseGrant(self.read_kv(path, None), lease_id="", duration=0.0, renewable=False)

    def renew(self, lease_id: str, increment: float) -> tuple[float, bool]:
        return 0.0, False

    def maintain(self, now: float) -> float | None:
        return None

    def token_expires_at(self) -> float | None:
        return None

    def revoke(self, lease_id: str) -> None:
        return None  # file "leases" never expire: nothing to end

    def observe(self, callback: Callable[[str], None]) -> None:
        return None  # no token: nothing to report

    def close(self) -> None:
        return None


MAX_FILE_BYTES = 4 * 1024 * 1024
"""A secrets file is a handful of keys; anything larger is refused before parsing."""
MAX_FILE_NODES = 100_000
"""Nodes per document with aliases expanded: an alias bomb is refused, not expanded."""


def _parse(file: Path) -> dict[str, dict[str, Any]]:
    try:
        text = read_text(file, max_bytes=MAX_FILE_BYTES)
        docs = load_documents(text, str(file), max_nodes=MAX_FILE_NODES)
    except YamlInputError as exc:
        # Position and problem only: PyYAML's own message quotes the line, maybe a secret.
        raise SecretConfigError(
            f"secrets file {exc.file}, line {exc.line}, column {exc.column}: {exc.message}"
        ) from None
    if len(docs) > 1:
        raise SecretConfigError(f"secrets file {file}: expected one YAML document, got {len(docs)}")
    doc = docs[0] if docs else None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise SecretConfigError(
            f"secrets file {file}: expected a mapping of path -> {{key: value}}, "
            f"got a {type(doc).__name__}"
        )
    out: dict[str, dict[str, Any]] = {}
    for raw_path, keys in doc.items():
        if not isinstance(keys, dict):
            raise SecretConfigError(
                f"secrets file {file}, path {raw_path!r}: expected a mapping of key -> value, "
                f"got a {type(keys).__name__}"
            )
        out[normalize_path(str(raw_path))] = {str(k): v for k, v in keys.items()}
    return out
