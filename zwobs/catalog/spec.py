"""One description of the catalog's shape: it validates YAML nodes and prints the JSON Schema.

Validating and publishing the schema from the same objects keeps them from drifting:
what an editor completes from ``zwobs catalog schema`` is exactly what ``zwobs validate``
accepts structurally. Semantic checks (buckets, duplicates, alert feasibility) live in
the loader, which has the whole catalog in view.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from zwobs.catalog.errors import Issue
from zwobs.yamlread import node_position

__all__ = [
    "Bool",
    "Context",
    "Int",
    "ListOf",
    "MapOf",
    "Num",
    "Obj",
    "Refused",
    "Spec",
    "Str",
    "child_path",
]

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"

_constructor = yaml.constructor.SafeConstructor()


def child_path(path: str, key: str | int) -> str:
    """``services[1].slos`` style paths, as users read them."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


@dataclass
class Context:
    """Collects issues and remembers where each path starts (for semantic checks later)."""

    file: str
    issues: list[Issue] = field(default_factory=list)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    def error(self, node: Node | None, path: str, message: str) -> None:
        line, column = node_position(node) if node else (1, 1)
        self.issues.append(Issue(self.file, line, column, path, message))

    def error_at(self, path: str, message: str) -> None:
        """An issue at a path checked earlier (its position was remembered)."""
        line, column = self.positions.get(path, (1, 1))
        self.issues.append(Issue(self.file, line, column, path, message))

    def remember(self, node: Node, path: str) -> None:
        self.positions[path] = node_position(node)


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "nothing"
    return repr(node.value) if isinstance(node.value, str) else "a value"


class Spec:
    """A node shape: ``check`` returns the Python value or records issues and returns None."""

    description: str = ""

    def check(self, node: Node, path: str, ctx: Context) -> Any:
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def _with_description(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.description:
            schema["description"] = self.description
        return schema


@dataclass
class Str(Spec):
    pattern: str | None = None
    enum: tuple[str, ...] = ()
    expected: str = "a string"
    description: str = ""

    def check(self, node: Node, path: str, ctx: Context) -> Any:
        if not isinstance(node, ScalarNode) or node.tag not in (_STR, _INT, _FLOAT, _BOOL):
            ctx.error(node, path, f"expected {self.expected}, got {_describe(node)}")
            return None
        value = str(node.value)
        if self.enum and value not in self.enum:
            ctx.error(node, path, f"expected one of {', '.join(self.enum)}, got {value!r}")
            return None
        if self.pattern and not re.fullmatch(self.pattern, value):
            ctx.error(node, path, f"expected {self.expected}, got {value!r}")
            return None
        return value

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string"}
        if self.enum:
            out["enum"] = list(self.enum)
        if self.pattern:
            out["pattern"] = f"^(?:{self.pattern})$"
        return self._with_description(out)


@dataclass
class Num(Spec):
    """A number with optional bounds; ``exclusive`` makes both bounds open."""

    minimum: float | None = None
    maximum: float | None = None
    exclusive: bool = False
    expected: str = "a number"
    description: str = ""

    def check(self, node: Node, path: str, ctx: Context) -> Any:
        if not isinstance(node, ScalarNode) or node.tag not in (_INT, _FLOAT):
            ctx.error(node, path, f"expected {self.expected}, got {_describe(node)}")
            return None
        value = float(_constructor.construct_object(node))
        low, high = self.minimum, self.maximum
        bad = not math.isfinite(value)
        if low is not None:
            bad = bad or (value <= low if self.exclusive else value < low)
        if high is not None:
            bad = bad or (value >= high if self.exclusive else value > high)
        if bad:
            ctx.error(node, path, f"expected {self.expected}, got {node.value}")
            return None
        return value

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "number"}
        if self.minimum is not None:
            out["exclusiveMinimum" if self.exclusive else "minimum"] = self.minimum
        if self.maximum is not None:
            out["exclusiveMaximum" if self.exclusive else "maximum"] = self.maximum
        return self._with_description(out)


@dataclass
class Int(Spec):
    minimum: int | None = None
    maximum: int | None = None
    expected: str = "an integer"
    description: str = ""

    def check(self, node: Node, path: str, ctx: Context) -> Any:
        if not isinstance(node, ScalarNode) or node.tag != _INT:
            ctx.error(node, path, f"expected {self.expected}, got {_describe(node)}")
            return None
        value = int(_constructor.construct_object(node))
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            ctx.error(node, path, f"expected {self.expected}, got {value}")
            return None
        return value

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return self._with_description(out)


