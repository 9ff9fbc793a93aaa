"""What one `zwobs scan` produced: the gate result plus what ran and what was skipped."""

from __future__ import annotations

from dataclasses import dataclass, field

from .gate import GateResult

__all__ = ["ScanOutcome"]


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    gate: GateResult
    trivy_version: str = ""
    targets: tuple[str, ...] = ()
    scanners: tuple[str, ...] = ()
    custom_checks: int = 0
    pack_source: str = ""
    """Where the pack came from: a rendered directory or the built-in pack."""
    evaluations_proven: int = 0
    """(custom check, file) pairs Trivy was shown to evaluate."""
    notes: tuple[str, ...] = field(default=())
    """Things the user should know that are not findings (skipped scanners, ...)."""
