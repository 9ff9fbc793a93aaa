"""The zwobs tracer of the current global provider, cached until the provider changes."""

from __future__ import annotations

from typing import Final

from opentelemetry import propagate, trace
from opentelemetry.propagate import get_global_textmap
from opentelemetry.propagators.textmap import TextMapPropagator

SCHEMA_URL: Final = "https://opentelemetry.io/schemas/1.26.0"


_UNKNOWN: Final = object()


def _installed() -> object:
    """The provider set globally so far (None: none yet), read without a call.

    ``trace.get_tracer_provider()`` looks ``OTEL_PYTHON_TRACER_PROVIDER`` up in
    ``os.environ`` on every call until a provider is set, a failed lookup that
    costs more than the rest of an API-only request's tracing. Should the API
    rename its global, every call goes through ``get_tracer_provider()`` again.
    """
    return getattr(trace, "_TRACER_PROVIDER", _UNKNOWN)


class _TracerCache:
    __slots__ = ("fields", "installed", "propagator", "provider", "recording", "tracer")

    def __init__(self) -> None:
        self.installed: object = _UNKNOWN
        self.provider: object = None
        self.tracer: trace.Tracer = trace.NoOpTracer()
        self.recording = False
        self.propagator: TextMapPropagator | None = None
        self.fields: frozenset[bytes] = frozenset()

    def current(self) -> _TracerCache:
        """This cache, brought up to date with the global provider and propagator.

        One call per request: under a server each call of the request path costs
        about twice what it does in a loop of direct calls.
        """
        installed = getattr(trace, "_TRACER_PROVIDER", _UNKNOWN)  # _installed(), inline
        if installed is not self.installed or installed is _UNKNOWN:
            self._refresh_tracer()
        # get_global_textmap()'s global, read without the call (the call if it is renamed).
        if getattr(propagate, "_HTTP_TEXT_FORMAT", None) is not self.propagator:
            self._refresh_fields()
        return self

    def _refresh_tracer(self) -> None:
        provider = trace.get_tracer_provider()  # may install one named in the environment
        self.installed = _installed()
        if provider is not self.provider:
            from zwobs.version import VERSION

            self.tracer = provider.get_tracer("zwobs", VERSION, schema_url=SCHEMA_URL)
            # Proxy and no-op providers never record: callers skip building attributes.
            self.recording = not isinstance(
                provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider
            )
            self.provider = provider

    def _refresh_fields(self) -> None:
        propagator = get_global_textmap()
        self.fields = frozenset(f.lower().encode("latin-1") for f in propagator.fields)
        self.propagator = propagator


_cache = _TracerCache()


current: Final = _cache.current
"""The cache, current: the tracer, whether it can record, the propagator's header names."""


def tracer() -> tuple[trace.Tracer, bool]:
    """(the zwobs tracer, whether its provider can record at all)."""
    state = _cache.current()
    return state.tracer, state.recording
