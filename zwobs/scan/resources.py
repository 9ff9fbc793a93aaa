"""Which resource a line of a scanned file belongs to.

Trivy reports a Kubernetes finding by file and line only. zwobs parses the file itself
(YAML node positions) and maps the line to the document (kind, namespace, name, index
in a multi-document file such as ``helm template`` output) and, inside its pod spec,
to the container (init containers included). Dockerfile lines map to their stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .documents import iter_nodes
from .model import Resource

__all__ = ["ResourceIndex"]

_FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    resource: Resource

    def contains(self, line: int) -> bool:
        return self.start <= line <= self.end


def _end_line(node: yaml.Node) -> int:
    """The last line with content of ``node`` (a collection's end mark sits on the next token)."""
    if isinstance(node, yaml.MappingNode):
        children = [v for _, v in node.value] or []
        return max((_end_line(c) for c in children), default=node.start_mark.line + 1)
    if isinstance(node, yaml.SequenceNode):
        return max((_end_line(c) for c in node.value), default=node.start_mark.line + 1)
    mark = node.end_mark
    return max(mark.line if mark.column == 0 else mark.line + 1, node.start_mark.line + 1)


def _get(node: yaml.Node | None, *keys: str) -> yaml.Node | None:
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
    return node


def _scalar(node: yaml.Node | None) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else ""


def _pod_spec(doc: yaml.Node, kind: str) -> yaml.Node | None:
    if kind == "Pod":
        return _get(doc, "spec")
    if kind == "CronJob":
        return _get(doc, "spec", "jobTemplate", "spec", "template", "spec")
    if kind == "PodTemplate":
        return _get(doc, "template", "spec")
    return _get(doc, "spec", "template", "spec")


def _kubernetes_spans(text: str) -> list[tuple[_Span, list[_Span]]]:
    spans: list[tuple[_Span, list[_Span]]] = []
    for index, (offset, doc) in enumerate(iter_nodes(text, "manifest"), start=1):
        if not isinstance(doc, yaml.MappingNode):
            continue
        kind = _scalar(_get(doc, "kind"))
        resource = Resource(
            kind=kind or "(unknown kind)",
            name=_scalar(_get(doc, "metadata", "name")) or "(unnamed)",
            namespace=_scalar(_get(doc, "metadata", "namespace")),
            document=index,
        )
        containers: list[_Span] = []
        spec = _pod_spec(doc, kind)
        for field in ("initContainers", "containers", "ephemeralContainers"):
            items = _get(spec, field)
            if not isinstance(items, yaml.SequenceNode):
                continue
            for item in items.value:
                name = _scalar(_get(item, "name"))
                container = Resource(
                    kind=resource.kind,
                    name=resource.name,
                    namespace=resource.namespace,
                    container=name,
                    document=index,
                )
                start = item.start_mark.line + 1 + offset
                containers.append(_Span(start, _end_line(item) + offset, container))
        start = doc.start_mark.line + 1 + offset
        spans.append((_Span(start, _end_line(doc) + offset, resource), containers))
    return spans


def _dockerfile_stages(text: str) -> list[tuple[int, Resource]]:
    stages: list[tuple[int, Resource]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _FROM.match(line)
        if match:
            name = match.group(2) or match.group(1)
            stages.append((number, Resource(kind="Stage", name=name, document=len(stages) + 1)))
    return stages


class ResourceIndex:
    """Resolves ``(file, line)`` to a resource; files are parsed once and cached."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._kubernetes: dict[str, list[tuple[_Span, list[_Span]]]] = {}
        self._dockerfiles: dict[str, list[tuple[int, Resource]]] = {}

    def _read(self, path: str) -> str:
        file = Path(path) if Path(path).is_absolute() else self._root / path
        try:
            return file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def kubernetes(self, path: str, line: int) -> Resource | None:
        """The resource (with container, when the line is inside one) at ``line`` of ``path``."""
        if path not in self._kubernetes:
            self._kubernetes[path] = _kubernetes_spans(self._read(path))
        documents = self._kubernetes[path]
        if not line:
            return documents[0][0].resource if len(documents) == 1 else None
        for document, containers in documents:
            if document.contains(line):
                inner = [c for c in containers if c.contains(line)]
                return inner[-1].resource if inner else document.resource
        # Trivy points some resource-level findings at the `---` or comment lines just
        # before a document: they belong to the document that follows.
        following = [d for d, _ in documents if d.start > line]
        return following[0].resource if following else None

    def dockerfile(self, path: str, line: int) -> Resource | None:
        """The stage ``line`` of the Dockerfile ``path`` is in (the last stage without a line)."""
        if path not in self._dockerfiles:
            self._dockerfiles[path] = _dockerfile_stages(self._read(path))
        stages = self._dockerfiles[path]
        if not stages:
            return None
        if not line:
            return stages[-1][1]
        before = [resource for start, resource in stages if start <= line]
        return before[-1] if before else stages[0][1]
