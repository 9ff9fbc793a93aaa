"""A finding as zwobs reports it: what, how bad, and exactly where (file:line and resource)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from enum import StrEnum

from zwobs.policies import Severity

__all__ = ["Category", "Finding", "Resource", "Severity", "Unevaluated", "severity_of"]


class Category(StrEnum):
    """Which Trivy scanner produced a finding."""

    MISCONFIG = "misconfig"
    SECRET = "secret"
    VULNERABILITY = "vulnerability"


def severity_of(text: str) -> Severity:
    """Trivy's severity string as a :class:`Severity` (anything unknown is UNKNOWN)."""
    try:
        return Severity(text.strip().upper())
    except ValueError:
        return Severity.UNKNOWN


@dataclass(frozen=True, slots=True)
class Resource:
    """The object a finding is about: a Kubernetes resource (and container) or a Dockerfile stage.

    ``document`` is the 1-based position of the YAML document in a multi-document file
    (or of the stage in a Dockerfile).
    """

    kind: str
    name: str
    namespace: str = ""
    container: str = ""
    document: int = 0

    @property
    def key(self) -> str:
        """``Kind/namespace/name`` (``Kind/name`` without a namespace): what waivers match."""
        if self.namespace:
            return f"{self.kind}/{self.namespace}/{self.name}"
        return f"{self.kind}/{self.name}"

    def __str__(self) -> str:
        text = self.key
        if self.container:
            text += f" container={self.container}"
        if self.document:
            text += (
                f" (doc {self.document})" if self.kind != "Stage" else f" (stage {self.document})"
            )
        return text


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem Trivy reported, with ids normalised and text cleaned of ANSI codes."""

    check_id: str
    category: Category
    severity: Severity
    title: str
    message: str
    path: str
    start_line: int = 0
    end_line: int = 0
    resource: Resource | None = None
    resolution: str = ""
    url: str = ""
    package: str = ""
    installed_version: str = ""
    fixed_version: str = ""
    snippet: str = ""
    occurrence: int = 0
    """Position among findings that would otherwise share a fingerprint (0 for the first)."""
    custom: bool = field(default=False)
    """True for checks of the zwobs pack."""

    @property
    def location(self) -> str:
        """``path:line`` (``path`` when Trivy gave no line)."""
        return f"{self.path}:{self.start_line}" if self.start_line else self.path

    @property
    def fixable(self) -> bool:
        """False only for a vulnerability without a fixed version."""
        return self.category is not Category.VULNERABILITY or bool(self.fixed_version)

    def identity(self) -> str:
        """What a finding is, without where it sits in the file: lines never enter it, so the
        fingerprint survives edits above the finding."""
        parts = [self.check_id, self.category.value, self.path]
        if self.resource is not None:
            parts += [self.resource.key, self.resource.container]
        if self.category is Category.VULNERABILITY:
            parts += [self.package, self.installed_version]
        else:
            parts += [self.message, self.snippet]
        return "\x1f".join(parts)

    @property
    def fingerprint(self) -> str:
        """A stable hash of :meth:`identity` and the occurrence (for baselines and SARIF)."""
        digest = hashlib.sha256(f"{self.identity()}\x1f{self.occurrence}".encode()).hexdigest()
        return digest[:32]

    def with_occurrence(self, occurrence: int) -> Finding:
        return replace(self, occurrence=occurrence)


@dataclass(frozen=True, slots=True)
class Unevaluated:
    """An input the scan could not evaluate: it is named in every output and fails the gate."""

    path: str
    line: int
    """1-based line of the problem, 0 for the whole file."""
    reason: str

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"
