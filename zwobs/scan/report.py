"""Turn a Trivy JSON report into zwobs findings, and record which checks Trivy evaluated."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .ids import normalise_id
from .model import Category, Finding, Resource, severity_of
from .resources import ResourceIndex
from .text import clean
from .trivy import ScanError

__all__ = ["ParsedReport", "parse_report"]

_KUBERNETES_TYPES = {"kubernetes"}
_HELM_TYPES = {"helm"}
_DOCKERFILE_TYPES = {"dockerfile"}

# When the file itself cannot be read as YAML (Helm templates), the resource comes from the
# message: the zwobs pack's ("Deployment prod/web: container "app" ...") or Trivy's
# ("Container 'app' of Deployment 'web' ...").
_PACK_MESSAGE = re.compile(r'^([A-Z]\w+) (?:([^/\s]+)/)?([^\s:]+):? (?:container "([^"]+)")?')
_TRIVY_MESSAGE = re.compile(r"^Container '([^']+)' of (\w+) '([^']+)'")


def _resource_from_message(message: str, custom: bool) -> Resource | None:
    if custom:
        match = _PACK_MESSAGE.match(message)
        if match:
            kind, namespace, name, container = match.groups()
            return Resource(
                kind=kind, name=name, namespace=namespace or "", container=container or ""
            )
        return None
    match = _TRIVY_MESSAGE.match(message)
    if match:
        container, kind, name = match.groups()
        return Resource(kind=kind, name=name, container=container)
    return None


@dataclass(slots=True)
class ParsedReport:
    """Failures as findings, plus the check ids seen (passed or failed) per scanned config file."""

    findings: list[Finding] = field(default_factory=list)
    evaluated: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    """``(path, Trivy type)`` -> normalised ids of every check evaluated on that file."""


def _int(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 0


def _cause_snippet(cause: Mapping[str, Any]) -> str:
    lines = (cause.get("Code") or {}).get("Lines") or []
    for line in lines:
        if isinstance(line, dict) and line.get("IsCause"):
            return clean(line.get("Content", "")).strip()
    return ""


def _misconfig(
    item: Mapping[str, Any],
    path: str,
    kind: str,
    locate: Callable[[str, int], Resource | None],
    custom_ids: set[str],
) -> Finding:
    check_id = normalise_id(str(item.get("AVDID") or item.get("ID") or "UNKNOWN"))
    cause = item.get("CauseMetadata") or {}
    start = _int(cause.get("StartLine"))
    message = clean(item.get("Message") or item.get("Description") or "").strip()
    resource = locate(path, start)
    if resource is None and kind in _KUBERNETES_TYPES | _HELM_TYPES:
        resource = _resource_from_message(message, check_id in custom_ids)
    return Finding(
        check_id=check_id,
        category=Category.MISCONFIG,
        severity=severity_of(str(item.get("Severity", ""))),
        title=clean(item.get("Title", "")).strip(),
        message=message,
        path=path,
        start_line=start,
        end_line=_int(cause.get("EndLine")) or start,
        resource=resource,
        resolution=clean(item.get("Resolution", "")).strip(),
        url=clean(item.get("PrimaryURL", "")).strip(),
        snippet=_cause_snippet(cause) if kind in _DOCKERFILE_TYPES else "",
        custom=check_id in custom_ids,
    )


def _secret(item: Mapping[str, Any], path: str) -> Finding:
    start = _int(item.get("StartLine"))
    return Finding(
        check_id=normalise_id(str(item.get("RuleID") or "secret")),
        category=Category.SECRET,
        severity=severity_of(str(item.get("Severity", ""))),
        title=clean(item.get("Title", "")).strip(),
        message=clean(item.get("Title") or item.get("Category") or "").strip(),
        path=path,
        start_line=start,
        end_line=_int(item.get("EndLine")) or start,
        resolution="Remove the secret from the file, rotate it, and load it from the secret store.",
        snippet=clean(item.get("Match", "")).strip(),
    )


def _vulnerability(item: Mapping[str, Any], path: str) -> Finding:
    package = clean(item.get("PkgName", ""))
    installed = clean(item.get("InstalledVersion", ""))
    fixed = clean(item.get("FixedVersion", ""))
    resolution = f"Upgrade {package} to {fixed}." if fixed else "No fixed version is available yet."
    return Finding(
        check_id=normalise_id(str(item.get("VulnerabilityID") or "UNKNOWN")),
        category=Category.VULNERABILITY,
        severity=severity_of(str(item.get("Severity", ""))),
        title=clean(item.get("Title", "")).strip(),
        message=f"{package} {installed}: {clean(item.get('Title', '')).strip()}".strip(": "),
        path=path,
        resolution=resolution,
        url=clean(item.get("PrimaryURL", "")).strip(),
        package=package,
        installed_version=installed,
        fixed_version=fixed,
    )


def _objects(value: Any, where: str) -> list[dict[str, Any]]:
    """``value`` as a list of objects (absent or null: empty); anything else is not a report
    zwobs can read, and skipping it would pass findings unseen."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ScanError(f"not a Trivy JSON report: {where} is not a list of objects")
    return value


def parse_report(
    report: Mapping[str, Any],
    *,
    display_path: Callable[[str], str],
    index: ResourceIndex,
    custom_ids: set[str],
) -> ParsedReport:
    """Findings (failures only) from ``report``; ``display_path`` maps a Trivy target to the
    path zwobs prints, ``index`` resolves lines to resources. A report whose lists are not
    lists of objects raises :class:`ScanError`."""
    parsed = ParsedReport()
    results = _objects(report.get("Results"), "Results")
    for position, result in enumerate(results):
        where = f"Results[{position}]"
        target = str(result.get("Target", ""))
        kind = str(result.get("Type", ""))
        path = display_path(target)

        def locate(p: str, line: int, kind: str = kind, target: str = target) -> Resource | None:
            if kind in _KUBERNETES_TYPES:
                return index.kubernetes(target, line)
            if kind in _DOCKERFILE_TYPES:
                return index.dockerfile(target, line)
            return None

        misconfigs = _objects(result.get("Misconfigurations"), f"{where}.Misconfigurations")
        seen: set[str] = set()
        if misconfigs or result.get("Class") == "config":
            seen = parsed.evaluated.setdefault((path, kind), set())
        for item in misconfigs:
            check_id = normalise_id(str(item.get("AVDID") or item.get("ID") or "UNKNOWN"))
            seen.add(check_id)
            if str(item.get("Status", "FAIL")).upper() != "FAIL":
                continue
            parsed.findings.append(_misconfig(item, path, kind, locate, custom_ids))
        secrets = _objects(result.get("Secrets"), f"{where}.Secrets")
        parsed.findings.extend(_secret(item, path) for item in secrets)
        vulnerabilities = _objects(result.get("Vulnerabilities"), f"{where}.Vulnerabilities")
        parsed.findings.extend(_vulnerability(item, path) for item in vulnerabilities)
    return parsed
