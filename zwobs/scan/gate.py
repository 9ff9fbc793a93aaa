"""The gate: report every finding, fail only on what the policy says, in one run.

Each finding gets one status. In order: an active waiver hides it (WAIVED), the
baseline accepts it (BASELINE), ``ignore_unfixed`` sets aside a vulnerability with no
fix (UNFIXED); everything else counts. Counted findings fail the gate when their
severity reaches ``fail_on``, unless a per-severity allowance (``max_counts``) says
how many of that severity may pass; over the allowance, all of them fail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .model import Finding, Severity
from .waivers import Waiver

__all__ = ["Assessed", "GatePolicy", "GateResult", "Status", "evaluate"]


class Status(StrEnum):
    FAIL = "fail"
    """Counts against the gate and the gate failed on its severity."""
    WARN = "warn"
    """Counted but within what the gate allows (below the threshold or within an allowance)."""
    WAIVED = "waived"
    BASELINE = "baseline"
    UNFIXED = "unfixed"

    @property
    def suppressed(self) -> bool:
        return self in (Status.WAIVED, Status.BASELINE, Status.UNFIXED)


@dataclass(frozen=True, slots=True)
class GatePolicy:
    fail_on: Severity = Severity.HIGH
    """Lowest severity that fails the gate (absent an allowance)."""
    max_counts: Mapping[Severity, int] = field(default_factory=dict)
    """Per severity, how many counted findings may pass; overrides ``fail_on`` for it."""
    ignore_unfixed: bool = False

    def limit(self, severity: Severity) -> int | None:
        """How many findings of ``severity`` may pass (None: any number)."""
        if severity in self.max_counts:
            return self.max_counts[severity]
        return 0 if severity.rank >= self.fail_on.rank else None


@dataclass(frozen=True, slots=True)
class Assessed:
    finding: Finding
    status: Status
    waiver: Waiver | None = None
    expired_waiver: Waiver | None = None
    """An expired waiver that matched (and no longer hides the finding)."""


@dataclass(frozen=True, slots=True)
class GateResult:
    assessed: tuple[Assessed, ...]
    policy: GatePolicy
    totals: Mapping[Severity, int]
    """All findings per severity, suppressed ones included."""
    counted: Mapping[Severity, int]
    """Findings per severity that the gate counted (not waived, baselined or unfixed)."""
    failing: tuple[Severity, ...]
    """Severities over their limit, highest first."""
    expired_waivers: tuple[Waiver, ...]
    unused_waivers: tuple[Waiver, ...]

    @property
    def passed(self) -> bool:
        return not self.failing

    def reasons(self) -> list[str]:
        """Why the gate failed, one line per severity."""
        lines = []
        for severity in self.failing:
            limit = self.policy.limit(severity) or 0
            count = self.counted[severity]
            lines.append(f"{count} {severity.value} finding(s), {limit} allowed")
        return lines


def _status_before_gate(  # noqa: PLR0917 - internal helper, called once
    finding: Finding,
    waivers: Iterable[Waiver],
    baseline: set[str],
    policy: GatePolicy,
    today: dt.date,
    used: set[int],
) -> tuple[Status | None, Waiver | None, Waiver | None]:
    expired: Waiver | None = None
    for position, waiver in enumerate(waivers):
        if not waiver.matches(finding):
            continue
        if waiver.expired(today):
            expired = expired or waiver
            continue
        used.add(position)
        return Status.WAIVED, waiver, expired
    if finding.fingerprint in baseline:
        return Status.BASELINE, None, expired
    if policy.ignore_unfixed and not finding.fixable:
        return Status.UNFIXED, None, expired
    return None, None, expired


def evaluate(
    findings: Iterable[Finding],
    policy: GatePolicy,
    *,
    waivers: Iterable[Waiver] = (),
    baseline: Iterable[str] = (),
    today: dt.date | None = None,
) -> GateResult:
    """Assess every finding and decide the gate."""
    today = today or dt.date.today()
    waiver_list = list(waivers)
    baseline_set = set(baseline)
    used: set[int] = set()
    staged: list[tuple[Finding, Status | None, Waiver | None, Waiver | None]] = []
    for finding in findings:
        status, waiver, expired = _status_before_gate(
            finding, waiver_list, baseline_set, policy, today, used
        )
        staged.append((finding, status, waiver, expired))
    totals = {s: 0 for s in Severity}
    counted = {s: 0 for s in Severity}
    for finding, status, _, _ in staged:
        totals[finding.severity] += 1
        if status is None:
            counted[finding.severity] += 1
    failing = tuple(
        s
        for s in sorted(Severity, key=lambda s: -s.rank)
        if (limit := policy.limit(s)) is not None and counted[s] > limit
    )
    assessed = tuple(
        Assessed(
            finding=f,
            status=status or (Status.FAIL if f.severity in failing else Status.WARN),
            waiver=waiver,
            expired_waiver=expired,
        )
        for f, status, waiver, expired in staged
    )
    expired_waivers = tuple(w for i, w in enumerate(waiver_list) if w.expired(today))
    unused = tuple(w for i, w in enumerate(waiver_list) if i not in used and not w.expired(today))
    return GateResult(
        assessed=assessed,
        policy=policy,
        totals=totals,
        counted=counted,
        failing=failing,
        expired_waivers=expired_waivers,
        unused_waivers=unused,
    )
