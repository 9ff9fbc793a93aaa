"""The Vault/OpenBao store over hvac, with the lifecycle hvac leaves to its users.

Token renewal at ~2/3 of its TTL, re-login when renewal is impossible or the max
TTL is near, retries with jittered backoff on connection errors, 5xx, 412 and 429,
and no retry on auth errors, which surface at once with a clear message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar

from zwobs.extras import missing_extra

try:
    import hvac
    import hvac.exceptions as hx
    import requests
    from hvac.adapters import JSONAdapter
except ModuleNotFoundError as _missing:
    raise missing_extra(_missing, "secrets", "the Vault/OpenBao backend") from None

from zwobs.lifecycle.schedule import DENIED_BACKOFF, Backoff, Renewal
from zwobs.secrets.auth import Auth
from zwobs.secrets.backend import LeaseGrant, normalize_path
from zwobs.secrets.config import SecretsConfig
from zwobs.secrets.errors import (
    SecretConfigError,
    SecretError,
    SecretNotFoundError,
    SecretPermissionError,
    SecretUnavailableError,
)
from zwobs.secrets.value import SecretData, SecretValue

__all__ = ["VaultBackend"]

_log = logging.getLogger("zwobs.secrets")
T = TypeVar("T")

_RETRY_STATUS = frozenset({412, 429})
_AUTH_STATUS = frozenset({400, 401, 403})
_RELOGIN_INTERVAL = 2.0
"""At most one re-login per this many seconds when a request is denied (avoids login storms)."""


class _NotVaultError(Exception):
    """The server answered, but not as Vault does (an HTML login page, a proxy, JSON of another
    shape): treated like an outage, so stale-if-error applies and nothing crashes on it."""


def _is_json(response: requests.Response) -> bool:
    return "json" in response.headers.get("Content-Type", "").lower()


def _not_vault(response: requests.Response) -> _NotVaultError:
    kind = response.headers.get("Content-Type", "").split(";")[0].strip() or "no content type"
    return _NotVaultError(f"HTTP {response.status_code} answered with {kind}, not Vault's JSON")


class _StatusAdapter(JSONAdapter):
    """hvac's JSON adapter, keeping the HTTP status on the exception (hvac folds 412, 504) and
    refusing any answer that is not Vault's JSON (hvac hands such a body back as is)."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        response = super().request(*args, **kwargs)
        if isinstance(response, requests.Response):
            if response.status_code == 204:  # no content: writes, revocations
                return response
            raise _not_vault(response)
        if not isinstance(response, dict):
            raise _NotVaultError(f"JSON {type(response).__name__}, not a Vault answer object")
        return response

    def _raise_for_error(self, method: str, url: str, response: requests.Response) -> NoReturn:
        if not _is_json(response) and response.status_code < 500:
            raise _not_vault(response)  # Vault's own errors are JSON; a 5xx page is an outage
        try:
            super()._raise_for_error(method, url, response)  # type: ignore[misc]
        except hx.VaultError as exc:
            exc.status_code = response.status_code  # type: ignore[attr-defined]
            raise
        raise hx.UnexpectedError(f"HTTP {response.status_code}", method=method, url=url)


def _field(body: Any, *keys: str) -> Any:
    """``body[k1][k2]...``; _NotVaultError when the answer lacks that shape."""
    for key in keys:
        if not isinstance(body, dict) or key not in body:
            raise _NotVaultError(f"the answer has no {'.'.join(keys)!r}: not a Vault answer")
        body = body[key]
    return body


def _status(exc: BaseException) -> int | None:
    code = getattr(exc, "status_code", None)
    return code if isinstance(code, int) else None


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout):
        return True
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return True
    code = _status(exc)
    return code is not None and (code >= 500 or code in _RETRY_STATUS)


