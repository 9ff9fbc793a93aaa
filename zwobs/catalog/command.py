"""``zwobs validate`` and ``zwobs catalog schema``: the catalog's own subcommands.

Exit codes: 0 valid, 1 warnings under ``--strict``, 2 invalid or empty catalog (without
``--allow-empty``), unreadable file or unwritable ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from zwobs.atomic import write_atomic
from zwobs.catalog import CatalogError, catalog_warnings, json_schema, load_catalog
from zwobs.catalog.model import Catalog
from zwobs.printable import printable

__all__ = [
    "add_allow_empty",
    "configure_schema",
    "configure_validate",
    "empty_catalog_problem",
    "report_catalog_error",
]


def add_allow_empty(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="accept a catalog without services (render then removes every service's files)",
    )


def empty_catalog_problem(catalog: Catalog, paths: Sequence[str], allow_empty: bool) -> str | None:
    """Why a catalog without services is refused: an empty file, a comment-only file or
    /dev/null is far more often a mistake than a fleet being retired, and rendering it
    would remove every service's generated files."""
    if catalog.services or allow_empty:
        return None
    files = ", ".join(printable(p) for p in paths)
    return (
        f"{files}: the catalog defines no services (empty, comments only, or no"
        " `services:` entries); pass --allow-empty if that is intended"
    )


def report_catalog_error(error: CatalogError) -> int:
    """Print every issue (``file:line:column: path: message``) to stderr; exit code 2."""
    for issue in error.issues:
        print(issue, file=sys.stderr)  # Issue.__str__ escapes control characters
    count = len(error.issues)
    print(f"{count} problem{'s' if count != 1 else ''} in the catalog", file=sys.stderr)
    return 2


def _validate(args: argparse.Namespace) -> int:
    try:
        catalog = load_catalog(args.catalog)
    except CatalogError as error:
        return report_catalog_error(error)
    problem = empty_catalog_problem(catalog, args.catalog, args.allow_empty)
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    warnings = catalog_warnings(catalog)
    for warning in warnings:
        print(f"warning: {printable(warning)}", file=sys.stderr)
    slos = sum(len(s.slos) for s in catalog.services)
    print(f"ok: {len(catalog.services)} services, {slos} SLOs")
    return 1 if args.strict and warnings else 0


def configure_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("catalog", nargs="+", help="catalog YAML (zwobs, Sloth or OpenSLO)")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when there are warnings (e.g. no runbook)"
    )
    add_allow_empty(parser)
    parser.set_defaults(handler=_validate)


def _schema(args: argparse.Namespace) -> int:
    text = json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
    if args.out:
        try:
            write_atomic(Path(args.out), text)
        except OSError as error:
            print(f"error: cannot write {printable(args.out)}: {error.strerror}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(text)
    return 0


def configure_schema(parser: argparse.ArgumentParser) -> None:
    """``zwobs catalog schema``: the JSON Schema for editors and pre-commit checks."""
    sub = parser.add_subparsers(dest="catalog_command", required=True, metavar="COMMAND")
    schema = sub.add_parser("schema", help="print the catalog's JSON Schema")
    schema.add_argument("--out", help="write to this file instead of stdout")
    schema.set_defaults(handler=_schema)
