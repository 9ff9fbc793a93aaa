"""FlagsClient: Unleash evaluation that never blocks, keeps the last good state, survives fork.

zwobs owns fetching, refresh, caching and fork safety; evaluation goes to the
yggdrasil engine that UnleashClient itself uses (see ``_engine``).
"""

from __future__ import annotations

import json
import logging
import os
import platform
import random
import re
import socket
import threading
import time
import urllib.parse
import uuid
import weakref
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from zwobs.atomic import write_atomic
from zwobs.flags import _overrides
from zwobs.flags._context import ContextExtractor, build_context, request_context, starlette_user
from zwobs.flags._engine import engine_available
from zwobs.flags._fetch import FetchError, fetch_features, post_json
from zwobs.flags._metrics import FlagMetrics, flag_metrics
from zwobs.flags._otel import record_evaluation
from zwobs.flags._state import FlagState, build_state, empty_state
from zwobs.flags._usage import Usage
from zwobs.flags.bootstrap import load_bootstrap, payload_from_mapping
from zwobs.flags.errors import FlagsConfigError, FlagsUnavailableError
from zwobs.flags.status import FlagStatus
from zwobs.flags.variant import DISABLED, ENABLED_NO_VARIANT, Variant
from zwobs.version import VERSION

__all__ = ["FlagsClient"]

_log = logging.getLogger("zwobs.flags")

T = TypeVar("T")
_SDK = f"zwobs:{VERSION}"
_MAX_BACKOFF = 60.0
_STRATEGIES = (
    "default", "flexibleRollout", "userWithId", "remoteAddress", "applicationHostname",
    "gradualRolloutRandom", "gradualRolloutSessionId", "gradualRolloutUserId",
)  # fmt: skip

Bootstrap = str | os.PathLike[str] | Mapping[str, Any] | None


def _status_of_process_client() -> FlagStatus | None:
    from zwobs.flags import _process  # here: avoids an import cycle

    current = _process.current()
    return None if current is None else current.status()


