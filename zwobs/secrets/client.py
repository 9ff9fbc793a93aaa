"""SecretsClient: the in-process Vault Agent (cache, stale-if-error, renewal, rotation).

Reads inside the TTL are a dict lookup; a background thread refreshes values at
~2/3 of their TTL, renews the token and the leases. When the store is unreachable
the last good value is served up to ``max_staleness`` past its TTL (warning +
metric), then a clear error. A value is only ever served for the exact path and
version it was read for.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

from prometheus_client import CollectorRegistry

from zwobs.lifecycle import forks
from zwobs.lifecycle.schedule import Throttle, renew_point
from zwobs.secrets.backend import Backend, normalize_path
from zwobs.secrets.config import SecretsConfig
from zwobs.secrets.errors import (
    SecretConfigError,
    SecretError,
    SecretNotFoundError,
    SecretPermissionError,
    SecretUnavailableError,
)
from zwobs.secrets.filebackend import FileBackend
from zwobs.secrets.lease import Lease
from zwobs.secrets.metrics import metrics_for
from zwobs.secrets.value import SecretData, SecretValue, pick

__all__ = ["SecretsClient"]

_log = logging.getLogger("zwobs.secrets")
_Key = tuple[str, int | None]


@dataclass
class _Entry:
    data: SecretData
    fetched_at: float
    fresh_until: float
    refresh_at: float
    failures: int = 0
    retry_at: float = 0.0
    cause: str = ""
    warned: Throttle = field(default_factory=Throttle)
    refresh_warned: Throttle = field(default_factory=Throttle)


def make_backend(config: SecretsConfig) -> Backend:
    """Vault when ``addr`` is set (needs the ``secrets`` extra), else the file/env provider."""
    if config.addr is None:
        return FileBackend(config.file, env_prefix=config.env_prefix)
    try:
        # Imported here: hvac is an optional extra.
        from zwobs.secrets.vault import VaultBackend
    except ImportError as exc:
        raise SecretConfigError(
            f"VAULT_ADDR is set but hvac is not installed ({exc.name}): "
            "pip install 'zwobs[secrets]'"
        ) from None
    return VaultBackend(config)


class SecretsClient:
    """Secrets from Vault/OpenBao or the file/env provider, with the lifecycle around them."""

    def __init__(
        self,
        config: SecretsConfig | None = None,
        *,
        backend: Backend | None = None,
        registry: CollectorRegistry | None = None,
        clock: Callable[[], float] = time.monotonic,
        background: bool = True,
    ) -> None:
        self.config = config if config is not None else SecretsConfig.from_env()
        self.backend: Backend = backend if backend is not None else make_backend(self.config)
        suggested = self.backend.default_ttl
        self.ttl = min(self.config.ttl, suggested) if suggested else self.config.ttl
        self.max_staleness = self.config.max_staleness
        self._clock = clock
        self._entries: dict[_Key, _Entry] = {}
        self._paths: dict[str, str] = {}
        self._leases: dict[str, Lease] = {}
        self._inflight: dict[_Key, Future[SecretData]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        # Issuing a lease is rare and must happen once per key: two concurrent first
        # callers would otherwise each get credentials, and one lease would be orphaned.
        self._issue_lock = threading.Lock()
        self._closed = False
        self._background = background
        self._thread: threading.Thread | None = None
        self._metrics = metrics_for(registry)
        self._metrics.register(self)
        self.backend.observe(lambda result: self._count("token", result))
        forks.track(self)

    def after_fork_in_child(self) -> None:
        """In a forked child (gunicorn --preload): fresh locks, connections and upkeep thread."""
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._issue_lock = threading.Lock()
        self._inflight = {}
        had_thread, self._thread = self._thread is not None, None
        self.backend.after_fork()
        if had_thread:
            self._start()

    # --- reading ---------------------------------------------------------------------------

    @overload
    def get(self, path: str, key: None = None, *, version: int | None = None) -> SecretData: ...

    @overload
    def get(self, path: str, key: str, *, version: int | None = None) -> SecretValue: ...

    def get(
        self, path: str, key: str | None = None, *, version: int | None = None
    ) -> SecretData | SecretValue:
        """All keys of ``path`` (KV v2, latest or ``version``), or the one ``key``."""
        found = self.cached(path, key, version=version)
        if found is not None:
            return found
        k = (self._norm(path), version)
        return pick(self._load(k), key)

    def cached(
        self, path: str, key: str | None = None, *, version: int | None = None
    ) -> SecretData | SecretValue | None:
        """The value if it is cached inside its TTL, else None; never makes a request."""
        entry = self._entries.get((self._norm(path), version))
        if entry is None or self._clock() >= entry.fresh_until:
            return None
        self._metrics.cache_hits.inc()
        return pick(entry.data, key)

    def inflight(self, path: str, version: int | None = None) -> Future[SecretData] | None:
        """The fetch of ``path`` in flight now, if any (the async API awaits it threadless)."""
        return self._inflight.get((self._norm(path), version))

    def _norm(self, path: str) -> str:
        norm = self._paths.get(path)
        if norm is None:
            norm = normalize_path(path)
            if len(self._paths) < 10_000:
                self._paths[path] = norm
        return norm

    def _load(self, k: _Key) -> SecretData:
        """One fetch per key at a time: concurrent callers wait for the one in flight."""
        with self._lock:
            future = self._inflight.get(k)
            leader = future is None
            if future is None:
                future = self._inflight[k] = Future()
                # Running: an awaiter that is cancelled (asyncio.wrap_future) cannot cancel it.
                future.set_running_or_notify_cancel()
        if not leader:
            return future.result()
        try:
            data = self._fetch(k)
        except BaseException as exc:
            future.set_exception(exc)
            raise
        else:
            future.set_result(data)
            return data
        finally:
            with self._lock:
                self._inflight.pop(k, None)
            self._start()

    def _fetch(self, k: _Key) -> SecretData:
        path, version = k
        now = self._clock()
        entry = self._entries.get(k)
        if entry is not None and now < entry.fresh_until:
            return entry.data
        if entry is not None and now < entry.retry_at:
            return self._serve_stale(k, entry, now)
        try:
            # With a stale value to fall back on, one attempt: the caller is waiting.
            data = self.backend.read_kv(path, version, attempts=1 if entry else None)
        except SecretUnavailableError as exc:
            if entry is None:
                self._count("kv", "error")
                raise
            # _serve_stale counts this read (stale, or error past max_staleness): once.
            entry.failures += 1
            entry.cause = str(exc)
            entry.retry_at = now + self._retry_delay(entry.failures)
            return self._serve_stale(k, entry, now)
        except (SecretNotFoundError, SecretPermissionError) as exc:
            self._entries.pop(k, None)
            self._count("kv", "not_found" if isinstance(exc, SecretNotFoundError) else "denied")
            raise
        except SecretError:
            self._count("kv", "error")
            raise
        self._count("kv", "ok")
        self._store(k, data, now)
        return data

    def _store(self, k: _Key, data: SecretData, now: float) -> None:
        old = self._entries.get(k)
        if old is not None and old.data.version != data.version:
            _log.info("secret %s rotated: version %s -> %s", k[0], old.data.version, data.version)
        if old is not None and old.failures:
            _log.info(
                "secret %s: store reachable again, fresh value after %d failure(s)",
                k[0],
                old.failures,
            )
        self._entries[k] = _Entry(
            data=data,
            fetched_at=now,
            fresh_until=now + self.ttl,
            refresh_at=now + renew_point(self.ttl),
        )

    def _serve_stale(self, k: _Key, entry: _Entry, now: float) -> SecretData:
        stale_for = now - entry.fresh_until
        what = k[0] + (f" version {k[1]}" if k[1] is not None else "")
        if stale_for > self.max_staleness:
            self._count("kv", "error")
            raise SecretUnavailableError(
                f"secret {what}: the store is unavailable ({entry.cause}) and the last good value "
                f"is {stale_for:.1f}s past its {self.ttl:.0f}s TTL, beyond max_staleness="
                f"{self.max_staleness:.0f}s; not serving it"
            )
        self._count("kv", "stale")
        if entry.warned.ready(now):
            _log.warning(
                "secret %s: serving the last good value, %.1fs past its TTL (max staleness %.0fs), "
                "because the store is unavailable: %s",
                what,
                stale_for,
                self.max_staleness,
                entry.cause,
            )
        return entry.data

    def _retry_delay(self, failures: int) -> float:
        return self.config.retry.backoff.retry_in(failures)

    def _count(self, kind: str, result: str) -> None:
        self._metrics.fetches.labels(kind, result).inc()

    # --- writing ---------------------------------------------------------------------------

    def put(self, path: str, data: Mapping[str, Any], *, cas: int | None = None) -> int:
        """Write a new KV v2 version of ``path`` (check-and-set with ``cas``); returns it."""
        norm = self._norm(path)
        version = self.backend.write_kv(norm, data, cas)
        self._entries.pop((norm, None), None)
        return version

    # --- dynamic secrets -------------------------------------------------------------------

    def lease(self, path: str, params: Mapping[str, Any] | None = None) -> Lease:
        """Credentials from a dynamic secrets engine, kept renewed (POST with ``params``, else GET).

        The same path and params give the same Lease: read its keys at the point of use.
        """
        norm = self._norm(path)
        key = norm + "?" + json.dumps(dict(params or {}), sort_keys=True, default=str)
        with self._issue_lock:
            with self._lock:
                found = self._leases.get(key)
            if found is not None:
                return found
            try:
                grant = self.backend.issue(norm, params)
            except SecretError as exc:
                self._count("lease", _result_of(exc))
                raise
            self._count("lease", "ok")
            lease = Lease(norm, params, grant, self._clock(), self._clock)
            with self._lock:
                self._leases[key] = lease
        self._start()
        return lease

    def _maintain_lease(self, lease: Lease, now: float) -> float | None:
        if lease.renew_at is None or now < lease.renew_at:
            return lease.renew_at
        if lease.renewable and not lease.final:
            try:
                granted, renewable = self.backend.renew(lease.lease_id, lease.renewal.requested)
            except SecretUnavailableError as exc:
                self._count("lease", "error")
                return self._lease_retry(lease, now, str(exc))
            except SecretError as exc:
                # Lease gone (revoked, server restarted) or not renewable: issue new credentials.
                _log.info(
                    "lease %s: renewal refused (%s), issuing new credentials", lease.path, exc
                )
            else:
                self._count("lease", "ok")
                lease.renewed(granted, renewable, now)
                return lease.renew_at
        try:
            grant = self.backend.issue(lease.path, lease.params, attempts=1)
        except SecretError as exc:
            self._count("lease", _result_of(exc))
            return self._lease_retry(lease, now, str(exc))
        self._count("lease", "ok")
        lease.apply(grant, now)
        _log.info("lease %s: new credentials issued (generation %d)", lease.path, lease.generation)
        return lease.renew_at

    def _lease_retry(self, lease: Lease, now: float, cause: str) -> float:
        def warn(failures: int) -> None:
            _log.warning(
                "lease %s: upkeep failed (%d so far), will retry: %s", lease.path, failures, cause
            )

        return lease.renewal.failed(now, self.config.retry.backoff, warn)

    # --- background upkeep -----------------------------------------------------------------

    def maintain(self) -> float | None:
        """Do every renewal and refresh that is due now; returns when the next one is due.

        The background thread calls this; tests with a fake clock call it directly.
        """
        now = self._clock()
        due: list[float] = []
        try:
            t = self.backend.maintain(now)
            if t is not None:
                due.append(t)
        except Exception as exc:
            self._count("token", _result_of(exc))
            _log.warning("token upkeep failed: %s", _describe(exc))
        for k, entry in list(self._entries.items()):
            if now >= entry.refresh_at and now >= entry.retry_at and k not in self._inflight:
                self._refresh(k, entry, now)
            current = self._entries.get(k)
            if current is not None:
                due.append(max(current.refresh_at, current.retry_at))
        for lease in list(self._leases.values()):
            try:
                t = self._maintain_lease(lease, now)
            except Exception as exc:
                _log.warning("lease %s: upkeep failed: %s", lease.path, _describe(exc))
                t = now + 1.0
            if t is not None:
                due.append(t)
        return min(due, default=None)

    def _refresh(self, k: _Key, entry: _Entry, now: float) -> None:
        try:
            # One attempt: a failure reschedules this entry with backoff, and a hung store
            # must not hold up the token and lease renewals behind it.
            data = self.backend.read_kv(k[0], k[1], attempts=1)
        except (SecretNotFoundError, SecretPermissionError) as exc:
            self._count("kv", _result_of(exc))
            self._entries.pop(k, None)
            _log.warning("secret %s dropped from the cache: %s", k[0], exc)
        except Exception as exc:
            self._count("kv", "error")
            entry.failures += 1
            entry.cause = _describe(exc)
            entry.retry_at = entry.refresh_at = now + self._retry_delay(entry.failures)
            if entry.refresh_warned.ready(now):
                _log.warning(
                    "secret %s: refresh failed (%d so far), will retry: %s",
                    k[0],
                    entry.failures,
                    entry.cause,
                )
        else:
            self._count("kv", "ok")
            self._store(k, data, now)

    def _start(self) -> None:
        if not self._background or self._thread is not None or self._closed:
            if self._thread is not None:
                with self._wake:
                    self._wake.notify()
            return
        with self._lock:
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(
                    target=self._run, name="zwobs-secrets-upkeep", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                next_due = self.maintain()
            except Exception as exc:  # the upkeep thread must outlive any bug
                _log.error("secrets upkeep failed: %s", _describe(exc))
                next_due = None
            with self._wake:
                if self._closed:
                    return
                wait = 30.0 if next_due is None else next_due - self._clock()
                self._wake.wait(timeout=min(30.0, max(0.02, wait)))
                if self._closed:
                    return

    # --- observability and shutdown ---------------------------------------------------------

    def staleness_seconds(self) -> float:
        """How far past its TTL the stalest cached value is (what stale-if-error would serve)."""
        if self._closed:
            return 0.0
        now = self._clock()
        stale = [now - e.fresh_until for e in list(self._entries.values()) if e.failures]
        return max(0.0, *stale) if stale else 0.0

    def expiry_seconds(self, kind: str) -> float:
        """Seconds until the token (``kind="token"``) or the soonest lease expires; inf: never."""
        if self._closed:
            return float("inf")
        now = self._clock()
        if kind == "token":
            at = self.backend.token_expires_at()
            return float("inf") if at is None else at - now
        times = [lease.expires_at for lease in list(self._leases.values()) if lease.expires_at]
        return min(times) - now if times else float("inf")

    def close(self, *, revoke_leases: bool = False) -> None:
        """Stop the upkeep thread (and revoke the leases if asked); idempotent."""
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
        if revoke_leases:
            for lease in list(self._leases.values()):
                if lease.lease_id:
                    try:
                        self.backend.revoke(lease.lease_id)
                    except Exception as exc:
                        _log.warning("lease %s: revoke failed: %s", lease.path, _describe(exc))
        self.backend.close()

    def __enter__(self) -> SecretsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SecretsClient({self.backend.describe}, cached={len(self._entries)})"

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        file: Path | None = None,
        registry: CollectorRegistry | None = None,
    ) -> SecretsClient:
        """Vault when VAULT_ADDR is set, else the file/env provider (``file``: default file)."""
        return cls(SecretsConfig.from_env(env, file=file), registry=registry)


def _result_of(exc: BaseException) -> str:
    if isinstance(exc, SecretNotFoundError):
        return "not_found"
    if isinstance(exc, SecretPermissionError):
        return "denied"
    return "error"


def _describe(exc: BaseException) -> str:
    """Our own errors carry safe messages; anything else is named by its type only."""
    return str(exc) if isinstance(exc, SecretError) else type(exc).__name__
