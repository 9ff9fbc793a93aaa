"""FlagsClient: Unleash evaluation that never blocks, keeps the last good state, survives fork.

The client answers; the jobs around it live beside it: ``_seed`` (the state before the
server answers), ``_connection`` (identity and requests), ``_refresh`` (fetching, delta or
full), ``_cache`` (the disk copy), ``_report`` (registration and usage), ``_poll`` (the
background thread). Evaluation goes to the yggdrasil engine UnleashClient uses (``_engine``).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry

from zwobs.flags import _overrides
from zwobs.flags._cache import DiskCache
from zwobs.flags._connection import Connection
from zwobs.flags._context import ContextExtractor, build_context, request_context, starlette_user
from zwobs.flags._fetch import FetchError
from zwobs.flags._metrics import FlagMetrics, flag_metrics
from zwobs.flags._otel import record_evaluation
from zwobs.flags._poll import Poller
from zwobs.flags._refresh import Refresher
from zwobs.flags._report import Reporter
from zwobs.flags._seed import Bootstrap, seed_state
from zwobs.flags._settings import check_settings
from zwobs.flags._state import FlagState
from zwobs.flags.status import FlagStatus
from zwobs.flags.variant import DISABLED, ENABLED_NO_VARIANT, Variant
from zwobs.lifecycle import forks

__all__ = ["Bootstrap", "FlagsClient"]

_log = logging.getLogger("zwobs.flags")

T = TypeVar("T")


class FlagsClient:
    """One Unleash-backed (or offline) flag client. Most services use the process-wide one.

    Creating it never blocks: it answers from the bootstrap (or the defaults) at
    once and fetches in a background thread. ``wait_until_ready`` is there for
    whoever wants to wait. Given a ``registry``, it exports its own readiness there.
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
        registry: CollectorRegistry | None = None,
        delta: bool = True,
        start: bool = True,
    ) -> None:
        check_settings(
            url,
            refresh_interval=refresh_interval,
            request_timeout=request_timeout,
            metrics_interval=metrics_interval,
        )
        self.app_name = app_name or "unknown"
        self.environment = environment
        self._extractor = context_extractor
        self._span_events = span_events
        self._static: Mapping[str, Any] = {"appName": self.app_name, "environment": environment}
        self._metrics: FlagMetrics = flag_metrics(registry)
        self._url = url.rstrip("/") if url else None
        self._refresher: Refresher | None = None
        self._reporter: Reporter | None = None
        self._poller: Poller | None = None
        if url is None:
            self._offline = seed_state(bootstrap, None)
        else:
            connection = Connection(
                url,
                token=api_token,
                app_name=self.app_name,
                project=project,
                headers=headers or {},
                timeout=float(request_timeout),
            )
            cache = DiskCache(cache_dir, self.app_name) if cache_dir is not None else None
            self._refresher = Refresher(
                connection,
                seed_state(bootstrap, cache),
                cache=cache,
                metrics=self._metrics,
                delta=delta,
            )
            if send_metrics:
                self._reporter = Reporter(
                    connection,
                    app_name=self.app_name,
                    environment=environment,
                    interval=float(metrics_interval),
                )
            self._connection = connection
            self._poller = Poller(
                self._round, lambda: self._failures_in_row, float(refresh_interval)
            )
        if registry is not None:
            self._metrics.export_status(self)
        forks.track(self)
        if start:
            self.start()

    # ----- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background refresh (done by the constructor unless ``start=False``)."""
        if self._poller is not None:
            self._poller.start()

    def close(self) -> None:
        """Stop refreshing; evaluations keep answering from the last state."""
        if self._refresher is not None:
            self._refresher.closed = True
        if self._poller is not None:
            self._poller.stop()
        self._metrics.withdraw_status(self)
        forks.untrack(self)

    def after_fork_in_child(self) -> None:
        """In a forked child: new locks, identity and usage counts; the refresher restarts."""
        if self._refresher is not None:
            self._refresher.init_sync()
            self._connection.renew_identity()
        if self._reporter is not None:
            self._reporter.after_fork()
        if self._poller is not None:
            self._poller.after_fork()

    def _round(self) -> bool:
        """One background round: refresh, then report usage; never raises (the thread lives)."""
        assert self._refresher is not None
        try:
            ok = self._refresher.refresh()
            if ok and self._reporter is not None:
                self._reporter.report()
        except Exception as exc:  # the refresher must outlive any surprise
            _log.exception("flags: unexpected error while refreshing")
            surprise = FetchError("invalid_payload", f"unexpected {type(exc).__name__}")
            self._refresher.failed(surprise)
            return False
        return ok

    def __repr__(self) -> str:  # never the token
        where = self._url or "offline"
        count = len(self._state.names)
        return f"FlagsClient(app_name={self.app_name!r}, url={where!r}, flags={count})"

    # ----- state and health ------------------------------------------------------------------

    @property
    def _state(self) -> FlagState:
        return self._offline if self._refresher is None else self._refresher.state

    @property
    def _failures_in_row(self) -> int:
        return 0 if self._refresher is None else self._refresher.failures_in_row

    def refresh_now(self) -> bool:
        """Fetch once, in the calling thread; True when the server answered with a usable state."""
        return self._refresher is not None and self._refresher.refresh()

    def status(self) -> FlagStatus:
        """Readiness and health, truthfully: see FlagStatus."""
        if self._refresher is not None:
            return self._refresher.status()
        state = self._offline
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

    def wait_until_ready(self, timeout: float | None = None) -> bool:
        """Block up to ``timeout`` seconds for the first server state; True when ready."""
        return self._refresher is None or self._refresher.ready.wait(timeout)

    # ----- evaluation ------------------------------------------------------------------------

    def known(self, name: str) -> bool:
        """True when the current state (or a test override) defines ``name``."""
        return name in _overrides.forced or name in self._state.names

    @property
    def flag_names(self) -> frozenset[str]:
        return self._state.names

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
        reporter = self._reporter
        if reporter is not None:
            reporter.usage.enabled(name, enabled)
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
        reporter = self._reporter
        if reporter is not None:
            reporter.usage.variant(name, variant.feature_enabled, variant.name)
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
