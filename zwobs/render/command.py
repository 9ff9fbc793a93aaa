"""``zwobs render``: catalog -> files, ``--check`` for drift (the CI gate), ``--dry-run``.

Exit codes: 0 written / up to date / dry run, 1 drift (``--check``: every differing,
missing or stale file is named), 2 invalid or empty catalog, unknown output, a file in the
way that zwobs did not write, a file that cannot be written, or a requested output whose
extra is not installed (nothing is written or checked then: a core install renders every
output but dashboards, which need ``zwobs[render]``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from zwobs.catalog import CatalogError, load_catalog
from zwobs.catalog.command import add_allow_empty, empty_catalog_problem, report_catalog_error
from zwobs.extras import MissingExtraError
from zwobs.printable import printable
from zwobs.render import (
    DASHBOARD_MODES,
    FORMATS,
    GENERATORS,
    LAYERS,
    RenderError,
    RenderOptions,
    generator_names,
    render_all,
)
from zwobs.render.files import Plan, diff_lines, plan_tree, write_tree
from zwobs.render.ownership import OwnershipError

__all__ = ["configure"]


class _Progress:
    """A one-line progress bar on a terminal; silent when piped or in CI."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self._last = 0.0
        self._shown = False

    def __call__(self, what: str, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or total < 200 or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{what:<10} [{bar}] {done}/{total}")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()


def _progress_enabled(choice: str | None) -> bool:
    if choice is not None:
        return choice == "always"
    return sys.stderr.isatty() and not os.environ.get("CI")


def _print_drifts(out: Path, plan: Plan) -> None:
    for drift in plan.drifts:
        print(f"{printable(str(out / drift.path))}: {drift.kind.description}")


def _check(args: argparse.Namespace, out: Path, plan: Plan, count: int) -> int:
    _print_drifts(out, plan)
    drifts = [d for d in plan.drifts if d.kind.is_drift]
    if drifts:
        print(
            f"{len(drifts)} path(s) differ from the catalog; run `zwobs render"
            f" {printable(' '.join(args.catalog))} --out {printable(args.out)}` and commit the"
            " result",
            file=sys.stderr,
        )
        return 1
    print(f"up to date: {count} files in {printable(str(out))}")
    return 0


def _dry_run(args: argparse.Namespace, out: Path, plan: Plan) -> int:
    if args.diff:
        sys.stdout.writelines(printable(line, keep="\n\t") for line in diff_lines(plan, out))
    else:
        _print_drifts(out, plan)
    if plan.blocked:
        print(f"render would refuse: {len(plan.blocked)} path(s) in the way", file=sys.stderr)
        return 2
    print(
        f"dry run: {len(plan.write)} to write, {len(plan.remove)} to remove in"
        f" {printable(str(out))}; nothing written",
        file=sys.stderr,
    )
    return 0


def _render(args: argparse.Namespace) -> int:
    only = [o for part in args.only for o in part.split(",") if o] if args.only else None
    progress = _Progress(sys.stderr, _progress_enabled(args.progress))
    try:
        catalog = load_catalog(args.catalog)
        options = RenderOptions(
            format=args.format,
            namespace=args.namespace,
            layer=args.layer,
            dashboards=args.dashboards,
            progress=progress,
        )
        problem = empty_catalog_problem(catalog, args.catalog, args.allow_empty)
        rendered = render_all(catalog, options, only) if problem is None else None
    except CatalogError as error:
        progress.close()
        return report_catalog_error(error)
    except RenderError as error:
        progress.close()
        print(f"error: {printable(str(error))}", file=sys.stderr)
        return 2
    except MissingExtraError as error:
        progress.close()
        available = ",".join(_installed_outputs())
        print(f"error: {error}; without it: --only {available}", file=sys.stderr)
        return 2
    if rendered is None:
        progress.close()
        print(f"error: {problem}", file=sys.stderr)
        return 2
    out = Path(args.out)
    try:
        if args.check or args.dry_run or args.diff:
            progress.close()
            plan = plan_tree(out, rendered.files, rendered.directories)
            if args.check:
                return _check(args, out, plan, len(rendered.files))
            return _dry_run(args, out, plan)
        report = write_tree(
            out,
            rendered.files,
            rendered.directories,
            lambda done, total: progress("writing", done, total),
        )
    except OwnershipError as error:
        progress.close()
        for line in error.lines:
            print(f"error: {printable(line)}", file=sys.stderr)
        print("nothing written", file=sys.stderr)
        return 2
    except OSError as error:
        progress.close()
        where = printable(str(error.filename or out))
        verb = "read" if args.check or args.dry_run or args.diff else "write"
        print(f"error: cannot {verb} {where}: {error.strerror}", file=sys.stderr)
        return 2
    progress.close()
    left = f", {len(report.left_alone)} not ours left alone" if report.left_alone else ""
    print(
        f"rendered {len(rendered.files)} files into {printable(str(out))}:"
        f" {len(report.written)} written, {report.unchanged} unchanged,"
        f" {len(report.removed)} stale removed{left}"
    )
    return 0


def _installed_outputs() -> list[str]:
    """The outputs whose generators import with the extras installed here."""
    installed = []
    for directory, spec in GENERATORS:
        try:
            importlib.import_module(spec.partition(":")[0])
        except MissingExtraError:
            continue
        installed.append(directory)
    return installed


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("catalog", nargs="+", help="catalog YAML (zwobs, Sloth or OpenSLO)")
    parser.add_argument("--out", default=".", help="output directory (default: .)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 naming every file that differs from the render",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="write nothing; list what would be written, removed and left alone",
    )
    parser.add_argument(
        "--diff",
        action="store_true",
        help="write nothing; print a unified diff of what would be written and removed",
    )
    add_allow_empty(parser)
    parser.add_argument("--format", choices=FORMATS, default="prometheus", help="rule file format")
    parser.add_argument("--namespace", default="monitoring", help="namespace of Kubernetes objects")
    parser.add_argument(
        "--dashboards",
        choices=DASHBOARD_MODES,
        default="auto",
        help="one templated service dashboard or one per service (default auto: templated"
        " when the catalog has a topology)",
    )
    parser.add_argument(
        "--layer",
        choices=LAYERS,
        default="all",
        help="rules for one Prometheus (all), the Prometheus next to the raw series (edge) or"
        " the global layer reading only recorded series (global); see README Fleet topology",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="OUTPUT",
        help=f"render only these outputs (comma-separated: {', '.join(generator_names())})",
    )
    parser.add_argument(
        "--progress",
        choices=("always", "never"),
        help="progress bar (default: on a terminal, not in CI)",
    )
    parser.set_defaults(handler=_render)
