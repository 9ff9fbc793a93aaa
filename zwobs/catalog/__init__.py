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

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from zwobs.catalog import sloth
from zwobs.catalog.errors import CatalogError, Issue
from zwobs.catalog.imported import Imported, plain
from zwobs.catalog.loader import build_catalog, objective_problem
from zwobs.catalog.model import Catalog, Service, SourceRef
from zwobs.catalog.openslo import Document, document, import_openslo
from zwobs.catalog.queries import parse_queries
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


def _issue_at(ref: SourceRef | None, path: str, message: str) -> Issue:
    line, column = (ref.line, ref.column) if ref else (1, 1)
    return Issue(ref.file if ref else "", line, column, path, message)


def _check_imported(service: Service) -> list[Issue]:
    period_problem = slo_period_problem(service.slo_period_days)
    issues = []
    for objective in service.slos:
        problem = period_problem or objective_problem(objective.objective, service.slo_period_days)
        if problem is not None:
            issues.append(_issue_at(objective.source, f"{service.name}/{objective.name}", problem))
    return issues


def _merge_split_specs(services: list[Service]) -> tuple[list[Service], list[Issue]]:
    """One service from several Sloth specs (Sloth allows splitting a service's SLOs
    across files): SLOs are joined; team, tier and SLO names must not clash."""
    merged: dict[str, Service] = {}
    issues: list[Issue] = []
    for service in services:
        first = merged.get(service.name)
        if first is None:
            merged[service.name] = service
            continue
        if first.origin != "sloth" or service.origin != "sloth":
            issues.append(_issue_at(service.source, "", f"service {service.name} is defined twice"))
            continue
        if (first.team, first.tier) != (service.team, service.tier):
            issues.append(
                _issue_at(
                    service.source,
                    "labels",
                    f"service {service.name} is split across specs with another owner/tier"
                    f" ({first.team}, tier {first.tier}); give every part the same labels",
                )
            )
            continue
        names = {s.name for s in first.slos}
        for slo in service.slos:
            if slo.name in names:
                issues.append(_issue_at(slo.source, "name", f"duplicate SLO name {slo.name}"))
        slos = (*first.slos, *(s for s in service.slos if s.name not in names))
        merged[service.name] = replace(first, slos=slos)
    return list(merged.values()), issues


def _dispatch(
    node: Node, prefix: str, ctx: Context, out: Imported, openslo: list[Document]
) -> bool:
    """Read an import document into ``out``/``openslo``; False when it is none."""
    api = _header(node, "apiVersion") or ""
    if _header(node, "version") == sloth.VERSION or api == sloth.CRD_API:
        sloth.import_sloth(node, prefix, ctx, out)
    elif api.startswith("openslo/"):
        found = document(plain(node, prefix, ctx), prefix, ctx)
        if found is not None:
            openslo.append(found)
    else:
        return False
    return True


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
    catalog: Catalog | None = None
    out = Imported()
    openslo: list[Document] = []
    contexts: list[Context] = []
    for raw_path in paths:
        path = Path(raw_path)
        ctx = Context(str(path))
        contexts.append(ctx)
        documents = _documents(path, ctx)
        for index, node in enumerate(documents):
            prefix = f"[document {index + 1}]" if len(documents) > 1 else ""
            if isinstance(node, SequenceNode):  # the OpenSLO SDK's list of documents
                for item_index, item in enumerate(node.value):
                    item_prefix = child_path(prefix, item_index)
                    if not _dispatch(item, item_prefix, ctx, out, openslo):
                        ctx.error(item, item_prefix, "expected a Sloth or OpenSLO document")
            elif _dispatch(node, prefix, ctx, out, openslo):
                continue
            elif catalog is None:
                catalog = build_catalog(node, ctx)
            else:
                ctx.error(node, prefix, "a second zwobs catalog; give one catalog and any imports")
    import_openslo(openslo, out)
    imported, issues = _merge_split_specs(out.services)
    for ctx in contexts:
        issues.extend(ctx.issues)
    base = catalog or Catalog(services=())
    names = {s.name for s in base.services}
    for service in imported:
        issues.extend(_check_imported(service))
        if service.name in names:
            issues.append(_issue_at(service.source, "", f"service {service.name} is defined twice"))
        names.add(service.name)
    parse_issues, parse_note = parse_queries(out.queries)
    issues.extend(parse_issues)
    if issues:
        raise CatalogError(sorted(set(issues)))  # an SLI two SLOs refer to is checked twice
    services = tuple(sorted((*base.services, *imported), key=lambda s: s.name))
    notes = (*out.notes, *([parse_note] if parse_note else []))
    return replace(base, services=services, notes=tuple(notes))


def catalog_warnings(catalog: Catalog) -> list[str]:
    """Things that render fine but a platform team will want to fix."""
    warnings: list[str] = list(catalog.notes)
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
