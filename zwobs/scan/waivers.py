"""Waivers: a finding accepted on purpose, by whom, why, and until when.

File format (YAML)::

    waivers:
      - id: KSV-0014                    # any spelling: KSV014, AVD-KSV-0014
        path: "deploy/*.yaml"           # glob on the reported path, and/or
        resource: "Deployment/prod/web" # glob on Kind/namespace/name (Kind/name without namespace)
        container: app                  # optional
        reason: "needs a writable /var/cache until #123"
        owner: team-identity
        expires: 2026-12-31             # valid through that day

An expired waiver no longer hides anything and is reported; a waiver that matched no
finding is reported as unused so the file does not rot. The file is read through
:mod:`zwobs.yamlread`: capped in size, aliases counted as expanded.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yaml.nodes import ScalarNode, SequenceNode

from zwobs.yamlread import (
    YamlInputError,
    compose_documents,
    load_documents,
    node_position,
    read_text,
)

from .ids import normalise_id
from .model import Finding
from .trivy import ScanError

__all__ = ["MAX_BYTES", "Waiver", "load_waivers"]

MAX_BYTES = 4 * 1024 * 1024
"""A waivers file is hand-written: 4 MB holds tens of thousands of waivers."""
MAX_NODES = 1_000_000
_REQUIRED = ("id", "reason", "owner", "expires")
_KNOWN = {*_REQUIRED, "path", "resource", "container"}


@dataclass(frozen=True, slots=True)
class Waiver:
    id: str
    reason: str
    owner: str
    expires: dt.date
    path: str = ""
    resource: str = ""
    container: str = ""
    source: str = ""
    """``file:line`` of the waiver, for messages."""

    def expired(self, today: dt.date) -> bool:
        return today > self.expires

    def matches(self, finding: Finding) -> bool:
        """Same check, and every given selector (path, resource, container) matches."""
        if normalise_id(self.id) != finding.check_id:
            return False
        if self.path and not fnmatch.fnmatchcase(finding.path, self.path):
            return False
        if self.resource:
            if finding.resource is None:
                return False
            if not fnmatch.fnmatchcase(finding.resource.key, self.resource):
                return False
        return not (
            self.container
            and (finding.resource is None or finding.resource.container != self.container)
        )

    def describe(self) -> str:
        where = " ".join(
            f"{k}={v}"
            for k, v in (
                ("path", self.path),
                ("resource", self.resource),
                ("container", self.container),
            )
            if v
        )
        return f"{self.id} {where} (owner {self.owner}, expires {self.expires.isoformat()})"


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ScanError(f"{where}: expires: expected a date YYYY-MM-DD, got {value!r}") from None


def _one(entry: Any, line: int, file: Path, position: int, errors: list[str]) -> Waiver | None:
    if not isinstance(entry, dict):
        errors.append(
            f"{file}:{line}: waivers[{position}]: expected a mapping with {', '.join(_REQUIRED)}"
        )
        return None
    entry = {str(k): v for k, v in entry.items()}
    where = f"{file}:{line}"
    problems: list[str] = []
    unknown = sorted(set(entry) - _KNOWN)
    if unknown:
        problems.append(
            f"unknown field(s) {', '.join(unknown)}; expected {', '.join(sorted(_KNOWN))}"
        )
    missing = [k for k in _REQUIRED if not str(entry.get(k) or "").strip()]
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if not (entry.get("path") or entry.get("resource")):
        problems.append(
            "needs path and/or resource (waiving a check everywhere is a policy change)"
        )
    expires: dt.date | None = None
    if "expires" not in missing:
        try:
            expires = _date(entry["expires"], where)
        except ScanError as exc:
            errors.append(str(exc))
            return None
    errors.extend(f"{where}: {problem}" for problem in problems)
    if problems or expires is None:
        return None
    return Waiver(
        id=normalise_id(str(entry["id"])),
        reason=str(entry["reason"]).strip(),
        owner=str(entry["owner"]).strip(),
        expires=expires,
        path=str(entry.get("path") or ""),
        resource=str(entry.get("resource") or ""),
        container=str(entry.get("container") or ""),
        source=where,
    )


def _entries(file: Path) -> list[tuple[Any, int]]:
    """(value, line) of every entry of the file's ``waivers:`` list, read bounded."""
    source = str(file)
    try:
        text = read_text(file, max_bytes=MAX_BYTES)
        nodes = compose_documents(text, source, max_nodes=MAX_NODES)
        values = load_documents(text, source, max_nodes=MAX_NODES)
    except YamlInputError as exc:
        where = f"{exc.file}:{exc.line}:{exc.column}"
        raise ScanError(f"{where}: cannot read waivers: {exc.message}") from None
    except ValueError as exc:  # an invalid unquoted date, e.g. ``expires: 2026-13-01``
        raise ScanError(f"{file}: not valid YAML: {exc}") from None
    if not values:
        return []
    if len(values) > 1:
        raise ScanError(f"{file}: expected one YAML document, found {len(values)}")
    data, root = values[0], nodes[0]
    entries: Iterable[Any] | None = data.get("waivers") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ScanError(f"{file}: expected a top-level `waivers:` list")
    sequence = next(
        (v for k, v in root.value if isinstance(k, ScalarNode) and k.value == "waivers"), None
    )
    items = sequence.value if isinstance(sequence, SequenceNode) else []
    lines = [node_position(item)[0] for item in items]
    return [(entry, lines[i] if i < len(lines) else 0) for i, entry in enumerate(entries)]


def load_waivers(file: Path) -> list[Waiver]:
    """All waivers of ``file``; every problem is reported at once with file:line."""
    errors: list[str] = []
    waivers = [
        w
        for i, (entry, line) in enumerate(_entries(file))
        if (w := _one(entry, line, file, i, errors)) is not None
    ]
    if errors:
        raise ScanError("invalid waivers:\n  " + "\n  ".join(errors))
    return waivers
