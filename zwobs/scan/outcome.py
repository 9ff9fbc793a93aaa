"""What one `zwobs scan` produced: the gate result plus what ran and what was skipped."""

from __future__ import annotations

from dataclasses import dataclass, field

from .gate import GateResult
from .model import Unevaluated

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
    unevaluated: tuple[Unevaluated, ...] = field(default=())
    """Inputs the scan could not evaluate: each one fails the gate."""

    @property
    def passed(self) -> bool:
        """The gate passed and every input was evaluated."""
        return self.gate.passed and not self.unevaluated

    def reasons(self) -> list[str]:
        """Why the scan failed: the inputs not evaluated, then the gate's reasons."""
        lines = []
        if self.unevaluated:
            lines.append(f"{len(self.unevaluated)} input(s) not evaluated")
        return lines + self.gate.reasons()
