"""Generators: pure functions from the typed catalog to files, collected in one place.

The contract every generator follows (alerts, dashboards, rollouts, policies)::

    def render_<x>(catalog: Catalog, options: RenderOptions) -> dict[str, bytes]

* It returns ``{relative path: content}``; every path starts with the generator's own
  directory (``alerts/``, ``dashboards/``, ``rollouts/``, ``policies/``), uses ``/`` and
  never ``..``. ``zwobs render`` writes there and keeps a manifest of what it wrote
  (``.zwobs-manifest.json``, see :mod:`zwobs.render.files`): only those files are
  overwritten, or removed once no longer rendered; every other file is left alone.
* It is pure: no I/O, no clock, no randomness, no environment. Same catalog, same bytes
  (sort keys and lists; end text files with a newline).
* It raises :class:`RenderError` for a catalog it cannot render (message says what and where).

To register a generator add ONE line to ``GENERATORS`` below: ``(directory, "module:function")``.
The module is imported lazily: a generator that fails to import breaks the renders that
include it, never the import of zwobs.render or the other generators' ``--only`` runs.
The recording-rule names a dashboard may draw (SLO burn rates, budgets, thresholds) are in
:mod:`zwobs.names` (``SLO_*``, ``SERVICE_*``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from typing import Final

from zwobs.catalog import gc_paused
from zwobs.catalog.model import Catalog
from zwobs.render.shapes import ShapeCache

__all__ = [
    "DASHBOARD_MODES",
    "FORMATS",
    "GENERATORS",
    "LAYERS",
    "Generator",
    "RenderError",
    "RenderOptions",
    "Rendered",
    "generator_names",
    "render_all",
]

FORMATS: Final = ("prometheus", "prometheus-operator")
"""Output formats of the rule files: plain rule files or ``PrometheusRule`` objects."""
DASHBOARD_MODES: Final = ("auto", "templated", "per-service")
"""One templated service dashboard, or one JSON per service (``auto``: templated when the
catalog has a ``topology``, per service otherwise)."""
LAYERS: Final = ("all", "edge", "global")
"""Rule layers: both on one Prometheus, the raw-reading edge, the recorded-reading global."""

# (directory, "module:function") -- one line per generator, in output order.
GENERATORS: Final[tuple[tuple[str, str], ...]] = (
    ("alerts", "zwobs.render.alerts:render_alerts"),
    ("dashboards", "zwobs.render.dashboards:render_dashboards"),
    ("rollouts", "zwobs.render.rollouts:render_rollouts"),
    ("policies", "zwobs.render.policies:render_policies"),
    ("alertmanager", "zwobs.render.alertmanager:render_alertmanager"),
    ("loadtests", "zwobs.render.loadtests:render_loadtests"),
)


class RenderError(Exception):
    """A catalog that validates but cannot be rendered; the message is for the user."""


Progress = Callable[[str, int, int], None]
"""``progress(what, done, total)``; generators may call it for long loops (it may be a no-op)."""


def _no_progress(what: str, done: int, total: int) -> None:
    del what, done, total


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """What a render run may vary besides the catalog."""

    format: str = "prometheus"
    """Rule files as plain Prometheus rule files or ``PrometheusRule`` objects."""
    namespace: str = "monitoring"
    """Namespace of the Kubernetes objects a generator emits."""
    dashboards: str = "auto"
    """``templated``, ``per-service`` or ``auto`` (see DASHBOARD_MODES)."""
    layer: str = "all"
    """Which rules: ``edge`` (read raw series), ``global`` (read recorded series only) or
    ``all`` (one Prometheus holding everything); see the README's "Fleet topology"."""
    progress: Progress = field(default=_no_progress, compare=False, repr=False)
    shapes: ShapeCache = field(default_factory=ShapeCache, compare=False, repr=False)
    """Per-service output rendered once per service shape; ``render_all`` gives each run
    a fresh one."""


Generator = Callable[[Catalog, RenderOptions], dict[str, bytes]]


@dataclass(frozen=True, slots=True)
class Rendered:
    """Everything one render produced, and the directories it owns."""

    files: dict[str, bytes]
    directories: tuple[str, ...]


def generator_names() -> tuple[str, ...]:
    """The registered output directories, in order."""
    return tuple(directory for directory, _ in GENERATORS)


def _load(spec: str) -> Generator:
    module_name, _, attr = spec.partition(":")
    function: Generator = getattr(importlib.import_module(module_name), attr)
    return function


def render_all(
    catalog: Catalog, options: RenderOptions | None = None, only: Collection[str] | None = None
) -> Rendered:
    """Run the registered generators (or ``only`` these directories) and collect their files."""
    options = replace(options or RenderOptions(), shapes=ShapeCache())
    if options.format not in FORMATS:
        expected = ", ".join(FORMATS)
        raise RenderError(f"unknown format {options.format!r}: expected one of {expected}")
    if options.dashboards not in DASHBOARD_MODES:
        expected = ", ".join(DASHBOARD_MODES)
        raise RenderError(
            f"unknown dashboards mode {options.dashboards!r}: expected one of {expected}"
        )
    if options.layer not in LAYERS:
        raise RenderError(f"unknown layer {options.layer!r}: expected one of {', '.join(LAYERS)}")
    selected = [(d, s) for d, s in GENERATORS if only is None or d in only]
    unknown = sorted(set(only or ()) - {d for d, _ in GENERATORS})
    if unknown:
        raise RenderError(
            f"unknown output {', '.join(unknown)}: expected some of {', '.join(generator_names())}"
        )
    files: dict[str, bytes] = {}
    with gc_paused():
        for directory, spec in selected:
            for path, content in sorted(_load(spec)(catalog, options).items()):
                _check_path(directory, path)
                if path in files:
                    raise RenderError(f"two generators write {path}")
                files[path] = content
    return Rendered(files=dict(sorted(files.items())), directories=tuple(d for d, _ in selected))


def _check_path(directory: str, path: str) -> None:
    parts = path.split("/")
    if parts[0] != directory or len(parts) < 2 or any(p in ("", ".", "..") for p in parts):
        raise RenderError(f"generator for {directory}/ returned a path outside it: {path!r}")
