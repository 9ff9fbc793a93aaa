"""Keeping the flag state current: one fetch at a time, the last good state on failure.

Where the server offers Unleash's delta API (``/client/delta``) a refresh asks only for
the events since the revision held (an ETag of the last event id); a server without it
answers 404 once and the client falls back to full fetches with an ETag (304 when
nothing changed). Either way the new state is checked and swapped in whole.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from zwobs.flags._cache import DiskCache
from zwobs.flags._connection import Connection
from zwobs.flags._delta import apply_events, last_event_id
from zwobs.flags._fetch import FetchError
from zwobs.flags._json import loads
from zwobs.flags._metrics import FlagMetrics
from zwobs.flags._state import FlagState, build_state
from zwobs.flags.errors import FlagsConfigError
from zwobs.flags.status import FlagStatus

__all__ = ["Refresher"]

_log = logging.getLogger("zwobs.flags")


class Refresher:
    """The current state of one server-backed client, and what is known about its health."""

    def __init__(
        self,
        connection: Connection,
        state: FlagState,
        *,
        cache: DiskCache | None,
        metrics: FlagMetrics,
        delta: bool = True,
    ) -> None:
        self.state = state
        self._connection = connection
        self._cache = cache
        self._metrics = metrics
        self._delta: bool | None = None if delta else False
        """None until the server answered /client/delta once; False: full fetches only."""
        self._etag: str | None = None
        self.failures_in_row = 0
        self._failure: tuple[str, str] | None = None
        self._last_ok: float | None = None
        self.closed = False
        self.ready = threading.Event()
        self.init_sync()

    def init_sync(self) -> None:
        """Locks: created here and again in a forked child (the parent's may be held)."""
        self._lock = threading.Lock()
        self._fetch_lock = threading.Lock()
        was_ready, self.ready = self.ready.is_set(), threading.Event()
        if was_ready:
            self.ready.set()

    @property
    def uses_delta(self) -> bool:
        return bool(self._delta)

    @property
    def etag(self) -> str | None:
        """The ETag of the state held (the delta API's: the last event id)."""
        return self._etag

    def refresh(self) -> bool:
        """Fetch once; True when the server answered with a usable state (or 'unchanged')."""
        with self._fetch_lock:
            try:
                new = self._fetch()
            except FetchError as exc:
                self.failed(exc)
                return False
            if new is not None:
                self.state = new
                if self._cache is not None:
                    self._cache.save(new.raw.encode())
        with self._lock:
            recovered = self._failure is not None
            self._failure = None
            self.failures_in_row = 0
            self._last_ok = time.time()
        if recovered:
            _log.info("flags: the Unleash server answers again (%d flags)", len(self.state.names))
        self.ready.set()
        return True

    def _fetch(self) -> FlagState | None:
        """The new state, or None when the server says nothing changed."""
        if self._delta is not False:
            try:
                return self._fetch_from(self._connection.delta_url(), delta=True)
            except FetchError as exc:
                if exc.status != 404:
                    raise
                self._delta, self._etag = False, None
                _log.info("flags: the Unleash server has no delta API; fetching full states")
        return self._fetch_from(self._connection.features_url(), delta=False)

    def _fetch_from(self, url: str, *, delta: bool) -> FlagState | None:
        fetched = self._connection.get(url, self._etag)
        if fetched.body is None:
            return None
        origin = "Unleash /client/delta" if delta else "Unleash /client/features"
        try:
            data = _json(fetched.body, origin)
            if delta:  # without an ETag the server answers a hydration: the whole state
                base = self.state.payload if self._etag is not None else {"features": []}
                new = build_state(apply_events(base, data, origin), origin=origin, source="server")
            else:
                new = build_state(data, origin=origin, source="server")
        except FlagsConfigError as exc:
            self._etag = None  # the next fetch starts afresh (a delta: from a hydration)
            raise FetchError("invalid_payload", str(exc)) from None
        event = last_event_id(data) if delta else None
        self._delta = self._delta or delta
        self._etag = fetched.etag or (None if event is None else f'"{event}"')
        return new

    def failed(self, exc: FetchError) -> None:
        """Record a failed round (also for errors raised outside the fetch itself)."""
        if self.closed:  # closed while the fetch was pending: nobody is listening
            return
        with self._lock:
            first = self._failure is None or self._failure[0] != exc.reason
            self._failure = (exc.reason, exc.detail)
            self.failures_in_row += 1
        self._metrics.refresh_failed(exc.reason)
        if first:
            _log.warning(
                "flags: refresh failed (%s); serving the last good state (%s, %d flags)",
                exc.detail,
                self.state.source,
                len(self.state.names),
            )

    def status(self) -> FlagStatus:
        state = self.state
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


def _json(body: bytes, origin: str) -> Any:
    """The answer as JSON; an HTML page (a proxy, a login wall) is an invalid payload."""
    try:
        return loads(body)
    except ValueError as exc:
        raise FlagsConfigError(f"{origin}: the answer is not JSON ({exc})") from None
