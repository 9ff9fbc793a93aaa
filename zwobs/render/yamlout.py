"""Byte-stable YAML for rule and test files, written by hand because PyYAML's representer
dominated render time at 10,000 services (5 ms per file).

Supports what the generators emit: mappings (in insertion order), lists, str, int, float,
bool and None. A string is written plain only when it cannot be read back as anything but
that string; otherwise double-quoted with JSON escapes (valid YAML), or as a ``|`` literal
block when it spans lines. ``tests/render/test_yamlout.py`` round-trips through PyYAML.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Final

import yaml

__all__ = ["dump_yaml", "is_plain"]

_PLAIN: Final = re.compile(r"[A-Za-z0-9_/][A-Za-z0-9_./:+=-]*")
_STR_TAG: Final = "tag:yaml.org,2002:str"
_resolver: Final[Any] = yaml.resolver.Resolver()
# What Go's YAML (Prometheus, promtool) would read as something else than a string, beyond
# PyYAML's YAML 1.1 rules: exponent floats without a dot, radix ints, y/n booleans.
_GO_NUMBER: Final = re.compile(
    r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|0[xob][0-9a-fA-F_]+"
)
_RESERVED: Final = frozenset(
    {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}
)
_SAFE_BLOCK_LINE: Final = re.compile(r"[^\s].*|")


@functools.lru_cache(maxsize=65536)
def is_plain(text: str) -> bool:
    """True when ``text`` is written as is (no quotes, no escapes) wherever it appears:
    only safe characters, and YAML would not read it as a number, boolean, null or date."""
    if not _PLAIN.fullmatch(text) or text.lower() in _RESERVED or _GO_NUMBER.fullmatch(text):
        return False
    return bool(_resolver.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if is_plain(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _block(text: str, indent: str) -> str | None:
    """A ``|`` literal block, or None when the text cannot be one faithfully."""
    lines = text.split("\n")
    chomp = "-"
    if text.endswith("\n"):
        lines = lines[:-1]
        chomp = ""
    if not lines or text.endswith("\n\n") or any(line != line.rstrip() for line in lines):
        return None
    if lines[0][:1].isspace() or "\t" in text or "\r" in text:
        return None
    body = "\n".join(f"{indent}{line}" if line else "" for line in lines)
    return f"|{chomp}\n{body}"


def _value(value: Any, indent: str) -> str:
    """The text after ``key:`` (starting with a space or a newline)."""
    if isinstance(value, dict):
        if not value:
            return " {}"
        return "\n" + _mapping(value, indent + "  ")
    if isinstance(value, list):
        if not value:
            return " []"
        return "\n" + _sequence(value, indent)
    if isinstance(value, str) and "\n" in value:
        block = _block(value, indent + "  ")
        if block is not None:
            return " " + block
    return " " + _scalar(value)


def _mapping(data: dict[str, Any], indent: str) -> str:
    return "\n".join(f"{indent}{_scalar(k)}:{_value(v, indent)}" for k, v in data.items())


def _sequence(items: list[Any], indent: str) -> str:
    out: list[str] = []
    for item in items:
        if isinstance(item, dict) and item:
            inner = _mapping(item, indent + "  ")
            out.append(f"{indent}- {inner[len(indent) + 2 :]}")
        elif isinstance(item, list) and item:
            inner = _sequence(item, indent + "  ")
            out.append(f"{indent}- {inner[len(indent) + 2 :]}")
        else:
            out.append(f"{indent}-{_value(item, indent + '  ')}")
    return "\n".join(out)


def dump_yaml(data: dict[str, Any], header: str = "") -> bytes:
    """``data`` as YAML bytes; the same data always gives the same bytes."""
    return (header + _mapping(data, "") + "\n").encode("utf-8")
