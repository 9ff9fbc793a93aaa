"""Arguments and handler of ``zwobs scan`` (cli.py only registers them).

Exit codes: 0 the gate passed, 1 findings over the gate, 2 usage or tool error
(Trivy missing, too old, crashed or timed out; the pack not evaluated; a bad
waiver, baseline or catalog file) or an input that could not be evaluated (a file
that does not parse, an empty or unreadable one, nothing to evaluate under a path;
1 instead when findings fail the gate too). A failure to scan never passes the gate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from zwobs.atomic import write_atomic
from zwobs.policies import PolicyParams

from . import FORMATS, render
from .baseline import write_baseline
from .gate import GatePolicy, Status
from .model import Severity
from .runner import ScanOptions, run_scan
from .trivy import ScanError

__all__ = ["configure", "handle"]

_EXIT_PASS, _EXIT_FINDINGS, _EXIT_ERROR = 0, 1, 2
_SEVERITIES = [s.value for s in Severity if s is not Severity.UNKNOWN]


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``zwobs scan`` on ``parser``."""
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or directories")
    parser.add_argument(
        "--image", action="append", default=[], metavar="REF", help="also scan a container image"
    )
    parser.add_argument(
        "--from-json",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="gate a recorded Trivy JSON report (the zwobs pack is not verified for it)",
    )
    pack = parser.add_mutually_exclusive_group()
    pack.add_argument(
        "--policies",
        type=Path,
        metavar="DIR",
        help="the rendered policies/ directory (default: ./policies when it exists)",
    )
    pack.add_argument(
        "--catalog",
        type=Path,
        metavar="FILE",
        help="render the pack from this catalog instead of using a rendered directory",
    )
    parser.add_argument(
        "--trivy", metavar="BIN", help="Trivy binary (default: $ZWOBS_TRIVY, then PATH)"
    )
    parser.add_argument(
        "--timeout", type=float, default=300.0, metavar="SECONDS", help="per Trivy run (300)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="Trivy runs in parallel over shards of a large tree (default: one per CPU)",
    )
    vuln = parser.add_mutually_exclusive_group()
    vuln.add_argument(
        "--vulns",
        dest="vulnerabilities",
        action="store_const",
        const=True,
        default=None,
        help="require the vulnerability scan (default: only when a Trivy database exists)",
    )
    vuln.add_argument(
        "--no-vulns", dest="vulnerabilities", action="store_const", const=False, help="skip it"
    )
    parser.add_argument(
        "--fail-on",
        type=str.upper,
        choices=_SEVERITIES,
        default="HIGH",
        help="lowest severity that fails the gate (default HIGH, as admission denies)",
    )
    parser.add_argument(
        "--max",
        action="append",
        default=[],
        metavar="SEVERITY=N",
        help="allow up to N findings of SEVERITY (repeatable), e.g. --max MEDIUM=10",
    )
    parser.add_argument(
        "--ignore-unfixed",
        action="store_true",
        help="vulnerabilities without a fixed version do not count (still reported)",
    )
    parser.add_argument("--waivers", type=Path, metavar="FILE", help="waivers YAML file")
    parser.add_argument(
        "--baseline", type=Path, metavar="FILE", help="fail only on findings not in FILE"
    )
    parser.add_argument(
        "--write-baseline",
        type=Path,
        metavar="FILE",
        help="write the current (unwaived) findings as a baseline (this run is still gated)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="table", help="what to print (default table)"
    )
    parser.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="FORMAT=FILE",
        help="also write FORMAT to FILE (repeatable), e.g. --output sarif=trivy.sarif",
    )
    parser.add_argument("--today", help=argparse.SUPPRESS)
    parser.set_defaults(handler=handle)


def _max_counts(values: list[str]) -> dict[Severity, int]:
    counts: dict[Severity, int] = {}
    for value in values:
        name, sep, number = value.partition("=")
        if not sep or name.upper() not in _SEVERITIES or not number.isdigit():
            raise ScanError(
                f"--max {value}: expected SEVERITY=N with SEVERITY one of {', '.join(_SEVERITIES)}"
            )
        counts[Severity(name.upper())] = int(number)
    return counts


def _outputs(values: list[str]) -> list[tuple[str, Path]]:
    outputs = []
    for value in values:
        fmt, sep, file = value.partition("=")
        if not sep or fmt not in FORMATS or not file:
            raise ScanError(
                f"--output {value}: expected FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}"
            )
        outputs.append((fmt, Path(file)))
    return outputs


def _params(catalog: Path) -> PolicyParams:
    from zwobs.catalog import CatalogError, load_catalog

    try:
        return PolicyParams.from_catalog(load_catalog([catalog]))
    except CatalogError as exc:
        raise ScanError(f"invalid catalog:\n{exc}") from None


def _options(args: argparse.Namespace) -> ScanOptions:
    policies: Path | None = args.policies
    if policies is None and args.catalog is None and Path("policies/trivy/checks").is_dir():
        policies = Path("policies")
    if args.jobs < 0:
        raise ScanError(f"--jobs {args.jobs}: expected 0 (one per CPU) or more")
    today = None
    if args.today:
        try:
            today = dt.date.fromisoformat(args.today)
        except ValueError:
            raise ScanError(f"--today {args.today}: expected YYYY-MM-DD") from None
    return ScanOptions(
        paths=tuple(args.paths),
        images=tuple(args.image),
        reports=tuple(args.from_json),
        policies=policies,
        params=_params(args.catalog) if args.catalog else None,
        trivy=args.trivy,
        timeout=args.timeout,
        jobs=args.jobs,
        vulnerabilities=args.vulnerabilities,
        gate=GatePolicy(
            fail_on=Severity(args.fail_on),
            max_counts=_max_counts(args.max),
            ignore_unfixed=args.ignore_unfixed,
        ),
        waivers=args.waivers,
        baseline=args.baseline,
        today=today,
    )


def handle(args: argparse.Namespace) -> int:
    """Run the scan, print and write the reports, return the exit code."""
    try:
        outputs = _outputs(args.output)
        outcome = run_scan(_options(args))
        for fmt, file in outputs:
            write_atomic(file, render(outcome, fmt))
        if args.write_baseline:
            kept = [a.finding for a in outcome.gate.assessed if a.status is not Status.WAIVED]
            count = write_baseline(args.write_baseline, kept)
            print(f"wrote {count} finding(s) to baseline {args.write_baseline}", file=sys.stderr)
    except ScanError as exc:
        print(f"zwobs scan: error: {exc}", file=sys.stderr)
        return _EXIT_ERROR
    sys.stdout.write(render(outcome, args.format))
    if not outcome.gate.passed:
        return _EXIT_FINDINGS
    return _EXIT_ERROR if outcome.unevaluated else _EXIT_PASS
