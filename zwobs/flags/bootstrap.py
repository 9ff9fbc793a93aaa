"""Bootstrap files: the embedded default without a server, the start-up seed with one.

Two formats: Unleash's own ``/api/client/features`` JSON (what an export or a
saved server answer looks like), or a small YAML for hand-written defaults::

    new_chat_ui: on               # on / off
    search_v2: 25%                # gradual rollout, sticky on userId/sessionId/random
    checkout:
      enabled: true
      rollout: 50
      stickiness: userId
      constraints: [{contextName: environment, operator: IN, values: [production]}]
      variants: [{name: blue, payload: "#00f"}, {name: green, weight: 2}]

A variant's ``payload`` is text, a mapping or list (sent as JSON), or Unleash's own shape
``{type: string|json|csv|number, value: ...}``. A YAML file may also hold the Unleash format
(a top-level ``features`` list) or a delta-API document (an ``events`` list). Files are read
through zwobs.yamlread: bounded in size and in alias expansion, errors with file:line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from yaml.nodes import MappingNode, Node, ScalarNode

from zwobs.flags._delta import apply_events, is_delta
from zwobs.flags._json import loads
from zwobs.flags.errors import FlagsConfigError
from zwobs.yamlread import YamlInputError, compose_documents, load_documents, read_text

__all__ = ["load_bootstrap", "parse_simple", "payload_from_mapping"]

MAX_BYTES: Final = 32 * 1024 * 1024
"""A bootstrap file larger than this is refused before parsing (10,000 flags are ~10 MB)."""
MAX_NODES: Final = 2_000_000
"""YAML nodes per file with aliases expanded: an alias bomb is refused, never expanded."""
_PAYLOAD_TYPES = frozenset({"string", "json", "csv", "number"})
_SIMPLE_KEYS = frozenset(
    {"enabled", "rollout", "stickiness", "group_id", "constraints", "variants", "description"}
)


def load_bootstrap(path: str | Path) -> dict[str, Any]:
    """Read a bootstrap file into an Unleash features payload; FlagsConfigError on any problem."""
    file = Path(path)
    try:
        text = read_text(file, max_bytes=MAX_BYTES)
        if file.suffix.lower() == ".json":
            try:
                data = loads(text)
            except json.JSONDecodeError as exc:
                raise FlagsConfigError(f"{file}:{exc.lineno}: invalid JSON: {exc.msg}") from None
            except ValueError as exc:
                raise FlagsConfigError(f"{file}: invalid JSON: {exc}") from None
            return _as_payload(data, str(file), lines={})
        nodes = compose_documents(text, str(file), max_nodes=MAX_NODES)
        if len(nodes) > 1:
            raise FlagsConfigError(f"{file}: expected one YAML document, got {len(nodes)}")
        values = load_documents(text, str(file), max_nodes=MAX_NODES)
    except YamlInputError as exc:
        raise FlagsConfigError(str(exc)) from None
    data = values[0] if values else None
    return _as_payload(data, str(file), lines=_key_lines(nodes[0] if nodes else None))


def _key_lines(node: Node | None) -> dict[str, int]:
    """Line of each top-level key (and of each key under ``flags:``), for error messages."""
    lines: dict[str, int] = {}
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                lines[str(key.value)] = key.start_mark.line + 1
                if key.value == "flags":
                    lines.update(_key_lines(value))
    return lines


def payload_from_mapping(data: Mapping[str, Any], origin: str = "<flags>") -> dict[str, Any]:
    """A bootstrap mapping (as a bootstrap file would hold it) as an Unleash features payload."""
    return _as_payload(dict(data), origin, lines={})


def _as_payload(data: Any, origin: str, *, lines: Mapping[str, int]) -> dict[str, Any]:
    if data is None:
        return {"version": 2, "features": []}
    if isinstance(data, dict) and "features" in data:
        return data
    if is_delta(data):
        return apply_events({"features": []}, data, origin)
    if isinstance(data, dict) and isinstance(data.get("flags"), dict):
        data = data["flags"]
    return parse_simple(data, origin, lines=lines)


def parse_simple(
    data: Any, origin: str = "<flags>", *, lines: Mapping[str, int] | None = None
) -> dict[str, Any]:
    """Turn the simple ``flag: on | off | NN% | {...}`` mapping into an Unleash payload."""
    lines = lines or {}
    if not isinstance(data, dict):
        raise FlagsConfigError(
            f"{origin}: expected a mapping of flag name to on/off/'NN%'/settings, "
            f"or an Unleash payload with a 'features' list"
        )
    features = []
    for name, spec in data.items():
        where = f"{origin}:{lines[str(name)]}" if str(name) in lines else origin
        where = f"{where}: flag {name!r}"
        features.append(_feature(str(name), spec, where))
    return {"version": 2, "features": features}


def _percent(value: Any, where: str) -> int:
    text = str(value).strip().removesuffix("%").strip()
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    if isinstance(value, bool) or not 0 <= number <= 100 or number != int(number):
        raise FlagsConfigError(f"{where}: expected a whole percentage 0-100, got {_shown(value)}")
    return int(number)


def _feature(name: str, spec: Any, where: str) -> dict[str, Any]:
    if isinstance(spec, bool):
        spec = {"enabled": spec}
    elif isinstance(spec, str) and spec.strip().lower() in ("on", "off", "true", "false"):
        spec = {"enabled": spec.strip().lower() in ("on", "true")}
    elif isinstance(spec, str) and spec.strip().endswith("%"):
        spec = {"rollout": _percent(spec, where)}
    if not isinstance(spec, dict):
        raise FlagsConfigError(
            f"{where}: expected on, off, a rollout like '25%', or a mapping; got {_shown(spec)}"
        )
    unknown = sorted(set(map(str, spec)) - _SIMPLE_KEYS)
    if unknown:
        raise FlagsConfigError(
            f"{where}: unknown field {unknown[0]!r}; "
            f"expected one of {', '.join(sorted(_SIMPLE_KEYS))}"
        )
    enabled = spec.get("enabled", True)
    if not isinstance(enabled, bool):
        raise FlagsConfigError(
            f"{where}: field 'enabled': expected true or false, got {_shown(enabled)}"
        )
    rollout = _percent(spec.get("rollout", 100), f"{where}: field 'rollout'")
    stickiness = spec.get("stickiness", "default")
    if not isinstance(stickiness, str) or not stickiness:
        raise FlagsConfigError(f"{where}: field 'stickiness': expected a context field name")
    constraints = spec.get("constraints", [])
    if not isinstance(constraints, list) or not all(isinstance(c, dict) for c in constraints):
        raise FlagsConfigError(
            f"{where}: field 'constraints': expected a list of Unleash constraints "
            "({contextName, operator, values})"
        )
    strategy = {
        "name": "flexibleRollout",
        "parameters": {
            "rollout": str(rollout),
            "stickiness": stickiness,
            "groupId": str(spec.get("group_id", name)),
        },
        "constraints": constraints,
    }
    feature: dict[str, Any] = {
        "name": name,
        "type": "release",
        "enabled": enabled,
        "strategies": [strategy],
    }
    if "description" in spec:
        feature["description"] = str(spec["description"])
    variants = _variants(spec.get("variants", []), stickiness, f"{where}: field 'variants'")
    if variants:
        feature["variants"] = variants
    return feature


def _variants(raw: Any, stickiness: str, where: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise FlagsConfigError(f"{where}: expected a list of {{name, weight?, payload?}}")
    items: list[tuple[str, float, Any]] = []
    for i, item in enumerate(raw):
        entry = {"name": item} if isinstance(item, str) else item
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise FlagsConfigError(f"{where}[{i}]: expected a name or {{name, weight?, payload?}}")
        weight = entry.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            raise FlagsConfigError(f"{where}[{i}]: field 'weight': expected a positive number")
        items.append((entry["name"], float(weight), entry.get("payload")))
    if not items:
        return []
    total = sum(w for _, w, _ in items)
    # Unleash weights are per mille and must add up to exactly 1000.
    weights = [int(w * 1000 // total) for _, w, _ in items]
    weights[-1] += 1000 - sum(weights)
    out = []
    for (name, _, payload), weight in zip(items, weights, strict=True):
        variant: dict[str, Any] = {
            "name": name,
            "weight": weight,
            "weightType": "variable",
            "stickiness": stickiness,
        }
        if payload is not None:
            variant["payload"] = _payload(payload)
        out.append(variant)
    return out


def _payload(payload: Any) -> dict[str, str]:
    """A variant payload as Unleash holds it: ``{type, value}`` with a text value."""
    if isinstance(payload, dict) and set(payload) == {"type", "value"}:
        kind, value = payload["type"], payload["value"]
        if kind in _PAYLOAD_TYPES:  # Unleash's own shape, as in its exports
            text = value if isinstance(value, str) else json.dumps(value)
            return {"type": kind, "value": text}
    if isinstance(payload, dict | list):
        return {"type": "json", "value": json.dumps(payload)}
    return {"type": "string", "value": str(payload)}


def _shown(value: Any, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters: an error message never echoes a whole file."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
