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
finding is reported as unused so the file does not rot.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .ids import normalise_id
from .model import Finding
from .trivy import ScanError

__all__ = ["Waiver", "load_waivers"]

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


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records the line of every mapping as ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ScanError(f"{where}: expires: expected a date YYYY-MM-DD, got {value!r}") from None


def _one(entry: Any, file: Path, position: int, errors: list[str]) -> Waiver | None:
    if not isinstance(entry, dict):
        errors.append(
            f"{file}: waivers[{position}]: expected a mapping with {', '.join(_REQUIRED)}"
        )
        return None
    where = f"{file}:{entry.pop('__line__', '?')}"
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


def load_waivers(file: Path) -> list[Waiver]:
    """All waivers of ``file``; every problem is reported at once with file:line."""
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=_LineLoader)
    except OSError as exc:
        raise ScanError(f"{file}: cannot read waivers: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ScanError(f"{file}: cannot read waivers: not UTF-8 ({exc.reason})") from None
    except yaml.YAMLError as exc:
        raise ScanError(f"{file}: not valid YAML: {exc}") from None
    except ValueError as exc:  # an invalid unquoted date, e.g. ``expires: 2026-13-01``
        raise ScanError(f"{file}: not valid YAML: {exc}") from None
    if data is None:
        return []
    entries: Iterable[Any] | None = data.get("waivers") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ScanError(f"{file}: expected a top-level `waivers:` list")
    errors: list[str] = []
    waivers = [w for i, e in enumerate(entries) if (w := _one(e, file, i, errors)) is not None]
    if errors:
        raise ScanError("invalid waivers:\n  " + "\n  ".join(errors))
    return waivers