@dataclass
class Bool(Spec):
    description: str = ""

    def check(self, node: Node, path: str, ctx: Context) -> Any:
        if not isinstance(node, ScalarNode) or node.tag != _BOOL:
            ctx.error(node, path, f"expected true or false, got {_describe(node)}")
            return None
        return bool(_constructor.construct_object(node))

    def schema(self) -> dict[str, Any]:
        return self._with_description({"type": "boolean"})


@dataclass
class ListOf(Spec):
    item: Spec
    unique: bool = False
    description: str = ""

    def check(self, node: Node, path: str, ctx: Context) -> Any:
        if not isinstance(node, SequenceNode):
            ctx.error(node, path, f"expected a list, got {_describe(node)}")
            return None
        values: list[Any] = []
        seen: dict[Any, int] = {}
        for index, child in enumerate(node.value):
            item_path = child_path(path, index)
            ctx.remember(child, item_path)
            value = self.item.check(child, item_path, ctx)
            if self.unique and isinstance(value, str | int | float):
                if value in seen:
                    ctx.error(child, item_path, f"duplicate {value!r} (also at [{seen[value]}])")
                    continue
                seen[value] = index
            values.append(value)
        return values

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.schema()}
        if self.unique:
            out["uniqueItems"] = True
        return self._with_description(out)


def _mapping_items(node: Node, path: str, ctx: Context) -> list[tuple[str, Node, Node]] | None:
    if not isinstance(node, MappingNode):
        ctx.error(node, path, f"expected a mapping, got {_describe(node)}")
        return None
    items: list[tuple[str, Node, Node]] = []
    seen: set[str] = set()
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == _NULL:
            ctx.error(key_node, path, "expected a string key")
            continue
        key = str(key_node.value)
        if key in seen:
            ctx.error(key_node, child_path(path, key), "duplicate key")
            continue
        seen.add(key)
        items.append((key, key_node, value_node))
    return items


@dataclass
class MapOf(Spec):
    """Free keys (matching ``key_pattern``) with values of one shape."""

    value: Spec
    key_pattern: str | None = None
    key_expected: str = "a key"
    description: str = ""

    def check(self, node: Node, path: str, ctx: Context) -> Any:
        items = _mapping_items(node, path, ctx)
        if items is None:
            return None
        out: dict[str, Any] = {}
        for key, key_node, value_node in items:
            item_path = child_path(path, key)
            if self.key_pattern and not re.fullmatch(self.key_pattern, key):
                ctx.error(key_node, item_path, f"expected {self.key_expected}, got {key!r}")
                continue
            ctx.remember(key_node, item_path)
            value = self.value.check(value_node, item_path, ctx)
            if value is not None:
                out[key] = value
        return out

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "object", "additionalProperties": self.value.schema()}
        if self.key_pattern:
            out["propertyNames"] = {"pattern": f"^(?:{self.key_pattern})$"}
        return self._with_description(out)


@dataclass
class Obj(Spec):
    """A mapping with known keys; unknown keys are errors (with a did-you-mean)."""

    fields: Mapping[str, Spec]
    required: tuple[str, ...] = ()
    description: str = ""

    def check(self, node: Node, path: str, ctx: Context) -> Any:
        items = _mapping_items(node, path, ctx)
        if items is None:
            return None
        out: dict[str, Any] = {}
        for key, key_node, value_node in items:
            item_path = child_path(path, key)
            spec = self.fields.get(key)
            if spec is None:
                close = difflib.get_close_matches(key, list(self.fields), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                known = ", ".join(sorted(self.fields))
                ctx.error(key_node, item_path, f"unknown key{hint}; expected one of: {known}")
                continue
            ctx.remember(value_node, item_path)
            value = spec.check(value_node, item_path, ctx)
            if value is not None:
                out[key] = value
        for key in self.required:
            if key not in {k for k, _, _ in items}:
                ctx.error(node, child_path(path, key), "required key is missing")
        return out

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "object",
            "properties": {k: v.schema() for k, v in self.fields.items()},
            "additionalProperties": False,
        }
        if self.required:
            out["required"] = list(self.required)
        return self._with_description(out)


@dataclass
class Refused(Spec):
    """A key that is known but never accepted (an inline secret): its own message, not the
    generic "unknown key", so the user learns what to write instead."""

    message: str
    description: str = ""

    def check(self, node: Node, path: str, ctx: Context) -> Any:
        ctx.error(node, path, self.message)
        return None

    def schema(self) -> dict[str, Any]:
        return self._with_description({"not": {}, "description": self.message})
