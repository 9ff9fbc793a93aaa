"""The service catalog: load a YAML file (zwobs, Sloth or OpenSLO) into the typed model.

``load_catalog`` reads every document of every file, reports every problem at once as
:class:`CatalogError` (``file:line:column: path: message``), and returns a
:class:`~zwobs.catalog.model.Catalog` that is valid by construction.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode

from zwobs.catalog.errors import CatalogError, Issue
from zwobs.catalog.imported import import_openslo, import_sloth, plain
from zwobs.catalog.loader import build_catalog, objective_problem
from zwobs.catalog.model import Catalog, Service
from zwobs.catalog.shape import json_schema
from zwobs.catalog.spec import Context, child_path
from zwobs.slo import check_period as slo_period_problem
from zwobs.yamlread import YamlInputError, compose_documents, read_text

__all__ = [
    "CatalogError",
    "Issue",
    "catalog_warnings",
    "gc_paused",
    "json_schema",
    "load_catalog",
]


def _header(node: Node, key: str) -> str | None:
    if not isinstance(node, MappingNode):
        return None
    for key_node, value_node in node.value:
        if key_node.value == key and isinstance(value_node, ScalarNode):
            return str(value_node.value)
    return None


def _documents(path: Path, ctx: Context) -> list[Node]:
    try:
        return compose_documents(read_text(path), str(path))
    except YamlInputError as exc:
        ctx.issues.append(Issue(exc.file, exc.line, exc.column, "", exc.message))
        return []


def _check_imported(service: Service, ctx: Context) -> None:
    period_problem = slo_period_problem(service.slo_period_days)
    for objective in service.slos:
        problem = period_problem or objective_problem(objective.objective, service.slo_period_days)
        if problem is not None:
            ref = objective.source
            line, column = (ref.line, ref.column) if ref else (1, 1)
            ctx.issues.append(
                Issue(ctx.file, line, column, f"{service.name}/{objective.name}", problem)
            )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: loading and rendering a fleet allocate millions
    of long-lived objects, and each collection pass would walk all of them (2.5x slower)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_catalog(paths: Sequence[Path | str]) -> Catalog:
    """Load and merge catalogs; raise :class:`CatalogError` listing every problem."""
    with gc_paused():
        return _load_catalog(paths)


def _load_catalog(paths: Sequence[Path | str]) -> Catalog:
    issues: list[Issue] = []
    catalog: Catalog | None = None
    imported: list[Service] = []
    for raw_path in paths:
        path = Path(raw_path)
        ctx = Context(str(path))
        documents = _documents(path, ctx)
        indicators: dict[str, Any] = {}
        openslo: list[tuple[Node, str]] = []
        found: list[Service] = []
        for index, node in enumerate(documents):
            prefix = f"[document {index + 1}]" if len(documents) > 1 else ""
            api = _header(node, "apiVersion") or ""
            if _header(node, "version") == "prometheus/v1":
                found.extend(import_sloth(node, ctx))
            elif api.startswith("openslo/"):
                kind = _header(node, "kind")
                if api != "openslo/v1":
                    ctx.error(node, child_path(prefix, "apiVersion"), "expected openslo/v1")
                elif kind == "SLO":
                    openslo.append((node, prefix))
                elif kind == "SLI":
                    sli = plain(node, prefix, ctx)
                    name = (sli.get("metadata") or {}).get("name")
                    indicators[str(name)] = (sli, prefix)
            elif catalog is None:
                catalog = build_catalog(node, ctx)
            else:
                ctx.error(node, prefix, "a second zwobs catalog; give one catalog and any imports")
        found.extend(import_openslo(openslo, ctx, indicators))
        for service in found:
            _check_imported(service, ctx)
        imported.extend(found)
        issues.extend(ctx.issues)
    base = catalog or Catalog(services=())
    names = {s.name for s in base.services}
    for service in imported:
        if service.name in names:
            ref = service.source
            issues.append(
                Issue(
                    ref.file if ref else "",
                    ref.line if ref else 1,
                    ref.column if ref else 1,
                    "",
                    f"service {service.name} is defined twice",
                )
            )
        names.add(service.name)
    if issues:
        raise CatalogError(issues)
    services = tuple(sorted((*base.services, *imported), key=lambda s: s.name))
    return replace(base, services=services)


def catalog_warnings(catalog: Catalog) -> list[str]:
    """Things that render fine but a platform team will want to fix."""
    warnings: list[str] = []
    for service in catalog.services:
        where = f"{service.source.file}:{service.source.line}" if service.source else service.name
        if service.origin == "catalog" and not service.runbook_url:
            warnings.append(
                f"{where}: service {service.name} has no runbook_url"
                " (set defaults.runbook_base or the service's runbook_url)"
            )
        if not service.slos:
            warnings.append(f"{where}: service {service.name} has no SLOs")
    return warnings
