"""The custom checks zwobs hands to Trivy, and the proof that Trivy actually ran them.

Trivy silently evaluates nothing when a check's package is outside the namespace given
with ``--check-namespaces`` (or its selector type does not match), and still exits 0.
zwobs reads the checks' metadata before the run and, after it, requires every check to
appear (passed or failed) for every Kubernetes manifest and Dockerfile Trivy scanned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .ids import normalise_id
from .trivy import ScanError

__all__ = ["CustomCheck", "load_checks", "verify_evaluated"]

_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_ID = re.compile(r"^#\s+id:\s*(\S+)\s*$", re.MULTILINE)
_TYPE = re.compile(r"^#\s+-\s*type:\s*(\w+)\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class CustomCheck:
    """One Rego check: its id, package, the input types it selects and its file."""

    id: str
    package: str
    types: frozenset[str]
    file: Path


def load_checks(checks_dir: Path, namespace: str) -> list[CustomCheck]:
    """Every check under ``checks_dir``; a file without metadata or outside ``namespace`` is an
    error here rather than a check Trivy would silently skip."""
    if not checks_dir.is_dir():
        raise ScanError(f"{checks_dir}: policy check directory not found (run `zwobs render`)")
    checks: list[CustomCheck] = []
    for file in sorted(checks_dir.rglob("*.rego")):
        if file.name.endswith("_test.rego"):
            continue
        text = file.read_text(encoding="utf-8")
        package = _PACKAGE.search(text)
        check_id = _ID.search(text)
        types = frozenset(_TYPE.findall(text))
        if package is None or check_id is None or not types:
            raise ScanError(
                f"{file}: not a Trivy check (needs `package`, and `# METADATA` with custom.id "
                "and custom.input.selector[].type)"
            )
        if package.group(1) != namespace and not package.group(1).startswith(namespace + "."):
            raise ScanError(
                f"{file}: package {package.group(1)} is outside the check namespace {namespace!r}; "
                "Trivy would silently never run it"
            )
        checks.append(CustomCheck(normalise_id(check_id.group(1)), package.group(1), types, file))
    if not checks:
        raise ScanError(f"{checks_dir}: no Rego checks found (run `zwobs render`)")
    return checks


def verify_evaluated(
    checks: list[CustomCheck], evaluated: Mapping[tuple[str, str], set[str]]
) -> int:
    """Raise unless every check was evaluated on every file of its type; returns how many
    (check, file) evaluations were proven."""
    missing: list[str] = []
    proven = 0
    for (path, kind), seen in sorted(evaluated.items()):
        for check in checks:
            # Trivy renders Helm charts and runs the kubernetes checks on the output.
            types = check.types | ({"helm"} if "kubernetes" in check.types else set())
            if kind not in types:
                continue
            if check.id in seen:
                proven += 1
            else:
                missing.append(f"{check.id} ({check.package}) on {path}")
    if missing:
        shown = "\n  ".join(missing[:20])
        more = f"\n  ... and {len(missing) - 20} more" if len(missing) > 20 else ""
        raise ScanError(
            "custom checks were loaded but Trivy did not evaluate them (wrong check namespace, "
            f"selector type or a Rego error?):\n  {shown}{more}"
        )
    return proven
