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

A YAML file may also hold the Unleash format (a top-level ``features`` list).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from zwobs.flags.errors import FlagsConfigError

__all__ = ["load_bootstrap", "parse_simple", "payload_from_mapping"]

_SIMPLE_KEYS = frozenset(
    {"enabled", "rollout", "stickiness", "group_id", "constraints", "variants", "description"}
)


def load_bootstrap(path: str | Path) -> dict[str, Any]:
    """Read a bootstrap file into an Unleash features payload; FlagsConfigError on any problem."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise FlagsConfigError(f"{file}: cannot read the flags file: {exc.strerror}") from None
    if file.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FlagsConfigError(f"{file}:{exc.lineno}: invalid JSON: {exc.msg}") from None
        return _as_payload(data, str(file), lines={})
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FlagsConfigError(f"{file}{line}: invalid YAML: {problem}") from None
    return _as_payload(data, str(file), lines=_key_lines(node))


def _key_lines(node: yaml.Node | None) -> dict[str, int]:
    """Line of each top-level key (and of each key under ``flags:``), for error messages."""
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
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
        raise FlagsConfigError(f"{where}: expected a whole percentage 0-100, got {value!r}")
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
            f"{where}: expected on, off, a rollout like '25%', or a mapping; got {spec!r}"
        )
    unknown = sorted(set(map(str, spec)) - _SIMPLE_KEYS)
    if unknown:
        raise FlagsConfigError(
            f"{where}: unknown field {unknown[0]!r}; "
            f"expected one of {', '.join(sorted(_SIMPLE_KEYS))}"
        )
    enabled = spec.get("enabled", True)
    if not isinstance(enabled, bool):
        raise FlagsConfigError(f"{where}: field 'enabled': expected true or false, got {enabled!r}")
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
            if isinstance(payload, dict | list):
                variant["payload"] = {"type": "json", "value": json.dumps(payload)}
            else:
                variant["payload"] = {"type": "string", "value": str(payload)}
        out.append(variant)
    return out