class FlagsClient:
    """One Unleash-backed (or offline) flag client. Most services use the process-wide one.

    Creating it never blocks: it answers from the bootstrap (or the defaults) at
    once and fetches in a background thread. ``wait_until_ready`` is there for
    whoever wants to wait.
    """

    def __init__(
        self,
        *,
        url: str | None = None,
        api_token: str | None = None,
        app_name: str | None = None,
        environment: str = "default",
        bootstrap: Bootstrap = None,
        refresh_interval: float = 15.0,
        request_timeout: float = 5.0,
        project: str | None = None,
        headers: Mapping[str, str] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        context_extractor: ContextExtractor | None = starlette_user,
        span_events: bool = False,
        send_metrics: bool = True,
        metrics_interval: float = 60.0,
        start: bool = True,
    ) -> None:
        if url is not None and not re.match(r"^https?://", url):
            raise FlagsConfigError(
                f"UNLEASH_URL={url!r}: expected http(s)://host[:port]/api (Unleash's API root)"
            )
        if url is not None and not engine_available():
            raise FlagsUnavailableError(
                "a server-backed flags client needs the 'flags' extra (UnleashClient): "
                "pip install 'zwobs[flags]'"
            )
        if min(refresh_interval, request_timeout, metrics_interval) <= 0:
            raise FlagsConfigError(
                "refresh_interval, request_timeout and metrics_interval must be positive seconds"
            )
        self._url = url.rstrip("/") if url else None
        self._token = api_token
        self.app_name = app_name or "unknown"
        self.environment = environment
        self._interval = float(refresh_interval)
        self._timeout = float(request_timeout)
        self._project = project
        self._extra_headers = dict(headers or {})
        self._extractor = context_extractor
        self._span_events = span_events
        self._static: Mapping[str, Any] = {"appName": self.app_name, "environment": environment}
        self._metrics: FlagMetrics = flag_metrics(_status_of_process_client)
        self._cache_file = (
            Path(cache_dir) / f"zwobs-flags-{re.sub(r'[^A-Za-z0-9_.-]', '_', self.app_name)}.json"
            if cache_dir is not None
            else None
        )
        self._cache_writable = True
        self._state: FlagState = self._seed(bootstrap)
        self._last_ok: float | None = None
        self._failure: tuple[str, str] | None = None
        self._failures_in_row = 0
        self._running = False
        self._generation = 0
        self._send_metrics = send_metrics and self._url is not None
        self._metrics_interval = float(metrics_interval)
        self._init_sync()
        if self._url is None:
            self._ready.set()
        _clients.add(self)
        if self._url is not None and start:
            self.start()

    # ----- lifecycle -------------------------------------------------------------------------

    def _init_sync(self) -> None:
        """Locks and events: created here and again in a forked child (the parent's may be held)."""
        self._lock = threading.Lock()
        self._fetch_lock = threading.Lock()
        self._stop = threading.Event()
        was_ready = getattr(self, "_ready", None)
        self._ready = threading.Event()
        if was_ready is not None and was_ready.is_set():
            self._ready.set()
        self._thread: threading.Thread | None = None
        # Usage counted for Unleash is per process: a child starts counting (and registers) anew.
        self._usage: Usage | None = Usage() if self._send_metrics else None
        self._instance_id = f"{socket.gethostname()}-{os.getpid()}"
        self._connection_id = str(uuid.uuid4())
        self._registered = False
        self._usage_sent = time.monotonic()

    def start(self) -> None:
        """Start the background refresh (done by the constructor unless ``start=False``)."""
        if self._url is None or self._running:
            return
        self._running = True
        self._spawn()

    def _spawn(self) -> None:
        self._generation += 1
        self._stop.clear()
        thread = threading.Thread(
            target=self._run,
            args=(self._generation,),
            name="zwobs-flags-refresh",
            daemon=True,
        )
        self._thread = thread
        thread.start()

    def close(self) -> None:
        """Stop refreshing; evaluations keep answering from the last state."""
        self._running = False
        self._stop.set()
        _clients.discard(self)

    def _after_fork_in_child(self) -> None:
        self._init_sync()
        if self._running:
            self._spawn()

    def __repr__(self) -> str:  # never the token
        where = self._url or "offline"
        count = len(self._state.names)
        return f"FlagsClient(app_name={self.app_name!r}, url={where!r}, flags={count})"

    # ----- state -----------------------------------------------------------------------------

    def _seed(self, bootstrap: Bootstrap) -> FlagState:
        if self._cache_file is not None and self._url is not None:
            try:
                data = json.loads(self._cache_file.read_text(encoding="utf-8"))
                return build_state(data, origin=str(self._cache_file), source="cache")
            except FileNotFoundError:
                pass
            except (OSError, ValueError) as exc:
                _log.warning("ignoring the flags cache %s: %s", self._cache_file, exc)
        if bootstrap is None:
            return empty_state()
        if isinstance(bootstrap, Mapping):
            data = payload_from_mapping(bootstrap)
            return build_state(data, origin="bootstrap", source="bootstrap")
        path = os.fspath(bootstrap)
        return build_state(load_bootstrap(path), origin=path, source="bootstrap")

    def _headers(self) -> dict[str, str]:
        headers = {
            "Accept": "application/json",
            "User-Agent": f"zwobs/{_SDK.split(':')[1]}",
            "UNLEASH-APPNAME": self.app_name,
            "UNLEASH-INSTANCEID": self._instance_id,
            "UNLEASH-CONNECTION-ID": self._connection_id,
            "UNLEASH-SDK": _SDK,
            **self._extra_headers,
        }
        if self._token:
            headers["Authorization"] = self._token
        return headers

    def _features_url(self) -> str:
        url = f"{self._url}/client/features"
        if not self._project:
            return url
        return f"{url}?{urllib.parse.urlencode({'project': self._project})}"

    def refresh_now(self) -> bool:
        """Fetch once, in the calling thread; True when the server answered with a usable state."""
        if self._url is None:
            return False
        with self._fetch_lock:
            return self._refresh()

    def _refresh(self) -> bool:
        state = self._state
        etag = state.etag if state.source == "server" else None
        try:
            fetched = fetch_features(self._features_url(), self._headers(), etag, self._timeout)
            if fetched.body is not None:
                try:
                    data = json.loads(fetched.body)
                    new = build_state(
                        data, origin="Unleash /client/features", source="server", etag=fetched.etag
                    )
                except (ValueError, FlagsConfigError) as exc:
                    raise FetchError("invalid_payload", str(exc)) from None
                self._state = new
                self._persist(fetched.body)
        except FetchError as exc:
            self._failed(exc)
            return False
        with self._lock:
            recovered = self._failure is not None
            self._failure = None
            self._failures_in_row = 0
            self._last_ok = time.time()
        if recovered:
            _log.info("flags: the Unleash server answers again (%d flags)", len(self._state.names))
        self._ready.set()
        return True

    def _failed(self, exc: FetchError) -> None:
        if self._stop.is_set():  # closed while the fetch was pending: nobody is listening
            return
        with self._lock:
            first = self._failure is None or self._failure[0] != exc.reason
            self._failure = (exc.reason, exc.detail)
            self._failures_in_row += 1
        self._metrics.refresh_failed(exc.reason)
        if first:
            _log.warning(
                "flags: refresh failed (%s); serving the last good state (%s, %d flags)",
                exc.detail,
                self._state.source,
                len(self._state.names),
            )

    def _persist(self, body: bytes) -> None:
        if self._cache_file is None or not self._cache_writable:
            return
        try:
            write_atomic(self._cache_file, body)
        except OSError as exc:
            self._cache_writable = False  # e.g. a read-only filesystem: memory is enough
            _log.info(
                "flags: not caching to %s (%s); keeping state in memory", self._cache_file, exc
            )

    def _client_info(self) -> dict[str, Any]:
        return {
            "appName": self.app_name,
            "instanceId": self._instance_id,
            "connectionId": self._connection_id,
            "environment": self.environment,
            "platformName": platform.python_implementation(),
            "platformVersion": platform.python_version(),
        }

    def _report_usage(self, force: bool = False) -> None:
        """Register once per process, then send usage every ``metrics_interval`` (best effort)."""
        if self._url is None or self._usage is None:
            return
        headers = self._headers()
        try:
            if not self._registered:
                register = {
                    **self._client_info(),
                    "sdkVersion": _SDK,
                    "strategies": list(_STRATEGIES),
                    "started": datetime.now(UTC).isoformat(),
                    "interval": int(self._metrics_interval * 1000),
                }
                body = json.dumps(register).encode()
                post_json(f"{self._url}/client/register", headers, body, self._timeout)
                self._registered = True
            if not force and time.monotonic() - self._usage_sent < self._metrics_interval:
                return
            self._usage_sent = time.monotonic()
            bucket = self._usage.take()
            if bucket is not None:
                body = json.dumps({**self._client_info(), "bucket": bucket}).encode()
                post_json(f"{self._url}/client/metrics", headers, body, self._timeout)
        except FetchError as exc:
            _log.debug("flags: usage report to Unleash failed: %s", exc.detail)

    def _run(self, generation: int) -> None:
        while not self._stop.is_set() and generation == self._generation:
            try:
                with self._fetch_lock:
                    ok = self._refresh()
                if ok:
                    self._report_usage()
            except Exception as exc:  # the refresher must outlive any surprise
                _log.exception("flags: unexpected error while refreshing")
                self._failed(FetchError("invalid_payload", f"unexpected {type(exc).__name__}"))
                ok = False
            if ok:
                delay = self._interval
            else:
                backoff = self._interval * 2 ** min(self._failures_in_row - 1, 3)
                delay = min(backoff, max(self._interval, _MAX_BACKOFF))
            self._stop.wait(delay * random.uniform(0.9, 1.1))  # jitter, not crypto

    # ----- health ----------------------------------------------------------------------------

    def status(self) -> FlagStatus:
        """Readiness and health, truthfully: see FlagStatus."""
        state = self._state
        if self._url is None:
            return FlagStatus(
                mode="offline",
                ready=True,
                degraded=False,
                reason=None,
                reason_code=None,
                source=state.source,
                flags=len(state.names),
                last_refresh=None,
                state_age=0.0,
            )
        with self._lock:
            failure, last_ok = self._failure, self._last_ok
        reason: str | None = None
        if failure is not None:
            reason = f"{failure[1]}; serving the last good state ({state.source})"
        elif last_ok is None:
            reason = "waiting for the first answer from the Unleash server"
        return FlagStatus(
            mode="server",
            ready=last_ok is not None,
            degraded=failure is not None,
            reason=reason,
            reason_code=None if failure is None else failure[0],
            source=state.source,
            flags=len(state.names),
            last_refresh=last_ok,
            state_age=None if last_ok is None else max(0.0, time.time() - last_ok),
        )

    def wait_until_ready(self, timeout: float | None = None) -> bool:
        """Block up to ``timeout`` seconds for the first server state; True when ready."""
        return self._ready.wait(timeout)

    def known(self, name: str) -> bool:
        """True when the current state (or a test override) defines ``name``."""
        return name in _overrides.forced or name in self._state.names

    @property
    def flag_names(self) -> frozenset[str]:
        return self._state.names

    # ----- evaluation ------------------------------------------------------------------------

    def is_enabled(
        self,
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
        """Whether ``name`` is on for this context; ``default`` when the flag is unknown."""
        forced = _overrides.forced
        if forced and name in forced:
            value = forced[name]
            enabled = value if isinstance(value, bool) else value.feature_enabled
            self._recorded(name, True, enabled, "true" if enabled else "false", "static")
            return enabled
        state = self._state
        if name not in state.names:
            self._recorded(name, False, default, "default", "default")
            return default
        enabled_or_none = state.constants.get(name)
        reason = "static"
        if enabled_or_none is None:
            reason = "targeting_match"
            ctx = build_context(
                self._static,
                request_context(self._extractor),
                context=context,
                user_id=user_id,
                session_id=session_id,
                remote_address=remote_address,
                current_time=current_time,
                properties=properties,
            )
            enabled_or_none = state.engine.is_enabled(name, ctx) if state.engine else None
        enabled = default if enabled_or_none is None else enabled_or_none
        usage = self._usage
        if usage is not None:
            usage.enabled(name, enabled)
        self._recorded(name, True, enabled, "true" if enabled else "false", reason)
        return enabled

    def get_variant(
        self,
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
        """The variant of ``name`` for this context; ``default`` (or ``disabled``) when unknown."""
        forced = _overrides.forced
        if forced and name in forced:
            value = forced[name]
            if isinstance(value, bool):
                value = ENABLED_NO_VARIANT if value else DISABLED
            self._recorded(name, True, None, value.name, "static")
            return value
        state = self._state
        fallback = DISABLED if default is None else default
        if name not in state.names:
            self._recorded(name, False, None, "default", "default")
            return fallback
        constant = state.constants.get(name)
        if constant is False:
            variant = DISABLED
        elif state.engine is None:
            variant = ENABLED_NO_VARIANT
        else:
            ctx = build_context(
                self._static,
                request_context(self._extractor),
                context=context,
                user_id=user_id,
                session_id=session_id,
                remote_address=remote_address,
                current_time=current_time,
                properties=properties,
            )
            variant = state.engine.variant(name, ctx) or fallback
        usage = self._usage
        if usage is not None:
            usage.variant(name, variant.feature_enabled, variant.name)
        self._recorded(name, True, None, variant.name, "targeting_match")
        return variant

    def _recorded(
        self, name: str, known: bool, value: bool | None, result: str, reason: str
    ) -> None:
        self._metrics.evaluated(name, known, result)
        if self._span_events:
            record_evaluation(name, result, value, reason)

    # ----- typed helpers (payload of the resolved variant, or the default) --------------------

    def get_string(self, name: str, default: str, **context: Any) -> str:
        """The payload of the enabled variant as text, else ``default``."""
        variant = self.get_variant(name, **context)
        return variant.payload if variant.enabled and variant.payload is not None else default

    def get_int(self, name: str, default: int, **context: Any) -> int:
        """The payload of the enabled variant as an integer, else ``default``."""
        return self._parsed_payload(name, default, int, context)

    def get_float(self, name: str, default: float, **context: Any) -> float:
        """The payload of the enabled variant as a number, else ``default``."""
        return self._parsed_payload(name, default, float, context)

    def get_json(self, name: str, default: Any, **context: Any) -> Any:
        """The payload of the enabled variant parsed as JSON, else ``default``."""
        return self._parsed_payload(name, default, json.loads, context)

    def _parsed_payload(
        self, name: str, default: T, parse: Callable[[str], T], context: dict[str, Any]
    ) -> T:
        """``parse`` of the payload; ``default`` when there is none or it does not parse."""
        text = self.get_string(name, "", **context)
        try:
            return parse(text) if text else default
        except ValueError:
            return default


_clients: weakref.WeakSet[FlagsClient] = weakref.WeakSet()


def _restart_in_child() -> None:
    """After ``os.fork`` only the forking thread survives: give every client its refresher back."""
    for client in list(_clients):
        client._after_fork_in_child()


os.register_at_fork(after_in_child=_restart_in_child)
