"""``zwobs render``: catalog -> files, or ``--check`` for drift (the CI gate).

Exit codes: 0 written / up to date, 1 drift (``--check``: every differing, missing or
stale file is named), 2 invalid catalog, unknown output, a file that cannot be written, or
a requested output whose extra is not installed (nothing is written or checked then: a
core install renders alerts, rollouts and policies; dashboards need ``zwobs[render]``).
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
from zwobs.catalog.command import report_catalog_error
from zwobs.extras import MissingExtraError
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
from zwobs.render.files import check_tree, write_tree

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
        rendered = render_all(catalog, options, only)
    except CatalogError as error:
        progress.close()
        return report_catalog_error(error)
    except RenderError as error:
        progress.close()
        print(f"error: {error}", file=sys.stderr)
        return 2
    except MissingExtraError as error:
        progress.close()
        available = ",".join(_installed_outputs())
        print(f"error: {error}; without it: --only {available}", file=sys.stderr)
        return 2
    out = Path(args.out)
    if args.check:
        progress.close()
        drifts = check_tree(out, rendered.files, rendered.directories)
        for drift in drifts:
            print(f"{out / drift.path}: {drift.kind.value}")
        if drifts:
            print(
                f"{len(drifts)} file(s) differ from the catalog; run `zwobs render"
                f" {' '.join(args.catalog)} --out {args.out}` and commit the result",
                file=sys.stderr,
            )
            return 1
        print(f"up to date: {len(rendered.files)} files in {out}")
        return 0
    try:
        report = write_tree(
            out,
            rendered.files,
            rendered.directories,
            lambda done, total: progress("writing", done, total),
        )
    except OSError as error:
        progress.close()
        print(f"error: cannot write {error.filename or out}: {error.strerror}", file=sys.stderr)
        return 2
    progress.close()
    print(
        f"rendered {len(rendered.files)} files into {out}: {len(report.written)} written,"
        f" {report.unchanged} unchanged, {len(report.removed)} stale removed"
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
