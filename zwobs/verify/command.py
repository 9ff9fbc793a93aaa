"""Arguments and handler of ``zwobs verify`` (cli.py only registers them)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zwobs import promql
from zwobs.durations import is_duration
from zwobs.printable import printable
from zwobs.verify.client import PrometheusClient, QueryRejectedError
from zwobs.verify.decision import Outcome, Thresholds
from zwobs.verify.gate import Check, parse_selector, render_json, render_text, run

__all__ = ["EXIT_CODES", "configure", "handle"]

EXIT_CODES = {Outcome.PASS: 0, Outcome.FAIL: 1, Outcome.INCONCLUSIVE: 3}
_USAGE = 2


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``zwobs verify`` on ``parser``."""
    parser.add_argument("--prometheus", required=True, metavar="URL", help="Prometheus base URL")
    parser.add_argument("--service", required=True, metavar="NAME", help="the service label")
    parser.add_argument(
        "--window", default="5m", help="lookback window, a Prometheus duration (default 5m)"
    )
    parser.add_argument(
        "--selector",
        action="append",
        default=[],
        metavar="LABEL=VALUE",
        help="only the targets whose zwobs_build_info matches, e.g. version=v2 (repeatable;"
        " also !=, =~, !~)",
    )
    parser.add_argument(
        "--location",
        action="append",
        default=[],
        metavar="LABEL=VALUE",
        help="only the targets of the location being deployed, e.g. region=us-east-1 (a label"
        " of the targets, as the catalog's topology.location_labels; repeatable)",
    )
    parser.add_argument(
        "--catalog",
        metavar="CATALOG",
        help="take the limits from the service's catalog entry (its alert thresholds, rollout"
        " settings and availability SLOs, as the canary does) and print which were used",
    )
    parser.add_argument(
        "--max-error-ratio",
        type=float,
        default=None,
        metavar="RATIO",
        help="fail above this 5xx ratio (default 0.05, or the catalog's)",
    )
    parser.add_argument(
        "--max-latency",
        type=float,
        default=None,
        metavar="SECONDS",
        help="fail above this latency quantile (default 0.5, or the catalog's p95 limit;"
        " 0 disables the latency check)",
    )
    parser.add_argument(
        "--quantile", type=float, default=0.95, help="latency quantile to check (default 0.95)"
    )
    parser.add_argument(
        "--min-requests",
        type=float,
        default=10.0,
        metavar="N",
        help="fewer requests in the window is inconclusive (default 10)",
    )
    parser.add_argument(
        "--retries", type=int, default=3, help="retries when Prometheus is unreachable (default 3)"
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds per HTTP request (default 10)"
    )
    parser.add_argument(
        "--bearer-token-file",
        metavar="PATH",
        help="send the token in this file as Authorization: Bearer (a proxy in front of"
        " Prometheus); the token is never printed",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=handle)


_DEFAULT_MAX_ERROR_RATIO = 0.05
_DEFAULT_MAX_LATENCY = 0.5


def _limits(args: argparse.Namespace) -> tuple[str, ...]:
    """Fill --max-error-ratio/--max-latency from the catalog (explicit options win) or the
    defaults; returns the lines saying where each limit came from."""
    explicit = {"--max-error-ratio": args.max_error_ratio, "--max-latency": args.max_latency}
    used: list[str] = []
    if args.catalog is not None:
        from zwobs.verify.limits import catalog_limits  # loads the catalog only when asked

        limits = catalog_limits(args.catalog, args.service)
        used.append(f"limits from {args.catalog} (service {args.service}):")
        if args.max_error_ratio is None:
            args.max_error_ratio = limits.max_error_ratio
            used.append(limits.used[0])
        if args.max_latency is None:
            args.max_latency = limits.max_latency_seconds
            used.append(limits.used[1])
        used += [f"{name} {value:g} from the command line"
                 for name, value in explicit.items() if value is not None]  # fmt: skip
    if args.max_error_ratio is None:
        args.max_error_ratio = _DEFAULT_MAX_ERROR_RATIO
    if args.max_latency is None:
        args.max_latency = _DEFAULT_MAX_LATENCY
    return tuple(used)


def _check(args: argparse.Namespace) -> Check:
    """Validate the options into a Check; ValueError with a user-facing message."""
    if not args.service.strip():
        raise ValueError("--service: expected a service name")
    origin = _limits(args)
    if not is_duration(args.window):
        raise ValueError(f"--window {args.window!r}: expected a Prometheus duration such as 5m")
    if not 0.0 <= args.max_error_ratio <= 1.0:
        raise ValueError(f"--max-error-ratio {args.max_error_ratio:g}: expected 0..1")
    if args.max_latency < 0:
        raise ValueError(f"--max-latency {args.max_latency:g}: expected seconds >= 0")
    if not 0.0 < args.quantile < 1.0:
        raise ValueError(f"--quantile {args.quantile:g}: expected a number between 0 and 1")
    if args.min_requests < 0 or args.retries < 0 or args.timeout <= 0:
        raise ValueError("--min-requests and --retries must be >= 0, --timeout > 0")
    thresholds = Thresholds(
        max_error_ratio=args.max_error_ratio,
        max_latency_seconds=args.max_latency or None,
        quantile=args.quantile,
        min_requests=args.min_requests,
    )
    scope = tuple(parse_selector(text) for text in args.selector)
    scope += tuple(_location(text) for text in args.location)
    return Check(args.service, args.window, scope, thresholds, origin)


def _location(text: str) -> promql.Matcher:
    """``region=us-east-1``: one exact location (the deploy goes one region at a time)."""
    try:
        matcher = parse_selector(text)
    except ValueError:
        matcher = None
    if matcher is None or matcher.op != "=" or not matcher.value:
        raise ValueError(f"--location {text!r}: expected LABEL=VALUE such as region=us-east-1")
    return matcher


def _token(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        token = Path(path).read_text().strip()
    except OSError as error:
        raise ValueError(
            f"--bearer-token-file {printable(path)}: cannot read it ({error.strerror})"
        ) from None
    if not token:
        raise ValueError(f"--bearer-token-file {printable(path)}: the file is empty")
    return token


def handle(args: argparse.Namespace) -> int:
    """Exit 0 pass, 1 fail, 3 inconclusive, 2 for bad options or a query Prometheus rejects."""
    try:
        check = _check(args)
        client = PrometheusClient(
            args.prometheus,
            timeout=args.timeout,
            retries=args.retries,
            bearer_token=_token(args.bearer_token_file),
        )
    except ValueError as error:
        print(f"zwobs verify: {error}", file=sys.stderr)
        return _USAGE
    try:
        verdict = run(client, check)
    except QueryRejectedError as error:
        print(f"zwobs verify: Prometheus rejected the query: {error}", file=sys.stderr)
        return _USAGE
    render = render_json if args.format == "json" else render_text
    print(render(check, verdict))
    return EXIT_CODES[verdict.outcome]