def _reason(exc: BaseException) -> str:
    """A short cause from the server's error list or the exception type, never a response body."""
    if isinstance(exc, hx.VaultError):
        errors = exc.errors if isinstance(exc.errors, list) else []
        text = "; ".join(str(e) for e in errors)[:200]
        code = _status(exc)
        head = f"HTTP {code}" if code is not None else type(exc).__name__
        return f"{head}: {text}" if text else head
    if isinstance(exc, _NotVaultError):
        return str(exc)
    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.ReadTimeout):
        return f"timeout ({type(exc).__name__})"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return f"connection failed ({type(exc).__name__})"
    return type(exc).__name__


class VaultBackend:
    """One hvac client plus its token; thread-safe."""

    kind = "vault"
    default_ttl: float | None = None

    def __init__(
        self,
        config: SecretsConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if config.addr is None:
            raise SecretConfigError("Vault backend: VAULT_ADDR (addr) is not set")
        if config.auth is None:
            raise SecretConfigError(
                f"Vault backend at {config.addr}: no auth configured (token, AppRole or Kubernetes)"
            )
        self._config = config
        self._auth: Auth = config.auth
        self._clock = clock
        self._sleep = sleep
        self.addr = config.addr.rstrip("/")
        self.describe = f"Vault at {self.addr}"
        self._client = hvac.Client(
            url=self.addr,
            namespace=config.namespace,
            verify=config.verify,
            cert=config.client_cert,
            timeout=config.timeout,  # type: ignore[arg-type]
            session=self._session(),
            adapter=_StatusAdapter,
        )
        self._lock = threading.RLock()
        self._logged_in = False
        self._token = Renewal()
        self._renewable = False
        self._last_login = float("-inf")
        self._warned_final = False
        self.logins = 0
        self.renewals = 0
        self._observer: Callable[[str], None] = lambda result: None

    def observe(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(result)`` for each login or renewal (ok, denied, error): metrics."""
        self._observer = callback

    # --- token lifecycle ---------------------------------------------------------------

    def _login(self) -> None:
        """Obtain a token; a rejection raises SecretPermissionError, transport errors propagate."""
        with self._lock:
            self._last_login = self._clock()
            try:
                result = self._auth.login(self._client)
            except (LookupError, TypeError, AttributeError) as exc:
                self._observer("error")  # the login answer is not Vault's
                kind = type(exc).__name__
                raise _NotVaultError(f"the login answer is not Vault's ({kind})") from None
            except Exception as exc:
                denied = _status(exc) in _AUTH_STATUS or isinstance(exc, SecretError)
                self._observer("denied" if denied else "error")
                if isinstance(exc, hx.VaultError) and _status(exc) in _AUTH_STATUS:
                    self._logged_in = False
                    raise SecretPermissionError(
                        f"{self._auth.describe()} rejected by {self.addr} ({_reason(exc)}); "
                        "check the credentials and the auth mount"
                    ) from None
                raise
            now = self._clock()
            self._client.token = result.token.reveal()
            self._renewable = result.renewable
            self._warned_final = False
            self._token.start(result.ttl, now)
            self._logged_in = True
            self.logins += 1
            self._observer("ok")
            _log.info("%s: logged in, token TTL %.0fs", self._auth.describe(), result.ttl)

    def _ensure_login(self) -> None:
        if self._logged_in and not self._token.expired(self._clock()):
            return
        with self._lock:
            if self._logged_in and not self._token.expired(self._clock()):
                return
            if self._logged_in and not self._auth.can_login:
                raise SecretPermissionError(
                    f"the token for {self.addr} has expired and {self._auth.describe()} "
                    "cannot obtain a new one; give the service a fresh token"
                )
            self._login()

    def maintain(self, now: float) -> float | None:
        """Renew at ~2/3 TTL; re-login when renewal is impossible, capped, or the token is gone."""
        with self._lock:
            token = self._token
            # Not logged in after a refused background login: keep trying (slowly) when the
            # auth method can log in; the store may have come back before its auth setup.
            if token.renew_at is None or not (self._logged_in or self._auth.can_login):
                return None
            if now < token.renew_at:
                return token.renew_at
            expired = token.expired(now)
            if self._logged_in and self._renewable and not token.final and not expired:
                try:
                    increment = f"{int(token.requested)}s"
                    auth = _field(self._client.auth.token.renew_self(increment=increment), "auth")
                except Exception as exc:
                    denied = _status(exc) in _AUTH_STATUS
                    self._observer("denied" if denied else "error")
                    if not denied:
                        return self._upkeep_retry(now, exc)
                    # The token is gone (revoked, server restarted): fall through to re-login.
                else:
                    self.renewals += 1
                    self._observer("ok")
                    granted = float(auth.get("lease_duration") or 0)
                    self._renewable = bool(auth.get("renewable"))
                    # Capped below what was asked: the max TTL is near, next time log in again.
                    token.renewed(granted, now)
                    _log.debug(
                        "token renewed for %.0fs%s", granted, " (max TTL near)" * token.final
                    )
                    return token.renew_at
            if self._auth.can_login:
                try:
                    self._login()
                except SecretPermissionError as exc:
                    return self._upkeep_retry(now, exc, DENIED_BACKOFF)
                except Exception as exc:
                    return self._upkeep_retry(now, exc)
                return self._token.renew_at
            if not self._warned_final:
                self._warned_final = True
                _log.warning(
                    "the token for %s cannot be renewed further (%s); %s cannot log in again",
                    self.addr,
                    "expired" if expired else "not renewable or at its max TTL",
                    self._auth.describe(),
                )
            token.renew_at = None
            return None

    def _upkeep_retry(
        self, now: float, exc: BaseException, backoff: Backoff | None = None
    ) -> float:
        """Schedule the next renewal/login attempt with backoff; warn at most every 30 s."""

        def warn(failures: int) -> None:
            _log.warning(
                "token upkeep for %s failed (%d so far), will retry: %s",
                self.addr,
                failures,
                _safe_reason(exc),
            )

        return self._token.failed(now, backoff or self._config.retry.backoff, warn)

    def _session(self) -> requests.Session:
        """Our own session (no urllib3 retries: ours apply); hvac takes TLS settings from it."""
        session = requests.Session()
        session.verify = self._config.verify
        if self._config.client_cert is not None:
            session.cert = self._config.client_cert
        return session

    def after_fork(self) -> None:
        """In a forked child: own connections and lock (the parent's sockets are not ours)."""
        self._lock = threading.RLock()
        self._client.session = self._session()

    def token_expires_at(self) -> float | None:
        return self._token.expires_at if self._logged_in else None

    # --- requests ------------------------------------------------------------------------

    def _call(self, what: str, fn: Callable[[], T], attempts: int | None = None) -> T:
        """Run one request with login, re-login on a denied token, and retries with backoff."""
        limit = attempts or self._config.retry.attempts
        attempt = 0
        relogged = False
        while True:
            try:
                self._ensure_login()
                return fn()
            except SecretError:
                raise
            except hx.VaultError as exc:
                code = _status(exc)
                if code in {401, 403}:
                    if (
                        not relogged
                        and self._auth.can_login
                        and self._clock() - self._last_login > _RELOGIN_INTERVAL
                    ):
                        relogged = True
                        self._logged_in = False
                        continue
                    raise SecretPermissionError(
                        f"{what}: permission denied by {self.addr} ({_reason(exc)}); "
                        f"the policies of the token from {self._auth.describe()} do not allow it"
                    ) from None
                if code == 404:
                    raise SecretNotFoundError(f"{what}: not found at {self.addr}") from None
                if not _retryable(exc):
                    raise SecretError(f"{what}: rejected by {self.addr} ({_reason(exc)})") from None
                attempt = self._retry_or_raise(what, exc, attempt, limit)
            except _NotVaultError as exc:
                attempt = self._retry_or_raise(what, exc, attempt, limit)
            except requests.exceptions.SSLError:
                raise SecretConfigError(
                    f"{what}: TLS verification of {self.addr} failed; set VAULT_CACERT or "
                    "VAULT_CAPATH to the CA that signed its certificate"
                ) from None
            except (requests.exceptions.RequestException, OSError) as exc:
                if not _retryable(exc):
                    raise SecretError(
                        f"{what}: request to {self.addr} failed ({_reason(exc)})"
                    ) from None
                attempt = self._retry_or_raise(what, exc, attempt, limit)

    def _retry_or_raise(self, what: str, exc: BaseException, attempt: int, limit: int) -> int:
        attempt += 1
        if attempt >= limit:
            raise SecretUnavailableError(
                f"{what}: {self.addr} unavailable after {attempt} attempt(s) ({_reason(exc)})"
            ) from None
        delay = self._config.retry.backoff.delay(attempt)
        _log.debug("%s: %s, retry %d in %.2fs", what, _reason(exc), attempt, delay)
        self._sleep(delay)
        return attempt

    def read_kv(self, path: str, version: int | None, *, attempts: int | None = None) -> SecretData:
        path = normalize_path(path)
        mount = self._config.kv_mount
        what = f"read {mount}/{path}" + (f" version {version}" if version is not None else "")

        def read() -> Any:
            body = self._client.secrets.kv.v2.read_secret_version(
                path, version=version, mount_point=mount, raise_on_deleted_version=True
            )
            data, metadata = _field(body, "data"), _field(body, "data", "metadata")
            if not isinstance(data, dict) or not isinstance(metadata, dict):
                raise _NotVaultError("a KV read answer without data and metadata objects")
            return data

        data = self._call(what, read, attempts)
        got = data["metadata"].get("version")
        if version is not None and got != version:
            raise SecretError(f"{what}: the server answered with version {got}, refusing it")
        values = data.get("data")
        if not isinstance(values, dict):
            raise SecretNotFoundError(f"{what}: no data (deleted or destroyed version)")
        return SecretData(path, values, got if isinstance(got, int) else None)

    def write_kv(self, path: str, data: Mapping[str, Any], cas: int | None) -> int:
        path = normalize_path(path)
        mount = self._config.kv_mount
        plain = {k: v.reveal() if isinstance(v, SecretValue) else v for k, v in data.items()}

        def write() -> int:
            body = self._client.secrets.kv.v2.create_or_update_secret(
                path, secret=plain, cas=cas, mount_point=mount
            )
            version = _field(body, "data", "version")
            if not isinstance(version, int):
                raise _NotVaultError("a KV write answer without a version number")
            return version

        return self._call(f"write {mount}/{path}", write, attempts=1 if cas is not None else None)

    def issue(
        self, path: str, params: Mapping[str, Any] | None, *, attempts: int | None = None
    ) -> LeaseGrant:
        path = normalize_path(path)

        def request() -> Any:
            if params:
                return self._client.adapter.post(f"/v1/{path}", json=dict(params))
            return self._client.adapter.get(f"/v1/{path}")

        body = self._call(f"lease {path}", request, attempts)
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise SecretNotFoundError(f"lease {path}: {self.addr} returned no data")
        return LeaseGrant(
            data=SecretData(path, body["data"], None),
            lease_id=str(body.get("lease_id") or ""),
            duration=float(body.get("lease_duration") or 0),
            renewable=bool(body.get("renewable")),
        )

    def renew(self, lease_id: str, increment: float) -> tuple[float, bool]:
        def request() -> Any:
            body = self._client.sys.renew_lease(  # type: ignore[no-untyped-call]
                lease_id=lease_id, increment=int(increment)
            )
            return _field(body, "lease_duration"), _field(body, "renewable")

        granted, renewable = self._call(
            f"renew lease {lease_id.rsplit('/', 1)[0]}/...", request, attempts=1
        )
        return float(granted or 0), bool(renewable)

    def revoke(self, lease_id: str) -> None:
        """Revoke a lease now (the credentials stop working), e.g. at shutdown."""

        def request() -> Any:
            return self._client.sys.revoke_lease(lease_id=lease_id)  # type: ignore[no-untyped-call]

        self._call(f"revoke lease {lease_id.rsplit('/', 1)[0]}/...", request, attempts=2)

    def close(self) -> None:
        self._client.adapter.close()


def _safe_reason(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, SecretError) else _reason(exc)
