"""Reading YAML that a user, or an attacker, wrote: bounded in cost, with positions.

Every YAML file zwobs reads (catalog, imported SLO specs, flags bootstrap, secrets file,
scan waivers) goes through here, so each gets the same guarantees:

* the text is capped in bytes before parsing;
* aliases are counted as what they expand to: a 600-byte alias bomb is refused in
  microseconds instead of expanding into gigabytes in whatever walks the result later;
* every error carries ``file:line:column`` and the problem, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = [
    "MAX_BYTES",
    "MAX_NODES",
    "YamlInputError",
    "compose_documents",
    "load_documents",
    "node_position",
    "read_text",
]

MAX_BYTES: Final = 64 * 1024 * 1024
"""Default cap on a file's size: a 10,000-service catalog is a few MB."""
MAX_NODES: Final = 10_000_000
"""Default cap on nodes per document with every alias expanded (a 10,000-service catalog
holds about 500,000)."""

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlInputError(Exception):
    """A YAML input that cannot be read; ``str()`` is ``file:line:column: message``."""

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        self.file, self.line, self.column, self.message = file, line, column, message
        super().__init__(f"{file}:{line}:{column}: {message}")


class _Loader(_Base):  # type: ignore[misc]
    """Safe loader that remembers scalar tag resolution: a fleet catalog repeats the same
    keys and values thousands of times, and PyYAML resolves each one with regexes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._resolved: dict[tuple[str, tuple[bool, bool]], str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not ScalarNode:
            return super().resolve(kind, value, implicit)
        key = (value, tuple(implicit))
        tag = self._resolved.get(key)
        if tag is None:
            tag = self._resolved[key] = super().resolve(kind, value, implicit)
        return tag


def node_position(node: Node) -> tuple[int, int]:
    """1-based (line, column) where ``node`` starts."""
    return node.start_mark.line + 1, node.start_mark.column + 1


def read_text(path: Path | str, *, max_bytes: int = MAX_BYTES) -> str:
    """The file's UTF-8 text, or YamlInputError (unreadable, too large, not UTF-8)."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise YamlInputError(name, 1, 1, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise YamlInputError(name, 1, 1, f"file is larger than {max_bytes} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise YamlInputError(name, line, column, "expected UTF-8 text") from None


def _syntax_error(source: str, text: str, exc: yaml.YAMLError) -> YamlInputError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        return YamlInputError(source, line, column, f"invalid YAML: {problem}")
    position = getattr(exc, "position", None)  # a ReaderError: a control character, say
    line, column = 1, 1
    if isinstance(position, int):
        line = text.count("\n", 0, position) + 1
        column = position - text.rfind("\n", 0, position)
    problem = getattr(exc, "reason", None) or "invalid YAML"
    return YamlInputError(source, line, column, f"invalid YAML: {problem}")


def _check_expansion(root: Node, source: str, max_nodes: int) -> None:
    """Count nodes as aliases expand them, each distinct node once (memoised), so a bomb is
    measured without being walked; a recursive alias is refused too."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        known = sizes.get(key)
        if known is not None:
            return known
        if key in active:
            line, column = node_position(node)
            raise YamlInputError(source, line, column, "recursive alias: a node contains itself")
        active.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            for child in node.value:
                total += size(child)
                if total > max_nodes:
                    break
        elif isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                total += size(key_node) + size(value_node)
                if total > max_nodes:
                    break
        active.discard(key)
        sizes[key] = total
        return total

    try:
        total = size(root)
    except RecursionError:
        line, column = node_position(root)
        raise YamlInputError(source, line, column, "document nests too deeply") from None
    if total > max_nodes:
        line, column = node_position(root)
        raise YamlInputError(
            source,
            line,
            column,
            f"document expands to more than {max_nodes} nodes (aliases counted as expanded)",
        )


def _composed(text: str, source: str, max_nodes: int) -> Iterator[tuple[_Loader, Node]]:
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            _check_expansion(node, source, max_nodes)
            yield loader, node
    except yaml.YAMLError as exc:
        raise _syntax_error(source, text, exc) from None
    finally:
        loader.dispose()


def compose_documents(text: str, source: str, *, max_nodes: int = MAX_NODES) -> list[Node]:
    """The node tree of every non-empty document (positions kept), each checked for size."""
    return [node for _, node in _composed(text, source, max_nodes)]


def load_documents(text: str, source: str, *, max_nodes: int = MAX_NODES) -> list[Any]:
    """Plain Python values of every document that is not empty or null (safe tags only)."""
    values: list[Any] = []
    for loader, node in _composed(text, source, max_nodes):
        try:
            value = loader.construct_document(node)
        except yaml.YAMLError as exc:
            raise _syntax_error(source, text, exc) from None
        if value is not None:
            values.append(value)
    return values
