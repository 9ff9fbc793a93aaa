"""What tracing adds per request: zwobs metrics+tracing vs OpenTelemetry's ASGI instrumentation.

Direct ASGI calls in one process on bench/app.py's app and request mix
(every request carries a sampled ``traceparent`` unless the mode says
otherwise), modes interleaved round by round, the median round printed in
microseconds per request and as ratios (never absolute claims: the machine
is shared and noisy). Two phases, because the global tracer provider
can be set only once per process:

1. API only (no SDK): bare app, zwobs metrics only, zwobs metrics+tracing.
2. SDK configured (no-op exporter, simple processor for every mode alike):
   bare, zwobs metrics only, zwobs metrics+tracing, opentelemetry-instrumentation-asgi
   (stable semconv, with and without its send/receive spans, SDK meter provider
   so it records its metrics as zwobs does).

Target: zwobs's added cost (metrics+tracing) is at most half of what the OTel
ASGI instrumentation adds.

    .venv/bin/python -m bench.tracing [--requests 2000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "http")

from prometheus_client import CollectorRegistry
from starlette.applications import Starlette

import zwobs
from bench.app import HEADERS, build_app, seconds_per_request

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


_TRACED_HEADERS = (
    *HEADERS,
    (b"traceparent", b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
)


_UNTRACED = "(no incoming traceparent)"


async def _per_request_us(app: ASGIApp, requests: int, *, traced: bool = True) -> float:
    headers = _TRACED_HEADERS if traced else HEADERS
    return await seconds_per_request(app, requests, headers) * 1e6


async def _measure(modes: dict[str, ASGIApp], requests: int, rounds: int) -> dict[str, float]:
    for name, app in modes.items():  # warm up: route caches, label children, lazy imports
        await _per_request_us(app, 200, traced=_UNTRACED not in name)
    samples: dict[str, list[float]] = {name: [] for name in modes}
    for _ in range(rounds):
        for name, app in modes.items():
            us = await _per_request_us(app, requests, traced=_UNTRACED not in name)
            samples[name].append(us)
    # The median over rounds: one disturbed round on a shared machine does not move it.
    return {name: statistics.median(values) for name, values in samples.items()}


def _zwobs(*, tracing: bool) -> Starlette:
    app = build_app()
    zwobs.instrument(app, service="bench", registry=CollectorRegistry(), tracing=tracing)
    return app


def _print(title: str, results: dict[str, float], base: str) -> None:
    print(f"\n{title}")
    print(f"{'mode':<62} {'us/request':>11} {'added us':>9}")
    for name, value in results.items():
        added = value - results[f"{base} {_UNTRACED}" if _UNTRACED in name else base]
        print(f"{name:<62} {value:>11.1f} {added:>9.1f}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per round and mode")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (median kept)")
    args = parser.parse_args(argv)

    api_only = asyncio.run(
        _measure(
            {
                "bare": build_app(),
                "zwobs metrics": _zwobs(tracing=False),
                "zwobs metrics+tracing (API only)": _zwobs(tracing=True),
                f"bare {_UNTRACED}": build_app(),
                f"zwobs metrics {_UNTRACED}": _zwobs(tracing=False),
                f"zwobs metrics+tracing (API only) {_UNTRACED}": _zwobs(tracing=True),
            },
            args.requests,
            args.rounds,
        )
    )

    from opentelemetry import trace
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        SimpleSpanProcessor,
        SpanExporter,
        SpanExportResult,
    )

    class _Discard(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(_Discard()))
    trace.set_tracer_provider(provider)
    meters = MeterProvider(metric_readers=[InMemoryMetricReader()])

    def otel(exclude: list[str] | None) -> ASGIApp:
        return OpenTelemetryMiddleware(  # type: ignore[no-any-return]
            build_app(), tracer_provider=provider, meter_provider=meters, exclude_spans=exclude
        )

    sdk = asyncio.run(
        _measure(
            {
                "bare": build_app(),
                "zwobs metrics": _zwobs(tracing=False),
                "zwobs metrics+tracing (SDK)": _zwobs(tracing=True),
                "otel-asgi (SDK, send/receive spans)": otel(None),
                "otel-asgi (SDK, no send/receive spans)": otel(["receive", "send"]),
            },
            args.requests,
            args.rounds,
        )
    )

    _print("Phase 1: opentelemetry-api only (no SDK)", api_only, "bare")
    _print("Phase 2: SDK configured, spans discarded", sdk, "bare")

    zwobs_added = sdk["zwobs metrics+tracing (SDK)"] - sdk["bare"]
    tracing_added = sdk["zwobs metrics+tracing (SDK)"] - sdk["zwobs metrics"]
    api_added = api_only["zwobs metrics+tracing (API only)"] - api_only["zwobs metrics"]
    print("\nRatios (added cost over the bare app; lower is better for zwobs)")
    for name in ("otel-asgi (SDK, send/receive spans)", "otel-asgi (SDK, no send/receive spans)"):
        otel_added = sdk[name] - sdk["bare"]
        print(
            f"  zwobs metrics+tracing / {name}: {zwobs_added / otel_added:.2f} "
            f"({zwobs_added:.1f} us vs {otel_added:.1f} us; target <= 0.50)"
        )
    print(f"  zwobs tracing part alone (SDK): {tracing_added:.1f} us/request")
    print(f"  zwobs tracing part alone (API only): {api_added:.1f} us/request")
    untraced = (
        api_only[f"zwobs metrics+tracing (API only) {_UNTRACED}"]
        - api_only[f"zwobs metrics {_UNTRACED}"]
    )
    print(f"  zwobs tracing part alone (API only, no traceparent): {untraced:.1f} us/request")


if __name__ == "__main__":
    main()
