"""Split a YAML file into documents the way Trivy does, and hand Trivy only what parses.

Trivy splits a Kubernetes file on lines that are exactly ``---`` and drops the whole
file when one document fails to parse (an ERROR log line, exit code 0): a broken second
document silently takes the valid first one with it. A separator with a comment
(``--- # web``) is not split at all, so the document after it is never evaluated.

zwobs splits on every YAML document marker, parses each document with bounded cost and
builds the text Trivy sees: separators normalised to ``---``, every document that does
not parse blanked out line for line, so the line numbers Trivy reports still point into
the user's file. Each document that could not be handed over is reported with its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from yaml.nodes import MappingNode, Node, ScalarNode

from zwobs.policies.model import WORKLOAD_KINDS
from zwobs.yamlread import YamlInputError, compose_documents

__all__ = ["MAX_NODES", "Document", "SplitFile", "iter_nodes", "split_yaml"]

MAX_NODES = 1_000_000
"""Nodes per document, aliases expanded: a large CRD has about 100,000."""

_MARKER = re.compile(r"^(---|\.\.\.)(?=[ \t\r]|$)")
_DIRECTIVE = re.compile(r"^%")
_KUBERNETES_FIELDS = ("apiVersion", "kind", "metadata")


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document of a file: where it starts and what it is."""

    line: int
    """1-based line of the user's file where the document's content starts."""
    kind: str = ""
    name: str = ""
    kubernetes: bool = False
    """Has apiVersion, kind and metadata: Trivy evaluates it as a Kubernetes object."""
    problem: str = ""
    """Why the document cannot be evaluated (empty when it can)."""
    problem_line: int = 0
    mapping: bool = True
    """False for a scalar or sequence document: Trivy refuses a file that holds one."""


@dataclass(slots=True)
class SplitFile:
    """A YAML file as zwobs hands it to Trivy."""

    documents: list[Document] = field(default_factory=list)
    staged: str = ""
    """The text Trivy scans."""
    line_map: list[int] = field(default_factory=list)
    """Original line of each staged line (index 0 is staged line 1)."""

    @property
    def kubernetes_objects(self) -> int:
        return sum(1 for d in self.documents if d.kubernetes and not d.problem)

    def original_line(self, staged_line: int) -> int:
        if 1 <= staged_line <= len(self.line_map):
            return self.line_map[staged_line - 1]
        return staged_line


@dataclass(slots=True)
class _Chunk:
    first_line: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    """(original line, text) of the document's content lines."""


def _chunks(text: str) -> Iterator[tuple[str, _Chunk]]:
    """(separator, chunk) pairs; the separator is "" for the first chunk, else the marker."""
    chunk = _Chunk(first_line=1)
    separator = ""
    for number, line in enumerate(text.split("\n"), start=1):
        match = _MARKER.match(line)
        if match is None:
            # A directive before a document: Trivy's splitter cannot take it.
            directive = _DIRECTIVE.match(line) and not any(t.strip() for _, t in chunk.lines)
            chunk.lines.append((number, "" if directive else line))
            continue
        yield separator, chunk
        separator = match.group(1)
        chunk = _Chunk(first_line=number)
        rest = line[match.end() :]
        if match.group(1) == "---" and rest.strip() and not rest.strip().startswith("#"):
            chunk.lines.append((number, rest))  # content on the marker line: `--- {a: 1}`
    yield separator, chunk


def _scalar(node: Node | None) -> str:
    return str(node.value) if isinstance(node, ScalarNode) else ""


def _get(node: Node, key: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    return next((v for k, v in node.value if _scalar(k) == key), None)


def _duplicate_key(root: Node) -> tuple[str, int] | None:
    """The first key repeated in a mapping: Trivy refuses such a file, the API server keeps
    one of the values, and reviewers read the other."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                name = _scalar(key)
                if isinstance(key, ScalarNode) and name != "<<":
                    if name in keys:
                        return name, key.start_mark.line + 1
                    keys.add(name)
                stack.append(value)
        elif isinstance(node.value, list):
            stack.extend(node.value)
    return None


def _document(chunk_text: str, offset: int, source: str) -> Document | None:
    """The document in ``chunk_text`` (None when it holds no node); ``offset`` is added to
    the chunk's line numbers, which count LF only, as Trivy does (YAML also breaks lines at
    CR, NEL and U+2028, so an error's line is kept inside the chunk)."""
    last = offset + chunk_text.count("\n") + 1
    try:
        nodes = compose_documents(chunk_text, source, max_nodes=MAX_NODES)
    except YamlInputError as exc:
        line = min(exc.line + offset, last)
        return Document(line=line, problem=exc.message, problem_line=line)
    if not nodes:
        return None
    node = nodes[0]
    line = chunk_text.count("\n", 0, node.start_mark.index) + 1 + offset
    if len(nodes) > 1:
        # A marker after a line break other than LF (CR, NEL, U+2028): YAML starts a new
        # document there, Trivy's splitter does not and would read only the first.
        later = chunk_text.count("\n", 0, nodes[1].start_mark.index) + 1 + offset
        problem = "a document marker after a line break other than LF: Trivy would skip it"
        return Document(line=line, problem=problem, problem_line=later)
    if not isinstance(node, MappingNode):
        return Document(line=line, mapping=False)
    kind = _scalar(_get(node, "kind"))
    metadata = _get(node, "metadata")
    name = _scalar(_get(metadata, "name")) if metadata is not None else ""
    present = [f for f in _KUBERNETES_FIELDS if _get(node, f) is not None]
    if len(present) < len(_KUBERNETES_FIELDS):
        if kind not in WORKLOAD_KINDS:  # kustomization, kubeconfig, kind or skaffold config
            return Document(line=line, kind=kind, name=name)
        missing = ", ".join(f for f in _KUBERNETES_FIELDS if f not in present)
        return Document(
            line=line,
            kind=kind,
            name=name,
            problem=f"not a complete Kubernetes object (no {missing}): Trivy skips it",
            problem_line=line,
        )
    duplicate = _duplicate_key(node)
    if duplicate is not None:
        key, key_line = duplicate
        return Document(
            line=line,
            kind=kind,
            name=name,
            problem=f"duplicate key {key!r}: tools disagree on which value wins",
            problem_line=min(key_line + offset, last),
        )
    if kind.endswith("List") and _get(node, "items") is not None:
        return Document(
            line=line,
            kind=kind,
            name=name,
            kubernetes=True,
            problem=f"a {kind}: its items are not evaluated one by one; write each item as "
            "its own document",
            problem_line=line,
        )
    return Document(line=line, kind=kind, name=name, kubernetes=True)


def split_yaml(text: str, source: str) -> SplitFile:
    """The documents of ``text`` and the staged text Trivy should scan instead."""
    result = SplitFile()
    staged: list[str] = []
    for separator, chunk in _chunks(text.removeprefix("\ufeff")):
        if separator:
            # `...` ends a document; a `---` of ours starts the next one either way.
            staged.append("---")
            result.line_map.append(chunk.first_line)
        content = "\n".join(t for _, t in chunk.lines)
        offset = chunk.lines[0][0] - 1 if chunk.lines else chunk.first_line
        document = _document(content, offset, source) if content.strip() else None
        if document is not None:
            result.documents.append(document)
        blank = document is not None and (bool(document.problem) or not document.mapping)
        for number, line in chunk.lines:
            staged.append("" if blank else line)
            result.line_map.append(number)
    result.staged = "\n".join(staged)
    if result.kubernetes_objects:
        result.documents = [
            d
            if d.mapping
            else replace(
                d,
                problem="not a mapping, so not a Kubernetes object: kubectl and Trivy refuse "
                "the whole file",
                problem_line=d.line,
            )
            for d in result.documents
        ]
    return result


def iter_nodes(text: str, source: str) -> Iterator[tuple[int, Node]]:
    """(line offset, node) of every document of ``text`` that parses, bounded like
    :func:`split_yaml`; node lines plus the offset are lines of ``text``."""
    for _, chunk in _chunks(text.removeprefix("\ufeff")):
        content = "\n".join(t for _, t in chunk.lines)
        if not content.strip():
            continue
        try:
            nodes = compose_documents(content, source, max_nodes=MAX_NODES)
        except YamlInputError:
            continue
        if nodes:
            yield chunk.lines[0][0] - 1, nodes[0]
